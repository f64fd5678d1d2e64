#include "float_count_avx512.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "../scratch.hpp"
#include "low_lists.hpp"
#include "target.hpp"

#ifdef BP_SIMD_X86
#include "avx512_intrinsics.hpp"

namespace bp {
namespace simd {
namespace {

#define BP_AVX512 __attribute__((target("avx512f")))

// Why the same results as the loop it replaces (column_max_sum_count_f32 of
// loops-inl.hpp, eight float lanes under AVX2): each column is a lane and
// goes through that loop's operations in the same order. The maxima are
// exact in floats; the count is an integer either way (here in 32-bit lanes,
// moved into the double counts; exact); the
// sum of a block is |y| widened, scaled and added as the same tree ((0 + 1)
// + (2 + 3)) + ((4 + 5) + (6 + 7)), then added to the column's sum, and one
// row at a time after the last block. Columns in tiles whose accumulators
// stay in L2, as there (the tiles change no order within a column); the
// tail of a tile under a mask instead of column by column.
constexpr std::size_t kCountTile = kFirstReadTile;

BP_AVX512 inline __m256 high_half(__m512 v) {
  return _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
}

BP_AVX512 inline __m512d wide_lo(__m512 a) {
  return _mm512_cvtps_pd(_mm512_castps512_ps256(a));
}

BP_AVX512 inline __m512d wide_hi(__m512 a) {
  return _mm512_cvtps_pd(high_half(a));
}

// Entries below their column's list bound wait here as floats, with their
// column, in row order per column, and go to the lists (low_lists.hpp,
// widened: a float is exact as a double) when the room fills or the read
// ends, as the double read's staging does (double_count_avx512.cpp). fb
// mirrors the bounds of columns c0.. as floats rounded up: for a float v
// and a double b, v < b exactly when v < b rounded up to a float (no float
// lies between them), so the float lanes compare with the same outcome.
struct LowStageF {
  static constexpr std::size_t kRoom = 2048;
  float* v;
  std::uint32_t* c;
  std::size_t n;
  const LowLists* l;
  float* fb;
  std::size_t c0;
};

inline float float_at_or_above(double b) {
  float f = static_cast<float>(b);
  if (static_cast<double>(f) < b) f = std::nextafter(f, std::numeric_limits<float>::infinity());
  return f;
}

// As the double read's low_flush: each waiting entry goes to its column's
// list if still below the bound (add_to_low_list, low_lists.hpp); where a
// full list lowers its bound, the float mirror follows (the cut is a
// widened float, so exact).
__attribute__((noinline)) void low_flush_f(LowStageF& st) {
  const LowLists& l = *st.l;
  for (std::size_t e = 0; e < st.n; ++e) {
    const std::size_t j = st.c[e];
    const double v = static_cast<double>(st.v[e]);
    if (v < l.bound[j] && add_to_low_list(l, j, v)) st.fb[j - st.c0] = static_cast<float>(l.bound[j]);
  }
  st.n = 0;
}

template <bool Unit>
BP_AVX512 inline __m512d scaled(__m512d x, __m512d scale) {
  if constexpr (Unit) return x;
  return _mm512_mul_pd(x, scale);
}

// With Low the step also compares each nonzero with its column's float
// bound and compresses those below, with their columns, into the staging
// (the other results are untouched: the lists only add entries). The counts
// go to 32-bit integer lanes (exact; the caller moves them into the double
// counts at least every kCountChunk rows), one add under the mask a row,
// instead of a float count widened into the doubles each step. With Unit
// (scale 1) the widened |y| are not multiplied (x * 1 is x) and NaN is not
// tested per entry: a NaN entry makes its column's sum NaN and nothing else
// does (the sums add |y| >= 0, so never inf - inf), so the caller tests the
// sums. Both are the same results for fewer instructions a step: the read
// with the lists on float data was held by its instructions, not its bytes
// (docs/exact-float32.md, "The float first read keeps low lists").
template <std::size_t Rows, bool Low, bool Unit>
BP_AVX512 inline void count16(const float* r, std::size_t stride, std::size_t j, __mmask16 mk, __m512d scale,
                              float* best, double* acc, std::int32_t* cnt, __mmask16& nan, LowStageF* st,
                              std::size_t col0) {
  static_assert(Rows <= kLowStageRows, "a step would store past the stage's slack (low_lists.hpp)");
  const __mmask8 m0 = static_cast<__mmask8>(mk), m1 = static_cast<__mmask8>(mk >> 8);
  const __m512 zero = _mm512_setzero_ps();
  const __m512i one = _mm512_set1_epi32(1);
  __m512 a[Rows];
  __m512i nz = _mm512_maskz_loadu_epi32(mk, cnt + j);
  const float* p = r + j;
  __mmask16 below[Rows];
  __mmask16 any = 0;
  __m512 bound = zero;
  if constexpr (Low) bound = _mm512_maskz_loadu_ps(mk, st->fb + (col0 - st->c0) + j);
  for (std::size_t q = 0; q < Rows; ++q) {
    a[q] = _mm512_abs_ps(_mm512_maskz_loadu_ps(mk, p + q * stride));
    if constexpr (!Unit) nan |= _mm512_cmp_ps_mask(a[q], a[q], _CMP_UNORD_Q);
    const __mmask16 gt = _mm512_cmp_ps_mask(a[q], zero, _CMP_GT_OQ);
    nz = _mm512_mask_add_epi32(nz, gt, nz, one);
    if constexpr (Low) {
      below[q] = _mm512_mask_cmp_ps_mask(gt, a[q], bound, _CMP_LT_OQ);
      any = static_cast<__mmask16>(any | below[q]);
    }
  }
  _mm512_mask_storeu_epi32(cnt + j, mk, nz);
  if constexpr (Low) {
    if (any != 0) {
      const __m512i col = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(col0 + j)),
                                           _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0));
      // Only the rows with an entry below (at 1/16 of eta on the grid's
      // sparse data, about one row in a step that has any), in row order.
      unsigned rows = 0;
      for (std::size_t q = 0; q < Rows; ++q) rows |= (below[q] != 0 ? 1u : 0u) << q;
      while (rows != 0) {
        const unsigned q = static_cast<unsigned>(__builtin_ctz(rows));
        rows &= rows - 1;
        _mm512_storeu_ps(st->v + st->n, _mm512_maskz_compress_ps(below[q], a[q]));
        _mm512_storeu_si512(st->c + st->n, _mm512_maskz_compress_epi32(below[q], col));
        st->n += static_cast<std::size_t>(__builtin_popcount(below[q]));
      }
      if (st->n > LowStageF::kRoom) low_flush_f(*st);
    }
  }
  __m512 hi = _mm512_maskz_loadu_ps(mk, best + j);
  for (std::size_t q = 0; q < Rows; ++q) hi = _mm512_max_ps(hi, a[q]);
  _mm512_mask_storeu_ps(best + j, mk, hi);
  __m512d lo_sum, hi_sum;
  if constexpr (Rows == 8) {
    __m512d x[8], z[8];
    for (std::size_t q = 0; q < 8; ++q) {
      x[q] = scaled<Unit>(wide_lo(a[q]), scale);
      z[q] = scaled<Unit>(wide_hi(a[q]), scale);
    }
    lo_sum = _mm512_add_pd(_mm512_add_pd(_mm512_add_pd(x[0], x[1]), _mm512_add_pd(x[2], x[3])),
                           _mm512_add_pd(_mm512_add_pd(x[4], x[5]), _mm512_add_pd(x[6], x[7])));
    hi_sum = _mm512_add_pd(_mm512_add_pd(_mm512_add_pd(z[0], z[1]), _mm512_add_pd(z[2], z[3])),
                           _mm512_add_pd(_mm512_add_pd(z[4], z[5]), _mm512_add_pd(z[6], z[7])));
  } else {
    static_assert(Rows == 1, "rows come eight or one at a time");
    lo_sum = scaled<Unit>(wide_lo(a[0]), scale);
    hi_sum = scaled<Unit>(wide_hi(a[0]), scale);
  }
  _mm512_mask_storeu_pd(acc + j, m0, _mm512_add_pd(_mm512_maskz_loadu_pd(m0, acc + j), lo_sum));
  _mm512_mask_storeu_pd(acc + j + 8, m1, _mm512_add_pd(_mm512_maskz_loadu_pd(m1, acc + j + 8), hi_sum));
}

