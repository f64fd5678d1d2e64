#include "shrink_avx512.hpp"

#include <cstddef>
#include <cstdint>

#include "../numeric.hpp"
#include "target.hpp"

#ifdef BP_SIMD_X86
#include "float_map_avx512-inl.hpp"

namespace bp {
namespace simd {
namespace {

// The soft threshold for float_map_avx512-inl.hpp. lanes: eight lanes in
// double, d = max(|y| - t, 0) with y's sign where d > 0. This is
// shrink_entry's double before the narrowing, bit for bit: |y| - t > 0
// exactly when |y| > t (a difference of doubles is zero only for equal
// operands), -(|y| - t) is y + t for y < 0, and a NaN difference (y NaN, or
// y and t both infinite) gives the +0 that shrink_entry's failed comparisons
// give, since max returns its second operand when the first is NaN. The
// narrowing toward zero then gives subnormal results, signed zeros and
// infinities as narrow_toward_zero does. (The bitwise steps run on the
// integer view: the double ones need AVX-512DQ.)
struct Shrink {
  __attribute__((target("avx512f"))) static __m512d lanes(__m512d y, __m512d t) {
    const __m512i sign = _mm512_set1_epi64(static_cast<long long>(0x8000000000000000ull));
    const __m512i yi = _mm512_castpd_si512(y);
    const __m512d a = _mm512_castsi512_pd(_mm512_andnot_si512(sign, yi));
    const __m512d d = _mm512_max_pd(_mm512_sub_pd(a, t), _mm512_setzero_pd());
    const __mmask8 pos = _mm512_cmp_pd_mask(d, _mm512_setzero_pd(), _CMP_GT_OQ);
    const __m512i di = _mm512_castpd_si512(d);
    return _mm512_castsi512_pd(_mm512_mask_or_epi64(di, pos, di, _mm512_and_si512(sign, yi)));
  }
  static float one(float y, double t) { return shrink_entry(y, t); }
};

// The table's one-row shrink reports nothing (the soft threshold is never
// a checked write); the finiteness the skeleton computes is dropped.
template <bool Each, bool Stream>
__attribute__((target("avx512f"))) void shrink_f32(const float* src, const double* t, double one, float* dst,
                                                   std::size_t n) {
  (void)map_f32<Shrink, Each, Stream>(src, t, one, dst, n);
}

// The double soft threshold (loops-inl.hpp, shrink for double: the lanes
// above, which are shrink_entry for a double, no narrowing), one line of 8
// doubles a step: with Stream, each non-temporal store writes a whole line
// at once (the AVX2 loop's two half-line stores left the write waiting on
// its write-combining; perf put the double write's samples on those
// stores). dst is aligned to a line first, entry by entry.
template <bool Each, bool Stream>
__attribute__((target("avx512f"))) void shrink_f64(const double* src, const double* t, double one, double* dst,
                                                   std::size_t n) {
  constexpr std::size_t W = 8;
  std::size_t k = 0;
  if (Stream)
    for (; k < n && reinterpret_cast<std::uintptr_t>(dst + k) % 64 != 0; ++k)
      dst[k] = shrink_entry(src[k], Each ? t[k] : one);
  const __m512d t1 = _mm512_set1_pd(one);
  for (; k + W <= n; k += W) {
    if (Stream) _mm_prefetch(reinterpret_cast<const char*>(src + k) + 4096, _MM_HINT_T0);
    const __m512d r = Shrink::lanes(_mm512_loadu_pd(src + k), Each ? _mm512_loadu_pd(t + k) : t1);
    if (Stream)
      _mm512_stream_pd(dst + k, r);
    else
      _mm512_storeu_pd(dst + k, r);
  }
  for (; k < n; ++k) dst[k] = shrink_entry(src[k], Each ? t[k] : one);
}

}  // namespace

void take_avx512_shrink(KernelTable& t) {
  if (!__builtin_cpu_supports("avx512f")) return;
  t.shrink_f32[0][0] = &shrink_f32<false, false>;
  t.shrink_f32[0][1] = &shrink_f32<false, true>;
  t.shrink_f32[1][0] = &shrink_f32<true, false>;
  t.shrink_f32[1][1] = &shrink_f32<true, true>;
  t.shrink_rows_f32 = &map_rows_f32<Shrink>;
  t.shrink_f64[0][0] = &shrink_f64<false, false>;
  t.shrink_f64[0][1] = &shrink_f64<false, true>;
  t.shrink_f64[1][0] = &shrink_f64<true, false>;
  t.shrink_f64[1][1] = &shrink_f64<true, true>;
}

}  // namespace simd
}  // namespace bp

#else

namespace bp {
namespace simd {
void take_avx512_shrink(KernelTable&) {}
}  // namespace simd
}  // namespace bp

#endif
