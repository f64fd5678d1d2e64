#include "shrink_avx512.hpp"

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

// Eight lanes in double: d = max(|y| - t, 0) with y's sign where d > 0. This
// is shrink_entry's double before the narrowing, bit for bit: |y| - t > 0
// exactly when |y| > t (a difference of doubles is zero only for equal
// operands), -(|y| - t) is y + t for y < 0, and a NaN difference (y NaN, or
// y and t both infinite) gives the +0 that shrink_entry's failed comparisons
// give, since max returns its second operand when the first is NaN.
// (The bitwise steps run on the integer view: the double ones need AVX-512DQ.)
__attribute__((target("avx512f"))) inline __m512d signed_excess(__m512d y, __m512d t) {
  const __m512i sign = _mm512_set1_epi64(static_cast<long long>(0x8000000000000000ull));
  const __m512i yi = _mm512_castpd_si512(y);
  const __m512d a = _mm512_castsi512_pd(_mm512_andnot_si512(sign, yi));
  const __m512d d = _mm512_max_pd(_mm512_sub_pd(a, t), _mm512_setzero_pd());
  const __mmask8 pos = _mm512_cmp_pd_mask(d, _mm512_setzero_pd(), _CMP_GT_OQ);
  const __m512i di = _mm512_castpd_si512(d);
  return _mm512_castsi512_pd(_mm512_mask_or_epi64(di, pos, di, _mm512_and_si512(sign, yi)));
}

// 16 floats: widened, shrunk in double, narrowed toward zero by the
// instruction itself (subnormal results, signed zeros and infinities
// included), which is narrow_toward_zero.
__attribute__((target("avx512f"))) inline __m512 shrink16(__m512 y, __m512d tlo, __m512d thi) {
  const __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(y));
  const __m512d hi = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(y), 1)));
  const __m256 flo = _mm512_cvt_roundpd_ps(signed_excess(lo, tlo), _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m256 fhi = _mm512_cvt_roundpd_ps(signed_excess(hi, thi), _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  return _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_castps_pd(flo)), _mm256_castps_pd(fhi), 1));
}

// True when no entry of p[0, n) is NaN or infinite (x - x is +0 exactly for
// a finite x), 16 at a time.
__attribute__((target("avx512f"))) bool all_finite_f32(const float* p, std::size_t n) {
  __mmask16 bad = 0;
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 x = _mm512_loadu_ps(p + i);
    bad |= _mm512_cmp_ps_mask(_mm512_sub_ps(x, x), _mm512_setzero_ps(), _CMP_NEQ_UQ);
  }
  bool ok = bad == 0;
  for (; i < n; ++i) ok &= p[i] - p[i] == 0.0f;
  return ok;
}

// dst = shrink_entry(src, t), t per entry (Each) or one; streamed when Stream.
template <bool Each, bool Stream>
__attribute__((target("avx512f"))) void shrink_f32(const float* src, const double* t, double one, float* dst,
                                                   std::size_t n) {
  std::size_t k = 0;
  if (Stream)
    for (; k < n && reinterpret_cast<std::uintptr_t>(dst + k) % 64 != 0; ++k)
      dst[k] = shrink_entry(src[k], Each ? t[k] : one);
  const __m512d t1 = _mm512_set1_pd(one);
  for (; k + 16 <= n; k += 16) {
    // A software prefetch a few pages ahead, as the other streamed loops do.
    if (Stream) _mm_prefetch(reinterpret_cast<const char*>(src + k) + 4096, _MM_HINT_T0);
    const __m512 f =
        shrink16(_mm512_loadu_ps(src + k), Each ? _mm512_loadu_pd(t + k) : t1, Each ? _mm512_loadu_pd(t + k + 8) : t1);
    if (Stream)
      _mm512_stream_ps(dst + k, f);
    else
      _mm512_storeu_ps(dst + k, f);
  }
  for (; k < n; ++k) dst[k] = shrink_entry(src[k], Each ? t[k] : one);
}

// The same for kWriteRows rows (row r at src + r * stride, dst + r * stride),
// streamed, t per column: each load of t serves every row (a row's
// thresholds are twice the bytes of the row itself, and they were a third
// of the float write's traffic). Returns whether every src entry was finite,
// as the other row-block writes do (x - x is NaN exactly when x is not).
// Rows whose destinations do not share the 64-byte alignment go one by one.
__attribute__((target("avx512f"))) bool shrink_rows_f32(const float* src, std::size_t stride, const double* t,
                                                        float* dst, std::size_t n) {
  constexpr std::size_t R = kWriteRows;
  __mmask16 bad = 0;
  bool finite_ends = true;
  if ((stride * sizeof(float)) % 64 != 0) {
    for (std::size_t r = 0; r < R; ++r) {
      // The check reads the row into the cache the shrink then reads it from.
      finite_ends &= all_finite_f32(src + r * stride, n);
      shrink_f32<true, true>(src + r * stride, t, 0.0, dst + r * stride, n);
    }
    return finite_ends;
  }
  auto scalar_at = [&](std::size_t i) {
    for (std::size_t r = 0; r < R; ++r) {
      const float x = src[r * stride + i];
      finite_ends &= x - x == 0.0f;
      dst[r * stride + i] = shrink_entry(x, t[i]);
    }
  };
  std::size_t k = 0;
  for (; k < n && reinterpret_cast<std::uintptr_t>(dst + k) % 64 != 0; ++k) scalar_at(k);
  for (; k + 16 <= n; k += 16) {
    const __m512d tlo = _mm512_loadu_pd(t + k), thi = _mm512_loadu_pd(t + k + 8);
    for (std::size_t r = 0; r < R; ++r) {
      const float* p = src + r * stride + k;
      _mm_prefetch(reinterpret_cast<const char*>(p) + 4096, _MM_HINT_T0);
      const __m512 y = _mm512_loadu_ps(p);
      const __m512 d = _mm512_sub_ps(y, y);
      bad = static_cast<__mmask16>(bad | _mm512_cmp_ps_mask(d, d, _CMP_UNORD_Q));
      _mm512_stream_ps(dst + r * stride + k, shrink16(y, tlo, thi));
    }
  }
  for (; k < n; ++k) scalar_at(k);
  return finite_ends && bad == 0;
}

}  // namespace

void take_avx512_float_shrink(KernelTable& t) {
  if (!__builtin_cpu_supports("avx512f")) return;
  t.shrink_f32[0][0] = &shrink_f32<false, false>;
  t.shrink_f32[0][1] = &shrink_f32<false, true>;
  t.shrink_f32[1][0] = &shrink_f32<true, false>;
  t.shrink_f32[1][1] = &shrink_f32<true, true>;
  t.shrink_rows_f32 = &shrink_rows_f32;
}

}  // namespace simd
}  // namespace bp

#else

namespace bp {
namespace simd {
void take_avx512_float_shrink(KernelTable&) {}
}  // namespace simd
}  // namespace bp

#endif
