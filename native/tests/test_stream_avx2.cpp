// The AVX2 streaming loops (stream_avx2.cpp) must write exactly the bytes of
// the scalar definitions they replace, for every length and alignment (the
// 32-byte prologue, the vector body and the tail), signed zeros included.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "harness.hpp"
#include "stream_avx2.hpp"

using namespace bptest;

#ifdef BP_HAVE_AVX2_STREAMS

namespace {

template <class T>
std::vector<T> values(Rng& rng, std::size_t n) {
  std::vector<T> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    switch (rng.below(6)) {
      case 0: v[i] = T(0); break;
      case 1: v[i] = -T(0); break;
      case 2: v[i] = static_cast<T>(0.5); break;  // ties with the radii below
      default: v[i] = static_cast<T>(4.0 * rng.normal()); break;
    }
  }
  return v;
}

template <class T>
T clamp_ref(T v, T c) { return v < -c ? -c : (v > c ? c : v); }
double shrink_ref(double a, double t) { return a > t ? a - t : (a < -t ? a + t : 0.0); }

template <class T>
bool same_bytes(const std::vector<T>& a, const std::vector<T>& b, std::size_t off, std::size_t n) {
  return std::memcmp(a.data() + off, b.data() + off, n * sizeof(T)) == 0;
}

template <class T>
void check_clamp(Rng& rng) {
  for (std::size_t n = 0; n < 70; ++n) {
    for (std::size_t off = 0; off < 8; ++off) {  // dst alignment: every residue mod 32 bytes
      std::vector<T> src = values<T>(rng, n + 8), c(n + 8), got(n + 8, T(7)), want(n + 8, T(7));
      for (T& x : c) x = rng.below(4) == 0 ? T(0.5) : static_cast<T>(std::fabs(rng.normal()));
      const T one = static_cast<T>(0.5);
      bp::avx2::clamp_each(src.data() + off, c.data() + off, got.data() + off, n);
      for (std::size_t k = 0; k < n; ++k) want[off + k] = clamp_ref(src[off + k], c[off + k]);
      CHECK(same_bytes(got, want, 0, n + 8));
      bp::avx2::clamp_one(src.data() + off, one, got.data() + off, n);
      for (std::size_t k = 0; k < n; ++k) want[off + k] = clamp_ref(src[off + k], one);
      CHECK(same_bytes(got, want, 0, n + 8));
      bp::avx2::zero(got.data() + off, n);
      for (std::size_t k = 0; k < n; ++k) want[off + k] = T(0);
      CHECK(same_bytes(got, want, 0, n + 8));
    }
  }
}

}  // namespace

TEST(avx2_streams_write_the_scalar_bytes) {
  if (!bp::avx2::available()) return;  // the SSE2 loops run instead; nothing here can execute
  Rng rng(77);
  check_clamp<double>(rng);
  check_clamp<float>(rng);
  for (std::size_t n = 0; n < 70; ++n) {
    for (std::size_t off = 0; off < 4; ++off) {
      std::vector<double> src = values<double>(rng, n + 4), t(n + 4), got(n + 4, 7.0), want(n + 4, 7.0);
      for (double& x : t) x = rng.below(4) == 0 ? 0.5 : std::fabs(rng.normal());
      bp::avx2::shrink_each(src.data() + off, t.data() + off, got.data() + off, n);
      for (std::size_t k = 0; k < n; ++k) want[off + k] = shrink_ref(src[off + k], t[off + k]);
      CHECK(same_bytes(got, want, 0, n + 4));
      bp::avx2::shrink_one(src.data() + off, 0.5, got.data() + off, n);
      for (std::size_t k = 0; k < n; ++k) want[off + k] = shrink_ref(src[off + k], 0.5);
      CHECK(same_bytes(got, want, 0, n + 4));
    }
  }
}

#endif  // BP_HAVE_AVX2_STREAMS
