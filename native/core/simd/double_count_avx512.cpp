#include "double_count_avx512.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "../scratch.hpp"
#include "low_lists.hpp"
#include "target.hpp"

#ifdef BP_SIMD_X86
#include "avx512_intrinsics.hpp"
#include "line_start.hpp"
#include "rows_ahead.hpp"

namespace bp {
namespace simd {
namespace {

#define BP_AVX512 __attribute__((target("avx512f")))

// Entries below their column's list bound wait here, with their column,
// in row order per column, and go to the lists when the room fills or the
// read ends (low_flush): the vector loop only compresses them out (no call,
// no branch per column), the lists' upkeep runs in one scalar loop.
struct LowStage {
  static constexpr std::size_t kRoom = 2048;
  double* v;
  std::int64_t* c;
  std::size_t n;
  const LowLists* l;
};

// Each waiting entry goes to its column's list if still below the bound (an
// earlier one may have filled the list and lowered it): add_to_low_list
// (low_lists.hpp), which halves a full list and lowers its bound.
__attribute__((noinline)) void low_flush(LowStage& st) {
  const LowLists& l = *st.l;
  for (std::size_t e = 0; e < st.n; ++e) {
    const std::size_t j = static_cast<std::size_t>(st.c[e]);
    const double v = st.v[e];
    if (v < l.bound[j]) add_to_low_list(l, j, v);
  }
  st.n = 0;
}

// Why the same results as the loop it replaces (column_max_sum<WithCount>,
// loops-inl.hpp, plain code the compiler vectorises, without reassociation):
// per column the maxima are exact; the sum of a block of eight rows is
// |y| * scale added as the same tree ((0 + 1) + (2 + 3)) + ((4 + 5) + (6 +
// 7)), then added to the column's sum, and one row at a time after the last
// block; the count of entries above 0 is an integer either way (here in
// double lanes, exact below 2^53). The last columns (fewer than eight) take
// the same lanes under a mask of loads and stores, and so do the lead
// columns before the first line boundary (line_start.hpp): which columns
// share a vector changes, not any column's operations, and each column's
// entries still reach the stage in row order. With Low the step also
// compares each nonzero with its column's list bound (a compare per entry;
// the lists only add entries, the other results are untouched).
template <std::size_t Rows, bool Low>
BP_AVX512 inline void count_at(const double* r, std::size_t stride, std::size_t j, __mmask8 m, __m512d scale,
                               double* best, double* sum, double* cnt, __mmask8& nan, LowStage* st, std::size_t col0) {
  static_assert(Rows <= kLowStageRows, "a step would store past the stage's slack (low_lists.hpp)");
  __m512d a[Rows];
  const double* p = r + j;
  const __m512d zero = _mm512_setzero_pd(), one = _mm512_set1_pd(1.0);
  __m512d nz = _mm512_maskz_loadu_pd(m, cnt + j);
  __mmask8 below[Rows];
  __mmask8 any = 0;
  __m512d bound = zero;
  if constexpr (Low) bound = _mm512_maskz_loadu_pd(m, st->l->bound + col0 + j);
  for (std::size_t q = 0; q < Rows; ++q) {
    // Each row kRowsAheadBytes ahead, as the column pass (rows_ahead.hpp).
    _mm_prefetch(reinterpret_cast<const char*>(p + q * stride) + kRowsAheadBytes, _MM_HINT_T0);
    a[q] = _mm512_abs_pd(_mm512_maskz_loadu_pd(m, p + q * stride));
    nan = static_cast<__mmask8>(nan | _mm512_cmp_pd_mask(a[q], a[q], _CMP_UNORD_Q));
    const __mmask8 gt = _mm512_cmp_pd_mask(a[q], zero, _CMP_GT_OQ);
    nz = _mm512_mask_add_pd(nz, gt, nz, one);
    if constexpr (Low) {
      below[q] = _mm512_mask_cmp_pd_mask(gt, a[q], bound, _CMP_LT_OQ);
      any = static_cast<__mmask8>(any | below[q]);
    }
  }
  if constexpr (Low) {
    if (any != 0) {
      const __m512i col = _mm512_add_epi64(_mm512_set1_epi64(static_cast<long long>(col0 + j)),
                                           _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0));
      for (std::size_t q = 0; q < Rows; ++q) {
        _mm512_storeu_pd(st->v + st->n, _mm512_maskz_compress_pd(below[q], a[q]));
        _mm512_storeu_si512(st->c + st->n, _mm512_maskz_compress_epi64(below[q], col));
        st->n += static_cast<std::size_t>(__builtin_popcount(below[q]));
      }
      if (st->n > LowStage::kRoom) low_flush(*st);
    }
  }
  __m512d hi = a[0];
  for (std::size_t q = 1; q < Rows; ++q) hi = _mm512_max_pd(hi, a[q]);
  _mm512_mask_storeu_pd(best + j, m, _mm512_max_pd(_mm512_maskz_loadu_pd(m, best + j), hi));
  _mm512_mask_storeu_pd(cnt + j, m, nz);
  __m512d s;
  if constexpr (Rows == 8) {
    __m512d x[8];
    for (std::size_t q = 0; q < 8; ++q) x[q] = _mm512_mul_pd(a[q], scale);
    s = _mm512_add_pd(_mm512_add_pd(_mm512_add_pd(x[0], x[1]), _mm512_add_pd(x[2], x[3])),
                      _mm512_add_pd(_mm512_add_pd(x[4], x[5]), _mm512_add_pd(x[6], x[7])));
  } else {
    s = _mm512_mul_pd(a[0], scale);
  }
  _mm512_mask_storeu_pd(sum + j, m, _mm512_add_pd(_mm512_maskz_loadu_pd(m, sum + j), s));
}

template <std::size_t Rows, bool Low>
BP_AVX512 inline void count_rows(const double* r, std::size_t stride, std::size_t w, std::size_t lead, __m512d scale,
                                 double* best, double* sum, double* cnt, __mmask8& nan, LowStage* low,
                                 std::size_t col0) {
  std::size_t j = 0;
  if (lead != 0) {
    count_at<Rows, Low>(r, stride, 0, static_cast<__mmask8>((1u << lead) - 1u), scale, best, sum, cnt, nan, low, col0);
    j = lead;
  }
  for (; j + 8 <= w; j += 8) count_at<Rows, Low>(r, stride, j, 0xff, scale, best, sum, cnt, nan, low, col0);
  if (j < w)
    count_at<Rows, Low>(r, stride, j, static_cast<__mmask8>((1u << (w - j)) - 1u), scale, best, sum, cnt, nan, low,
                        col0);
}

template <bool Low>
BP_AVX512 bool count_columns(const double* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                             double scale, double* mx, double* sum, double* nz, const LowLists* lists) {
  const std::size_t w = c1 - c0;
  // Room for a full step past kRoom (eight rows of eight lanes) before a flush.
  ScratchVector<double> stage_v(Low ? LowStage::kRoom + low_stage_slack(8) : 0);
  ScratchVector<std::int64_t> stage_c(Low ? LowStage::kRoom + low_stage_slack(8) : 0);
  LowStage stage{stage_v.data(), stage_c.data(), 0, lists};
  LowStage* low = Low ? &stage : nullptr;
  ScratchVector<double> best(w, 0.0);
  std::fill(sum + c0, sum + c1, 0.0);
  std::fill(nz + c0, nz + c1, 0.0);
  const __m512d sc = _mm512_set1_pd(scale);
  __mmask8 nan = 0;
  const double* base = y + c0;
  const std::size_t lead = std::min(lead_columns(base, stride), w);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8)
    count_rows<8, Low>(base + i * stride, stride, w, lead, sc, best.data(), sum + c0, nz + c0, nan, low, c0);
  for (; i < n; ++i)
    count_rows<1, Low>(base + i * stride, stride, w, lead, sc, best.data(), sum + c0, nz + c0, nan, low, c0);
  if constexpr (Low) low_flush(stage);
  for (std::size_t j = 0; j < w; ++j) mx[c0 + j] = best[j];
  return nan == 0;
}

BP_AVX512 bool column_max_sum_count(const double* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                                    double scale, double* mx, double* sum, double* nz) {
  return count_columns<false>(y, n, stride, c0, c1, scale, mx, sum, nz, nullptr);
}

BP_AVX512 bool column_max_sum_count_low(const double* y, std::size_t n, std::size_t stride, std::size_t c0,
                                        std::size_t c1, double* mx, double* sum, double* nz, const LowLists* low) {
  return count_columns<true>(y, n, stride, c0, c1, 1.0, mx, sum, nz, low);
}

#undef BP_AVX512

}  // namespace

void take_avx512_double_count(KernelTable& t) {
  if (!__builtin_cpu_supports("avx512f")) return;
  t.column_max_sum_count_f64 = &column_max_sum_count;
  t.column_max_sum_count_low_f64 = &column_max_sum_count_low;
}

}  // namespace simd
}  // namespace bp

#else

namespace bp {
namespace simd {
void take_avx512_double_count(KernelTable&) {}
}  // namespace simd
}  // namespace bp

#endif
