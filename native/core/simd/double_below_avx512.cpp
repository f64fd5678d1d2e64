#include "double_below_avx512.hpp"

#include <cstddef>
#include <cstdint>

#include "target.hpp"

#ifdef BP_SIMD_X86
#include "avx512_comp_add.hpp"
#include "avx512_intrinsics.hpp"

namespace bp {
namespace simd {
namespace {

#define BP_AVX512 __attribute__((target("avx512f,popcnt")))

// Why the same results as the AVX2 loop (column_below_at and
// sweep_column_rows, loops-inl.hpp): the counts and sums are its operations
// lane by lane (a masked add where it adds 0: x + 0 is x for the sums' x >=
// +0), plain over the rows, then one compensated add (comp_add's
// operations). The list: the AVX2 loop walks a block of rows four columns at
// a time (row by row, those four columns in order), then each of the last
// (fewer than four) columns down the block's rows. This loop takes eight
// columns a vector but appends in that order: per row the low four lanes'
// entries below the bound, then per row the high four's; for the last
// columns, lane by lane down the rows. Each append packs the row's kept lanes
// in registers and stores the eight lanes whole (the slot moves by the
// popcount), which needs eight free slots; with fewer left, entry by entry,
// as the AVX2 loop does (it counts every entry in *held and stores only
// while there is room).
struct List {
  std::size_t cap;
  std::uint32_t* col;
  double* val;
  std::size_t* held;
};

BP_AVX512 inline void append(const List& l, __mmask8 keep, __m512d a, __m512i cols) {
  if (keep == 0) return;
  std::size_t h = *l.held;
  const std::size_t cnt = static_cast<std::size_t>(_mm_popcnt_u32(keep));
  if (h + 8 <= l.cap) {
    _mm512_storeu_pd(l.val + h, _mm512_maskz_compress_pd(keep, a));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(l.col + h),
                        _mm512_castsi512_si256(_mm512_maskz_compress_epi32(keep, cols)));
  } else {
    alignas(64) double v[8];
    alignas(64) std::uint32_t c[16];
    _mm512_store_pd(v, a);
    _mm512_store_si512(c, cols);
    for (unsigned t = 0; t < 8; ++t) {
      if (!((keep >> t) & 1u)) continue;
      if (h < l.cap) {
        l.col[h] = c[t];
        l.val[h] = v[t];
      }
      ++h;
    }
    *l.held = h;
    return;
  }
  *l.held = h + cnt;
}

// Rows rows of columns j..j+7 (lanes under m). Four-lane groups (quads) for
// the lanes the AVX2 loop takes as vectors, single lanes for its last
// columns: `quads` lanes (0, 4 or 8) come first, the rest of m are single.
template <std::size_t Rows>
BP_AVX512 inline void below_at(const double* r, std::size_t stride, std::size_t j, __mmask8 m, unsigned quads,
                               __m512d scale, const double* hi, double* k, double* s, double* c, const List& l) {
  const __m512d u = _mm512_maskz_loadu_pd(m, hi + j), one = _mm512_set1_pd(1.0);
  __m512d kk = _mm512_setzero_pd(), ss = _mm512_setzero_pd();
  __m512d a[Rows];
  __mmask8 off[Rows];
  __mmask8 any = 0;
  const double* p = r + j;
  for (std::size_t q = 0; q < Rows; ++q, p += stride) {
    a[q] = _mm512_mul_pd(_mm512_abs_pd(_mm512_maskz_loadu_pd(m, p)), scale);
    const __mmask8 on = _mm512_mask_cmp_pd_mask(m, a[q], u, _CMP_GE_OQ);
    kk = _mm512_mask_add_pd(kk, on, kk, one);
    ss = _mm512_mask_add_pd(ss, on, ss, a[q]);
    off[q] = _mm512_mask_cmp_pd_mask(m, u, a[q], _CMP_GT_OQ);
    any = static_cast<__mmask8>(any | off[q]);
  }
  if (any != 0) {
    const __m512i cols = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(j)),
                                          _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 0));
    for (unsigned g = 0; g < quads; g += 4) {
      const __mmask8 gm = static_cast<__mmask8>(0xfu << g);
      if ((any & gm) == 0) continue;
      for (std::size_t q = 0; q < Rows; ++q) append(l, static_cast<__mmask8>(off[q] & gm), a[q], cols);
    }
    for (unsigned t = quads; t < 8; ++t) {
      const __mmask8 gm = static_cast<__mmask8>(1u << t);
      if ((any & gm) == 0) continue;
      for (std::size_t q = 0; q < Rows; ++q) append(l, static_cast<__mmask8>(off[q] & gm), a[q], cols);
    }
  }
  _mm512_mask_storeu_pd(k + j, m, _mm512_add_pd(_mm512_maskz_loadu_pd(m, k + j), kk));
  comp_add8(s + j, c + j, ss, m);
}

// One block of rows across columns [c0, c1): eight columns a vector over the
// AVX2 loop's four-column part (c0 + (c1 - c0) / 4 * 4), then what is left of
// it (four columns) with its last columns (fewer than four, single lanes).
template <std::size_t Rows>
BP_AVX512 inline void below_rows(const double* r, std::size_t stride, std::size_t c0, std::size_t c1, __m512d scale,
                                 const double* hi, double* k, double* s, double* c, const List& l) {
  const std::size_t c4 = c0 + (c1 - c0) / 4 * 4;
  std::size_t j = c0;
  for (; j + 8 <= c4; j += 8) below_at<Rows>(r, stride, j, 0xff, 8, scale, hi, k, s, c, l);
  if (j < c1) {
    const __mmask8 m = static_cast<__mmask8>((1u << (c1 - j)) - 1u);
    below_at<Rows>(r, stride, j, m, static_cast<unsigned>(c4 - j), scale, hi, k, s, c, l);
  }
}

BP_AVX512 void column_stats_below(const double* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                                  double scale, const double* hi, double* k, double* s, double* c, std::size_t cap,
                                  std::uint32_t* col, double* val, std::size_t* held) {
  for (std::size_t j = c0; j < c1; ++j) k[j] = s[j] = c[j] = 0.0;
  const List l{cap, col, val, held};
  const __m512d sc = _mm512_set1_pd(scale);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) below_rows<8>(y + i * stride, stride, c0, c1, sc, hi, k, s, c, l);
  for (; i < n; ++i) below_rows<1>(y + i * stride, stride, c0, c1, sc, hi, k, s, c, l);
  for (std::size_t j = c0; j < c1; ++j) s[j] += c[j];
}

#undef BP_AVX512

}  // namespace

void take_avx512_double_below(KernelTable& t) {
  if (!__builtin_cpu_supports("avx512f")) return;
  t.column_stats_below_f64 = &column_stats_below;
}

}  // namespace simd
}  // namespace bp

#else

namespace bp {
namespace simd {
void take_avx512_double_below(KernelTable&) {}
}  // namespace simd
}  // namespace bp

#endif
