#include "band_avx512.hpp"

#include <cstddef>
#include <cstdint>

#include "band_blocks.hpp"
#include "target.hpp"

#ifdef BP_SIMD_X86
#include "avx512_comp_add.hpp"
#include "avx512_intrinsics.hpp"
#include "avx512_widen.hpp"

namespace bp {
namespace simd {
namespace {

#define BP_AVX512 __attribute__((target("avx512f,popcnt")))

// Asked for band::kAheadBytes ahead in each row, as the AVX2 loop does
// (band_blocks.hpp).
using band::kAheadBytes;

// Rows [0, rows) of columns j..j+7: the count, the block's plain sum of the
// entries at or above the upper level (a masked add: the other lanes keep
// their bits, as the AVX2 loop's add of +0 does) and the kept lanes packed to
// the front and stored whole at slot w (the room holds every entry of the
// block, so the whole vector fits); at the block's end the plain sum goes
// into the compensated one (comp_add8, avx512_comp_add.hpp).
template <class T>
BP_AVX512 std::size_t band_block8(const T* y, std::size_t rows, std::size_t stride, std::size_t j, __m512d scale,
                                  const double* bound, const double* upper, double* k, double* s, double* c,
                                  std::uint32_t* col, double* val, std::size_t w) {
  const __m512d lo = _mm512_loadu_pd(bound + j), up = _mm512_loadu_pd(upper + j), one = _mm512_set1_pd(1.0);
  __m512d kk = _mm512_loadu_pd(k + j), p = _mm512_setzero_pd();
  const __m512i lanes = _mm512_add_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                         _mm512_set1_epi32(static_cast<int>(j)));
  for (std::size_t i = 0; i < rows; ++i) {
    const T* r = y + i * stride + j;
    _mm_prefetch(reinterpret_cast<const char*>(r) + kAheadBytes, _MM_HINT_T0);
    const __m512d a = _mm512_mul_pd(_mm512_abs_pd(load8(r)), scale);
    const __mmask8 above = _mm512_cmp_pd_mask(a, up, _CMP_GE_OQ);
    kk = _mm512_mask_add_pd(kk, above, kk, one);
    p = _mm512_mask_add_pd(p, above, p, a);
    const __mmask8 keep = _mm512_mask_cmp_pd_mask(static_cast<__mmask8>(~above), a, lo, _CMP_GE_OQ);
    _mm512_storeu_pd(val + w, _mm512_maskz_compress_pd(keep, a));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(col + w),
                        _mm512_castsi512_si256(_mm512_maskz_compress_epi32(keep, lanes)));
    w += static_cast<std::size_t>(_mm_popcnt_u32(keep));
  }
  comp_add8(s + j, c + j, p, 0xFF);
  _mm512_storeu_pd(k + j, kk);
  return w;
}

template <class T>
BP_AVX512 std::size_t band_avx512(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                                  double scale, const double* bound, const double* upper, double* k, double* s,
                                  double* c, std::uint32_t* col, double* val, std::size_t cap, std::size_t* count) {
  const __m512d sc = _mm512_set1_pd(scale);
  const std::size_t width = c1 - c0, end8 = c0 + width / 8 * 8;
  std::size_t w = *count, i = 0;
  while (i < n && w + width <= cap) {
    const std::size_t rows = band::band_rows(i, n, width, w, cap);
    const T* yb = y + i * stride;
    std::size_t j = c0;
    for (; j < end8; j += 8) w = band_block8(yb, rows, stride, j, sc, bound, upper, k, s, c, col, val, w);
    for (; j < c1; ++j) w = band::band_column(yb, rows, stride, j, scale, bound, upper, k, s, c, col, val, w);
    i += rows;
  }
  *count = w;
  return i;
}

#undef BP_AVX512

}  // namespace

void take_avx512_band(KernelTable& t) {
  if (!__builtin_cpu_supports("avx512f")) return;
  t.band_records_f64 = &band_avx512<double>;
  t.band_records_f32 = &band_avx512<float>;
}

}  // namespace simd
}  // namespace bp

#else

namespace bp {
namespace simd {
void take_avx512_band(KernelTable&) {}
}  // namespace simd
}  // namespace bp

#endif
