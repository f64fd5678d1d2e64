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
  return v < -c ? -c : (v > c ? c : v);
}

inline double shrink_scalar(double a, double t) { return a > t ? a - t : (a < -t ? a + t : 0.0); }

BP_AVX2 inline __m256d clamp(__m256d v, __m256d c) {
  return _mm256_min_pd(_mm256_max_pd(v, _mm256_xor_pd(c, _mm256_set1_pd(-0.0))), c);
}
BP_AVX2 inline __m256 clamp(__m256 v, __m256 c) {
  return _mm256_min_ps(_mm256_max_ps(v, _mm256_xor_ps(c, _mm256_set1_ps(-0.0f))), c);
}

template <bool Each>
BP_AVX2 void clamp_d(const double* src, const double* c, double one, double* dst, std::size_t n) {
  std::size_t k = 0;
  for (; k < n && unaligned32(dst + k); ++k) dst[k] = clamp_scalar(src[k], Each ? c[k] : one);
  const __m256d c1 = _mm256_set1_pd(one);
  for (; k + 4 <= n; k += 4) {
    prefetch_line(src, k);
    _mm256_stream_pd(dst + k, clamp(_mm256_loadu_pd(src + k), Each ? _mm256_loadu_pd(c + k) : c1));
  }
  for (; k < n; ++k) dst[k] = clamp_scalar(src[k], Each ? c[k] : one);
}

template <bool Each>
BP_AVX2 void clamp_f(const float* src, const float* c, float one, float* dst, std::size_t n) {
  std::size_t k = 0;
  for (; k < n && unaligned32(dst + k); ++k) dst[k] = clamp_scalar(src[k], Each ? c[k] : one);
  const __m256 c1 = _mm256_set1_ps(one);
  for (; k + 8 <= n; k += 8) {
    prefetch_line(src, k);
    _mm256_stream_ps(dst + k, clamp(_mm256_loadu_ps(src + k), Each ? _mm256_loadu_ps(c + k) : c1));
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

void clamp_each(const double* src, const double* c, double* dst, std::size_t n) { clamp_d<true>(src, c, 0.0, dst, n); }
void clamp_one(const double* src, double c, double* dst, std::size_t n) { clamp_d<false>(src, nullptr, c, dst, n); }
void clamp_each(const float* src, const float* c, float* dst, std::size_t n) { clamp_f<true>(src, c, 0.0f, dst, n); }
void clamp_one(const float* src, float c, float* dst, std::size_t n) { clamp_f<false>(src, nullptr, c, dst, n); }
void shrink_each(const double* src, const double* t, double* dst, std::size_t n) { shrink_d<true>(src, t, 0.0, dst, n); }
void shrink_one(const double* src, double t, double* dst, std::size_t n) { shrink_d<false>(src, nullptr, t, dst, n); }
void zero(double* dst, std::size_t n) { zero_t(dst, n); }
void zero(float* dst, std::size_t n) { zero_t(dst, n); }

}  // namespace avx2
}  // namespace bp

#endif  // BP_HAVE_AVX2_STREAMS
