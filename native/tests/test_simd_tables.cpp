// Every dispatch table this build holds (simd/kernel_table.hpp: the scalar
// lanes, the baseline, AVX2 where the CPU has it) must write exactly the bytes
// of the scalar definitions, for every length and alignment (the aligning
// prologue, the vector body and the tail), signed zeros included: the choice
// of table may change the speed, never the result.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "harness.hpp"
#include "numeric.hpp"
#include "simd/kernel_table.hpp"

using namespace bptest;
using bp::simd::KernelTable;

namespace {

std::vector<const KernelTable*> tables() {
  std::vector<const KernelTable*> t{&bp::simd::scalar_kernels(), &bp::simd::baseline_kernels()};
  if (bp::simd::avx2_kernels() != nullptr) t.push_back(bp::simd::avx2_kernels());
  return t;
}

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
template <class T>
T shrink_ref(T y, double t) {
  const double a = static_cast<double>(y);
  return bp::narrow_toward_zero<T>(a > t ? a - t : (a < -t ? a + t : 0.0));
}

template <class T>
bool same_bytes(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

template <class T>
struct Pick;
template <>
struct Pick<double> {
  static auto clamp_each(const KernelTable& k) { return k.clamp_each_f64; }
  static auto clamp_one(const KernelTable& k) { return k.clamp_one_f64; }
  static auto shrink(const KernelTable& k, int each, int stream) { return k.shrink_f64[each][stream]; }
  static auto zero(const KernelTable& k) { return k.zero_f64; }
  static auto adam(const KernelTable& k) { return k.adam_f64; }
  static auto column(const KernelTable& k, bool sum) { return sum ? k.column_max_sum_f64 : k.column_max_f64; }
};
template <>
struct Pick<float> {
  static auto clamp_each(const KernelTable& k) { return k.clamp_each_f32; }
  static auto clamp_one(const KernelTable& k) { return k.clamp_one_f32; }
  static auto shrink(const KernelTable& k, int each, int stream) { return k.shrink_f32[each][stream]; }
  static auto zero(const KernelTable& k) { return k.zero_f32; }
  static auto adam(const KernelTable& k) { return k.adam_f32; }
  static auto column(const KernelTable& k, bool sum) { return sum ? k.column_max_sum_f32 : k.column_max_f32; }
};

template <class T>
void check_writes(const KernelTable& k, Rng& rng) {
  using P = Pick<T>;
  for (std::size_t n = 0; n < 70; ++n) {
    for (std::size_t off = 0; off < 8; ++off) {  // dst alignment: every residue mod 32 bytes
      std::vector<T> src = values<T>(rng, n + 8), c(n + 8), got(n + 8, T(7)), want(n + 8, T(7));
      std::vector<double> t(n + 8);
      for (T& x : c) x = rng.below(4) == 0 ? T(0.5) : static_cast<T>(std::fabs(rng.normal()));
      for (double& x : t) x = rng.below(4) == 0 ? 0.5 : std::fabs(rng.normal());
      const T one = static_cast<T>(0.5);
      P::clamp_each(k)(src.data() + off, c.data() + off, T(0), got.data() + off, n);
      for (std::size_t i = 0; i < n; ++i) want[off + i] = clamp_ref(src[off + i], c[off + i]);
      CHECK_MSG(same_bytes(got, want), k.name << " clamp each n=" << n);
      P::clamp_one(k)(src.data() + off, nullptr, one, got.data() + off, n);
      for (std::size_t i = 0; i < n; ++i) want[off + i] = clamp_ref(src[off + i], one);
      CHECK_MSG(same_bytes(got, want), k.name << " clamp one n=" << n);
      for (int stream = 0; stream < 2; ++stream) {
        P::shrink(k, 1, stream)(src.data() + off, t.data() + off, 0.0, got.data() + off, n);
        for (std::size_t i = 0; i < n; ++i) want[off + i] = shrink_ref(src[off + i], t[off + i]);
        CHECK_MSG(same_bytes(got, want), k.name << " shrink each n=" << n);
        P::shrink(k, 0, stream)(src.data() + off, nullptr, 0.3, got.data() + off, n);
        for (std::size_t i = 0; i < n; ++i) want[off + i] = shrink_ref(src[off + i], 0.3);
        CHECK_MSG(same_bytes(got, want), k.name << " shrink one n=" << n);
      }
      P::zero(k)(got.data() + off, n);
      for (std::size_t i = 0; i < n; ++i) want[off + i] = T(0);
      CHECK_MSG(same_bytes(got, want), k.name << " zero n=" << n);
    }
  }
}

template <class T>
void check_adam(const KernelTable& k, Rng& rng) {
  const bp::simd::AdamCoefficients<T> c{T(0.9), T(0.999), T(0.1), T(0.001), T(1e-3), T(1.25), T(1e-8)};
  for (std::size_t n = 0; n < 40; ++n) {
    std::vector<T> p = values<T>(rng, n), g = values<T>(rng, n), m = values<T>(rng, n), v(n);
    for (T& x : v) x = static_cast<T>(std::fabs(rng.normal()));
    std::vector<T> p2 = p, m2 = m, v2 = v;
    Pick<T>::adam(k)(c, p.data(), g.data(), m.data(), v.data(), n);
    for (std::size_t i = 0; i < n; ++i) {  // the scalar definition
      const T mi = c.b1 * m2[i] + c.c1 * g[i];
      const T vi = c.b2 * v2[i] + c.c2 * (g[i] * g[i]);
      m2[i] = mi;
      v2[i] = vi;
      p2[i] = p2[i] - c.step * mi / (std::sqrt(vi) * c.inv_sqrt_bc2 + c.eps);
    }
    CHECK_MSG(same_bytes(p, p2) && same_bytes(m, m2) && same_bytes(v, v2), k.name << " adam n=" << n);
  }
}

template <class T>
void check_columns(const KernelTable& k, Rng& rng) {
  for (std::size_t rows : {0, 1, 7, 8, 9, 17}) {
    const std::size_t cols = 13, c0 = 2, c1 = 11;
    std::vector<T> y = values<T>(rng, rows * cols);
    for (bool with_sum : {false, true}) {
      std::vector<double> mx(cols, -1.0), sum(cols, -1.0), mx_ref(cols, -1.0), sum_ref(cols, -1.0);
      const bool ok = Pick<T>::column(k, with_sum)(y.data(), rows, cols, c0, c1, 0.5, mx.data(), sum.data());
      const bool ok_ref =
          Pick<T>::column(bp::simd::scalar_kernels(), with_sum)(y.data(), rows, cols, c0, c1, 0.5, mx_ref.data(), sum_ref.data());
      CHECK(ok && ok_ref);
      CHECK_MSG(same_bytes(mx, mx_ref) && same_bytes(sum, sum_ref), k.name << " columns rows=" << rows);
      for (std::size_t j = c0; j < c1; ++j) {  // the scalar tables against the definition
        double m = 0;
        for (std::size_t i = 0; i < rows; ++i) m = std::max(m, std::fabs(static_cast<double>(y[i * cols + j])));
        CHECK(mx_ref[j] == m);
      }
    }
    if (rows > 0) {  // a NaN anywhere in the range is reported
      y[(rows - 1) * cols + c0 + 3] = std::numeric_limits<T>::quiet_NaN();
      std::vector<double> mx(cols), sum(cols);
      CHECK_MSG(!Pick<T>::column(k, true)(y.data(), rows, cols, c0, c1, 1.0, mx.data(), sum.data()), k.name);
    }
  }
}

}  // namespace

TEST(simd_tables_write_the_scalar_bytes) {
  for (const KernelTable* k : tables()) {
    Rng rng(77);
    check_writes<double>(*k, rng);
    check_writes<float>(*k, rng);
    check_adam<double>(*k, rng);
    check_adam<float>(*k, rng);
    check_columns<double>(*k, rng);
    check_columns<float>(*k, rng);
  }
}

TEST(simd_kernels_is_the_best_table_the_cpu_runs) {
  const KernelTable& k = bp::simd::kernels();
  CHECK(&k == (bp::simd::avx2_kernels() != nullptr ? bp::simd::avx2_kernels() : &bp::simd::baseline_kernels()));
  CHECK(&bp::simd::kernels() == &k);  // chosen once
}
