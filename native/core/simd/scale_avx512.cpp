#include "scale_avx512.hpp"

#include <cstddef>
#include <cstdint>

#include "../numeric.hpp"
#include "target.hpp"

#ifdef BP_SIMD_X86
// GCC 12's AVX-512 headers trip its own maybe-uninitialized warning (their
// "undefined" vectors); nothing of this file's is uninitialised.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

namespace bp {
namespace simd {
namespace {

// dst = narrow_toward_zero(double(src) * s), s per entry (Each) or one;
// streamed when Stream. The same bytes as ScaleMap::apply for every input:
// the product is rounded to nearest in double, then narrowed toward zero by
// the instruction itself (NaN, infinities and subnormal results included).
// Returns whether every src entry was finite (x - x is NaN exactly when x
// is not).
template <bool Each, bool Stream>
__attribute__((target("avx512f"))) bool scale_f32(const float* src, const double* s, double one, float* dst,
                                                  std::size_t n) {
  bool finite_ends = true;
  std::size_t k = 0;
  auto scalar_at = [&](std::size_t i) {
    finite_ends &= src[i] - src[i] == 0.0f;
    dst[i] = narrow_toward_zero<float>(static_cast<double>(src[i]) * (Each ? s[i] : one));
  };
  if (Stream)
    for (; k < n && reinterpret_cast<std::uintptr_t>(dst + k) % 64 != 0; ++k) scalar_at(k);
  __mmask16 bad = 0;
  const __m512d s1 = _mm512_set1_pd(one);
  for (; k + 16 <= n; k += 16) {
    // A software prefetch a few pages ahead, as the other streamed loops do.
    if (Stream) _mm_prefetch(reinterpret_cast<const char*>(src + k) + 4096, _MM_HINT_T0);
    const __m512 y = _mm512_loadu_ps(src + k);
    const __m512 d = _mm512_sub_ps(y, y);
    bad = static_cast<__mmask16>(bad | _mm512_cmp_ps_mask(d, d, _CMP_UNORD_Q));
    const __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(y));
    const __m512d hi = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(y), 1)));
    const __m512d plo = _mm512_mul_pd(lo, Each ? _mm512_loadu_pd(s + k) : s1);
    const __m512d phi = _mm512_mul_pd(hi, Each ? _mm512_loadu_pd(s + k + 8) : s1);
    const __m256 flo = _mm512_cvt_roundpd_ps(plo, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __m256 fhi = _mm512_cvt_roundpd_ps(phi, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __m512 f =
        _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_castps_pd(flo)), _mm256_castps_pd(fhi), 1));
    if (Stream)
      _mm512_stream_ps(dst + k, f);
    else
      _mm512_storeu_ps(dst + k, f);
  }
  for (; k < n; ++k) scalar_at(k);
  return finite_ends && bad == 0;
}

// The same for kWriteRows rows (row r at src + r * stride, dst + r * stride),
// streamed, s per column: each load of s serves every row (for a wide
// matrix, a row's factors are twice the bytes of the row itself). Rows whose
// destinations do not share the 64-byte alignment go one by one.
__attribute__((target("avx512f"))) bool scale_rows_f32(const float* src, std::size_t stride, const double* s,
                                                       float* dst, std::size_t n) {
  constexpr std::size_t R = kWriteRows;
  if ((stride * sizeof(float)) % 64 != 0) {
    bool ok = true;
    for (std::size_t r = 0; r < R; ++r) ok &= scale_f32<true, true>(src + r * stride, s, 0.0, dst + r * stride, n);
    return ok;
  }
  bool finite_ends = true;
  auto scalar_at = [&](std::size_t i) {
    for (std::size_t r = 0; r < R; ++r) {
      const float x = src[r * stride + i];
      finite_ends &= x - x == 0.0f;
      dst[r * stride + i] = narrow_toward_zero<float>(static_cast<double>(x) * s[i]);
    }
  };
  std::size_t k = 0;
  for (; k < n && reinterpret_cast<std::uintptr_t>(dst + k) % 64 != 0; ++k) scalar_at(k);
  __mmask16 bad = 0;
  for (; k + 16 <= n; k += 16) {
    const __m512d slo = _mm512_loadu_pd(s + k), shi = _mm512_loadu_pd(s + k + 8);
    for (std::size_t r = 0; r < R; ++r) {
      const float* p = src + r * stride + k;
      _mm_prefetch(reinterpret_cast<const char*>(p) + 4096, _MM_HINT_T0);
      const __m512 y = _mm512_loadu_ps(p);
      const __m512 d = _mm512_sub_ps(y, y);
      bad = static_cast<__mmask16>(bad | _mm512_cmp_ps_mask(d, d, _CMP_UNORD_Q));
      const __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(y));
      const __m512d hi = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(y), 1)));
      const __m256 flo = _mm512_cvt_roundpd_ps(_mm512_mul_pd(lo, slo), _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
      const __m256 fhi = _mm512_cvt_roundpd_ps(_mm512_mul_pd(hi, shi), _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
      _mm512_stream_ps(dst + r * stride + k,
                       _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_castps_pd(flo)),
                                                           _mm256_castps_pd(fhi), 1)));
    }
  }
  for (; k < n; ++k) scalar_at(k);
  return finite_ends && bad == 0;
}

}  // namespace

void take_avx512_float_scale(KernelTable& t) {
  if (!__builtin_cpu_supports("avx512f")) return;
  t.scale_f32[0][0] = &scale_f32<false, false>;
  t.scale_f32[0][1] = &scale_f32<false, true>;
  t.scale_f32[1][0] = &scale_f32<true, false>;
  t.scale_f32[1][1] = &scale_f32<true, true>;
  t.scale_rows_f32 = &scale_rows_f32;
}

}  // namespace simd
}  // namespace bp

#else

namespace bp {
namespace simd {
void take_avx512_float_scale(KernelTable&) {}
}  // namespace simd
}  // namespace bp

#endif
