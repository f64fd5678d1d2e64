#include "double_column_avx512.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "target.hpp"

#ifdef BP_SIMD_X86
#include "avx512_comp_add.hpp"
#include "avx512_intrinsics.hpp"
#include "line_start.hpp"
#include "rows_ahead.hpp"

namespace bp {
namespace simd {
namespace {

#define BP_AVX512 __attribute__((target("avx512f")))

// One loop for both passes, Gap chosen at compile time:
// - Gap: the pass over the whole matrix also keeps each column's gap around
//   its threshold (the largest entry below it, the smallest at or above it),
//   and asks for each of the eight rows a visit reads kRowsAheadBytes ahead
//   (rows_ahead.hpp): each row is its own stream, 64 bytes a visit, and the
//   hardware prefetcher alone left the pass at about 1.4 times a plain read
//   of the same blocks (docs/exact-stream.md, round twenty-three).
// - Without: the sample's passes never use the gap, whose min and max cost a
//   fifth more instructions an entry; the prefetch measured 0.99-1.06 there
//   (round twenty-five), so it goes without.
// A prefetch changes no value: both instances give the AVX2 loops' bits.
// The pointers go one by one, not in a struct: held in a struct, GCC 12
// reloaded two of them from the stack inside the row loop (the gap pass 1-2 %
// slower, paired); one by one, its code is the two former files' loops.
//
// Why the same bits as the AVX2 loops (column_stats_at and
// column_stats_gap_at, loops-inl.hpp): where they add a masked value (a count
// of 0, a kept entry of +0) or take the max with +0 and the min with +inf,
// this one leaves the lane as it is under a mask; the counts, sums and gaps
// are >= +0, so x + 0, max(x, +0) and min(x, +inf) are x (for finite entries:
// the API refuses NaN and infinities, which would make the two loops' gaps
// differ). The rows go in blocks of eight (plain sums, then one compensated
// add, comp_add's operations) and then one at a time, as there. The last
// columns (fewer than eight) take the same lanes under a mask of loads and
// stores, and so do the lead columns before the first line boundary
// (line_start.hpp), which change only which columns share a vector.
template <bool Gap, std::size_t Rows>
BP_AVX512 inline void pass_at(const double* r, std::size_t stride, std::size_t j, __mmask8 m, __m512d scale,
                              const double* mu, double* k, double* s, double* c, const double* lo, double* cnt,
                              double* lb, double* ub) {
  const __m512d u = _mm512_maskz_loadu_pd(m, mu + j), l = _mm512_maskz_loadu_pd(m, lo + j);
  const __m512d one = _mm512_set1_pd(1.0);
  __m512d kk = _mm512_setzero_pd(), ss = _mm512_setzero_pd(), nn = _mm512_setzero_pd();
  __m512d below = _mm512_setzero_pd(), above = _mm512_setzero_pd();
  if constexpr (Gap) {
    below = _mm512_maskz_loadu_pd(m, lb + j);
    above = _mm512_maskz_loadu_pd(m, ub + j);
  }
  const double* p = r + j;
  for (std::size_t q = 0; q < Rows; ++q, p += stride) {
    if constexpr (Gap) _mm_prefetch(reinterpret_cast<const char*>(p) + kRowsAheadBytes, _MM_HINT_T0);
    const __m512d a = _mm512_mul_pd(_mm512_abs_pd(_mm512_maskz_loadu_pd(m, p)), scale);
    const __mmask8 on = _mm512_cmp_pd_mask(a, u, _CMP_GE_OQ);
    kk = _mm512_mask_add_pd(kk, on, kk, one);
    ss = _mm512_mask_add_pd(ss, on, ss, a);
    nn = _mm512_mask_add_pd(nn, _mm512_cmp_pd_mask(a, l, _CMP_GE_OQ), nn, one);
    if constexpr (Gap) {
      below = _mm512_mask_max_pd(below, static_cast<__mmask8>(~on), below, a);
      above = _mm512_mask_min_pd(above, on, above, a);
    }
  }
  _mm512_mask_storeu_pd(k + j, m, _mm512_add_pd(_mm512_maskz_loadu_pd(m, k + j), kk));
  _mm512_mask_storeu_pd(cnt + j, m, _mm512_add_pd(_mm512_maskz_loadu_pd(m, cnt + j), nn));
  if constexpr (Gap) {
    _mm512_mask_storeu_pd(lb + j, m, below);
    _mm512_mask_storeu_pd(ub + j, m, above);
  }
  comp_add8(s + j, c + j, ss, m);
}

// lead columns (line_start.hpp) go first under a mask, so that the full
// vectors after them load whole lines.
template <bool Gap, std::size_t Rows>
BP_AVX512 inline void pass_row_block(const double* r, std::size_t stride, std::size_t c0, std::size_t c1,
                                     std::size_t lead, __m512d scale, const double* mu, double* k, double* s, double* c,
                                     const double* lo, double* cnt, double* lb, double* ub) {
  std::size_t j = c0;
  if (lead != 0) {
    pass_at<Gap, Rows>(r, stride, j, static_cast<__mmask8>((1u << lead) - 1u), scale, mu, k, s, c, lo, cnt, lb, ub);
    j += lead;
  }
  for (; j + 8 <= c1; j += 8) pass_at<Gap, Rows>(r, stride, j, 0xff, scale, mu, k, s, c, lo, cnt, lb, ub);
  if (j < c1) {
    const __mmask8 m = static_cast<__mmask8>((1u << (c1 - j)) - 1u);
    pass_at<Gap, Rows>(r, stride, j, m, scale, mu, k, s, c, lo, cnt, lb, ub);
  }
}

template <bool Gap>
BP_AVX512 void column_pass(const double* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                           double scale, const double* mu, double* k, double* s, double* c, const double* lo,
                           double* cnt, double* lb, double* ub) {
  for (std::size_t j = c0; j < c1; ++j) {
    k[j] = s[j] = c[j] = cnt[j] = 0.0;
    if constexpr (Gap) {
      lb[j] = 0.0;
      ub[j] = std::numeric_limits<double>::infinity();
    }
  }
  const __m512d sc = _mm512_set1_pd(scale);
  const std::size_t lead = std::min(lead_columns(y + c0, stride), c1 - c0);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8)
    pass_row_block<Gap, 8>(y + i * stride, stride, c0, c1, lead, sc, mu, k, s, c, lo, cnt, lb, ub);
  for (; i < n; ++i) pass_row_block<Gap, 1>(y + i * stride, stride, c0, c1, lead, sc, mu, k, s, c, lo, cnt, lb, ub);
  for (std::size_t j = c0; j < c1; ++j) s[j] += c[j];
}

BP_AVX512 void column_stats(const double* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                            double scale, const double* mu, double* k, double* s, double* c, const double* lo,
                            double* cnt) {
  column_pass<false>(y, n, stride, c0, c1, scale, mu, k, s, c, lo, cnt, nullptr, nullptr);
}

BP_AVX512 void column_stats_gap(const double* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                                double scale, const double* mu, double* k, double* s, double* c, const double* lo,
                                double* cnt, double* lb, double* ub) {
  column_pass<true>(y, n, stride, c0, c1, scale, mu, k, s, c, lo, cnt, lb, ub);
}

#undef BP_AVX512

}  // namespace

void take_avx512_double_columns(KernelTable& t) {
  if (!__builtin_cpu_supports("avx512f")) return;
  t.column_stats_gap_f64 = &column_stats_gap;
  t.column_stats_f64 = &column_stats;
}

}  // namespace simd
}  // namespace bp

#else

namespace bp {
namespace simd {
void take_avx512_double_columns(KernelTable&) {}
}  // namespace simd
}  // namespace bp

#endif
