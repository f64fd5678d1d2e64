#include "double_top_avx512.hpp"

#include <algorithm>
#include <cstddef>

#include "../scratch.hpp"
#include "target.hpp"

#ifdef BP_SIMD_X86
#include "avx512_intrinsics.hpp"
#include "rows_ahead.hpp"
#include "top8_merge_avx512.hpp"

namespace bp {
namespace simd {
namespace {

#define BP_AVX512 __attribute__((target("avx512f")))

constexpr std::size_t kTopK = kColumnTop;
static_assert(kTopK == 8, "the merge below sorts eight rows into lists of eight");
// The AVX2 loop's tile (loops-inl.hpp, kTopTile): its kTopK + 2 arrays stay
// in L2 while the rows stream by. List k of a tile of ts columns is at
// tops + k * ts.
constexpr std::size_t kTile = kFirstReadTile;
// Each row is asked for kRowsAheadBytes ahead (rows_ahead.hpp), as in the
// column pass (docs/exact-stream.md, round twenty-five: 4000 x 4000 Cauchy
// 0.87-0.92 of the call without it).

// Why the same bits as the AVX2 loop (max_sum_top_at, loops-inl.hpp): the
// maxima, the lists' max and min are exact and see no -0 (every entry is
// |y|); the sum of a block of eight rows is |y| * scale added as the same
// tree, then added to the column's sum, as there. The merge of eight rows
// into the lists is the same network (top8_merge_avx512.hpp, shared with the
// float loop). The last columns
// (fewer than eight) take the same lanes under a mask of loads and stores;
// their masked-off lanes read +0 and are never stored.
template <std::size_t Rows>
BP_AVX512 inline void top_at(const double* r, std::size_t stride, std::size_t j, __mmask8 m, __m512d scale,
                             std::size_t ts, double* best, double* acc, double* tops, __mmask8& nan) {
  __m512d a[Rows];
  const double* p = r + j;
  for (std::size_t q = 0; q < Rows; ++q) {
    _mm_prefetch(reinterpret_cast<const char*>(p + q * stride) + kRowsAheadBytes, _MM_HINT_T0);
    a[q] = _mm512_abs_pd(_mm512_maskz_loadu_pd(m, p + q * stride));
    nan = static_cast<__mmask8>(nan | _mm512_cmp_pd_mask(a[q], a[q], _CMP_UNORD_Q));
  }
  __m512d hi = a[0];
  for (std::size_t q = 1; q < Rows; ++q) hi = _mm512_max_pd(hi, a[q]);
  _mm512_mask_storeu_pd(best + j, m, _mm512_max_pd(_mm512_maskz_loadu_pd(m, best + j), hi));
  __m512d sum;
  if constexpr (Rows == 8) {
    __m512d x[8];
    for (std::size_t q = 0; q < 8; ++q) x[q] = _mm512_mul_pd(a[q], scale);
    sum = _mm512_add_pd(_mm512_add_pd(_mm512_add_pd(x[0], x[1]), _mm512_add_pd(x[2], x[3])),
                        _mm512_add_pd(_mm512_add_pd(x[4], x[5]), _mm512_add_pd(x[6], x[7])));
  } else {
    sum = _mm512_mul_pd(a[0], scale);
  }
  _mm512_mask_storeu_pd(acc + j, m, _mm512_add_pd(_mm512_maskz_loadu_pd(m, acc + j), sum));
  // Nothing in these rows reaches any lane's floor: the lists stay as they are.
  if (_mm512_mask_cmp_pd_mask(m, hi, _mm512_maskz_loadu_pd(m, tops + (kTopK - 1) * ts + j), _CMP_GT_OQ) == 0) return;
  __m512d t[kTopK];
  for (std::size_t k = 0; k < kTopK; ++k) t[k] = _mm512_maskz_loadu_pd(m, tops + k * ts + j);
  if constexpr (Rows == 8)
    top8::merge_rows8(a, t);
  else
    top8::insert_row(a[0], t);
  for (std::size_t k = 0; k < kTopK; ++k) _mm512_mask_storeu_pd(tops + k * ts + j, m, t[k]);
}

template <std::size_t Rows>
BP_AVX512 inline void top_rows(const double* r, std::size_t stride, std::size_t w, __m512d scale, std::size_t ts,
                               double* best, double* acc, double* tops, __mmask8& nan) {
  std::size_t j = 0;
  for (; j + 8 <= w; j += 8) top_at<Rows>(r, stride, j, 0xff, scale, ts, best, acc, tops, nan);
  if (j < w) top_at<Rows>(r, stride, j, static_cast<__mmask8>((1u << (w - j)) - 1u), scale, ts, best, acc, tops, nan);
}

// The AVX2 loop's sweep (sweep_column_tiles, loops-inl.hpp): columns in tiles
// of kTile, rows eight then one at a time, per tile.
BP_AVX512 bool column_max_sum_top(const double* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                                  double scale, double* mx, double* sum, double* top) {
  const std::size_t tile = std::min(kTile, c1 - c0);
  ScratchVector<double> best(tile), acc(tile), tops(tile * kTopK);
  const __m512d sc = _mm512_set1_pd(scale);
  __mmask8 nan = 0;
  for (std::size_t t0 = c0; t0 < c1; t0 += tile) {
    const std::size_t w = std::min(tile, c1 - t0);
    const double* base = y + t0;
    std::fill(best.begin(), best.begin() + w, 0.0);
    std::fill(acc.begin(), acc.begin() + w, 0.0);
    std::fill(tops.begin(), tops.end(), 0.0);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8)
      top_rows<8>(base + i * stride, stride, w, sc, tile, best.data(), acc.data(), tops.data(), nan);
    for (; i < n; ++i) top_rows<1>(base + i * stride, stride, w, sc, tile, best.data(), acc.data(), tops.data(), nan);
    for (std::size_t j = 0; j < w; ++j) {
      mx[t0 + j] = best[j];
      sum[t0 + j] = acc[j];
      for (std::size_t k = 0; k < kTopK; ++k) top[(t0 + j) * kTopK + k] = tops[k * tile + j];
    }
  }
  return nan == 0;
}

#undef BP_AVX512

}  // namespace

void take_avx512_double_top(KernelTable& t) {
  if (!__builtin_cpu_supports("avx512f")) return;
  t.column_max_sum_top_f64 = &column_max_sum_top;
}

}  // namespace simd
}  // namespace bp

#else

namespace bp {
namespace simd {
void take_avx512_double_top(KernelTable&) {}
}  // namespace simd
}  // namespace bp

#endif