template <std::size_t Rows, bool Low, bool Unit>
BP_AVX512 void count_rows(const float* r, std::size_t stride, std::size_t m, __m512d scale, float* best, double* acc,
                          std::int32_t* cnt, __mmask16& nan, LowStageF* st, std::size_t col0) {
  std::size_t j = 0;
  for (; j + 16 <= m; j += 16) count16<Rows, Low, Unit>(r, stride, j, 0xffff, scale, best, acc, cnt, nan, st, col0);
  if (j < m)
    count16<Rows, Low, Unit>(r, stride, j, static_cast<__mmask16>((1u << (m - j)) - 1u), scale, best, acc, cnt, nan, st,
                             col0);
}

// Rows between moves of the integer counts into the double ones: a multiple
// of eight (the blocks of eight rows stay where they were), far below 2^31.
constexpr std::size_t kCountChunk = std::size_t(1) << 30;

template <bool Low, bool Unit>
BP_AVX512 bool count_columns(const float* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                             double scale, double* mx, double* sum, double* nz, const LowLists* lists) {
  const std::size_t tile = std::min(kCountTile, c1 - c0);
  // Room for a full step past kRoom (eight rows of sixteen lanes) before a flush.
  ScratchVector<float> stage_v(Low ? LowStageF::kRoom + low_stage_slack(16) : 0), fbound(Low ? c1 - c0 : 0);
  ScratchVector<std::uint32_t> stage_c(Low ? LowStageF::kRoom + low_stage_slack(16) : 0);
  if constexpr (Low)
    for (std::size_t j = c0; j < c1; ++j) fbound[j - c0] = float_at_or_above(lists->bound[j]);
  LowStageF stage{stage_v.data(), stage_c.data(), 0, lists, fbound.data(), c0};
  LowStageF* low = Low ? &stage : nullptr;
  ScratchVector<float> best(tile);
  ScratchVector<double> acc(tile), cnt(tile);
  ScratchVector<std::int32_t> icnt(tile);
  const __m512d sc = _mm512_set1_pd(scale);
  __mmask16 nan = 0;
  bool nan_sum = false;
  for (std::size_t t0 = c0; t0 < c1; t0 += tile) {
    const std::size_t m = std::min(tile, c1 - t0);
    const float* base = y + t0;
    std::fill(best.begin(), best.begin() + static_cast<std::ptrdiff_t>(m), 0.0f);
    std::fill(acc.begin(), acc.begin() + static_cast<std::ptrdiff_t>(m), 0.0);
    std::fill(cnt.begin(), cnt.begin() + static_cast<std::ptrdiff_t>(m), 0.0);
    for (std::size_t i0 = 0; i0 < n; i0 += kCountChunk) {
      const std::size_t i1 = std::min(n, i0 + kCountChunk);
      std::fill(icnt.begin(), icnt.begin() + static_cast<std::ptrdiff_t>(m), 0);
      std::size_t i = i0;
      for (; i + 8 <= i1; i += 8)
        count_rows<8, Low, Unit>(base + i * stride, stride, m, sc, best.data(), acc.data(), icnt.data(), nan, low, t0);
      for (; i < i1; ++i)
        count_rows<1, Low, Unit>(base + i * stride, stride, m, sc, best.data(), acc.data(), icnt.data(), nan, low, t0);
      for (std::size_t j = 0; j < m; ++j) cnt[j] += static_cast<double>(icnt[j]);
    }
    for (std::size_t j = 0; j < m; ++j) {
      mx[t0 + j] = static_cast<double>(best[j]);
      sum[t0 + j] = acc[j];
      nz[t0 + j] = cnt[j];
      if constexpr (Unit) nan_sum |= std::isnan(acc[j]);
    }
  }
  if constexpr (Low) low_flush_f(stage);
  return nan == 0 && !nan_sum;
}

