#include "stream_avx2.hpp"

#ifdef BP_HAVE_AVX2_STREAMS

#include <immintrin.h>

#include <cstdint>

#define BP_AVX2 __attribute__((target("avx2")))

namespace bp {
namespace avx2 {
namespace {

// The source a few pages ahead, once per cache line (see stream_store.hpp).
constexpr std::size_t kPrefetchBytes = 4096;

template <class T>
BP_AVX2 inline void prefetch_line(const T* src, std::size_t k) {
  if ((k * sizeof(T)) % 64 == 0) _mm_prefetch(reinterpret_cast<const char*>(src + k) + kPrefetchBytes, _MM_HINT_T0);
}

template <class T>
inline bool unaligned32(const T* p) {
  return (reinterpret_cast<std::uintptr_t>(p) & 31) != 0;
}

template <class T>
inline T clamp_scalar(T v, T c) {
  // The vector max/min order, to the signed zero (see clamp_sym in stream_store.hpp).
  const T t = v > -c ? v : -c;
  return t < c ? t : c;
}

inline double shrink_scalar(double a, double t) { return a > t ? a - t : (a < -t ? a + t : 0.0); }

// The 256-bit vector of each element type and the few operations the clamp
// needs, so that one loop serves float and double.
template <class T>
struct Lanes;
template <>
struct Lanes<double> {
  using V = __m256d;
  static constexpr std::size_t kWidth = 4;
  BP_AVX2 static V load(const double* p) { return _mm256_loadu_pd(p); }
  BP_AVX2 static V set1(double x) { return _mm256_set1_pd(x); }
  BP_AVX2 static void stream(double* p, V v) { _mm256_stream_pd(p, v); }
  BP_AVX2 static V clamp(V v, V c) { return _mm256_min_pd(_mm256_max_pd(v, _mm256_xor_pd(c, set1(-0.0))), c); }
};
template <>
struct Lanes<float> {
  using V = __m256;
  static constexpr std::size_t kWidth = 8;
  BP_AVX2 static V load(const float* p) { return _mm256_loadu_ps(p); }
  BP_AVX2 static V set1(float x) { return _mm256_set1_ps(x); }
  BP_AVX2 static void stream(float* p, V v) { _mm256_stream_ps(p, v); }
  BP_AVX2 static V clamp(V v, V c) { return _mm256_min_ps(_mm256_max_ps(v, _mm256_xor_ps(c, set1(-0.0f))), c); }
};

template <bool Each, class T>
BP_AVX2 void clamp_t(const T* src, const T* c, T one, T* dst, std::size_t n) {
  using L = Lanes<T>;
  std::size_t k = 0;
  for (; k < n && unaligned32(dst + k); ++k) dst[k] = clamp_scalar(src[k], Each ? c[k] : one);
  const typename L::V c1 = L::set1(one);
  for (; k + L::kWidth <= n; k += L::kWidth) {
    prefetch_line(src, k);
    L::stream(dst + k, L::clamp(L::load(src + k), Each ? L::load(c + k) : c1));
  }
  for (; k < n; ++k) dst[k] = clamp_scalar(src[k], Each ? c[k] : one);
}

template <bool Each>
BP_AVX2 void shrink_d(const double* src, const double* t, double one, double* dst, std::size_t n) {
  std::size_t k = 0;
  for (; k < n && unaligned32(dst + k); ++k) dst[k] = shrink_scalar(src[k], Each ? t[k] : one);
  const __m256d sign = _mm256_set1_pd(-0.0), zero = _mm256_setzero_pd(), t1 = _mm256_set1_pd(one);
  for (; k + 4 <= n; k += 4) {
    prefetch_line(src, k);
    const __m256d y = _mm256_loadu_pd(src + k);
    const __m256d tk = Each ? _mm256_loadu_pd(t + k) : t1;
    const __m256d d = _mm256_max_pd(_mm256_sub_pd(_mm256_andnot_pd(sign, y), tk), zero);
    const __m256d r = _mm256_or_pd(d, _mm256_and_pd(_mm256_and_pd(sign, y), _mm256_cmp_pd(d, zero, _CMP_GT_OQ)));
    _mm256_stream_pd(dst + k, r);
  }
  for (; k < n; ++k) dst[k] = shrink_scalar(src[k], Each ? t[k] : one);
}

template <class T>
BP_AVX2 void zero_t(T* dst, std::size_t n) {
  std::size_t k = 0;
  for (; k < n && unaligned32(dst + k); ++k) dst[k] = T(0);
  const __m256i z = _mm256_setzero_si256();
  constexpr std::size_t kPer = 32 / sizeof(T);
  for (; k + kPer <= n; k += kPer) _mm256_stream_si256(reinterpret_cast<__m256i*>(dst + k), z);
  for (; k < n; ++k) dst[k] = T(0);
}

}  // namespace

bool available() noexcept {
  static const bool has = __builtin_cpu_supports("avx2");
  return has;
}

void clamp_each(const double* src, const double* c, double* dst, std::size_t n) { clamp_t<true>(src, c, 0.0, dst, n); }
void clamp_one(const double* src, double c, double* dst, std::size_t n) { clamp_t<false, double>(src, nullptr, c, dst, n); }
void clamp_each(const float* src, const float* c, float* dst, std::size_t n) { clamp_t<true>(src, c, 0.0f, dst, n); }
void clamp_one(const float* src, float c, float* dst, std::size_t n) { clamp_t<false, float>(src, nullptr, c, dst, n); }
void shrink_each(const double* src, const double* t, double* dst, std::size_t n) { shrink_d<true>(src, t, 0.0, dst, n); }
void shrink_one(const double* src, double t, double* dst, std::size_t n) { shrink_d<false>(src, nullptr, t, dst, n); }
void zero(double* dst, std::size_t n) { zero_t(dst, n); }
void zero(float* dst, std::size_t n) { zero_t(dst, n); }

}  // namespace avx2
}  // namespace bp

#endif  // BP_HAVE_AVX2_STREAMS