BP_AVX512 bool column_max_sum_count_f32(const float* y, std::size_t n, std::size_t stride, std::size_t c0,
                                        std::size_t c1, double scale, double* mx, double* sum, double* nz) {
  if (scale == 1.0) return count_columns<false, true>(y, n, stride, c0, c1, scale, mx, sum, nz, nullptr);
  return count_columns<false, false>(y, n, stride, c0, c1, scale, mx, sum, nz, nullptr);
}

BP_AVX512 bool column_max_sum_count_low_f32(const float* y, std::size_t n, std::size_t stride, std::size_t c0,
                                            std::size_t c1, double* mx, double* sum, double* nz, const LowLists* low) {
  return count_columns<true, true>(y, n, stride, c0, c1, 1.0, mx, sum, nz, low);
}

#undef BP_AVX512

}  // namespace

void take_avx512_float_count(KernelTable& t) {
  if (!__builtin_cpu_supports("avx512f")) return;
  t.column_max_sum_count_f32 = &column_max_sum_count_f32;
  t.column_max_sum_count_low_f32 = &column_max_sum_count_low_f32;
}

}  // namespace simd
}  // namespace bp

#else

namespace bp {
namespace simd {
void take_avx512_float_count(KernelTable&) {}
}  // namespace simd
}  // namespace bp

#endif
