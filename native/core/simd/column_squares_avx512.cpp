#include "column_squares_avx512.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "../scratch.hpp"
#include "target.hpp"

#ifdef BP_SIMD_X86
#include "avx512_intrinsics.hpp"

namespace bp {
namespace simd {
namespace {

// Why the maxima can be taken over the squares: a float widened to double
// and squared is exact (24 significant bits give at most 48; the squares of
// floats lie between 2^-298 and 2^256, inside the normal doubles), so the
// square is an increasing function of |y| with no ties added, and the
// correctly rounded sqrt of an exact square x^2 is |x|. The largest square's
// root is thus the largest |y|, bit for bit, infinities included. The
// squares are needed for the sums anyway, so the maxima cost one max per
// vector instead of a sign mask, a max and a NaN compare.
//
// Why no separate NaN probe: the squares are >= 0 or +inf, and a sum that
// starts at +0 and adds such values never becomes NaN (+inf + +inf is +inf);
// only a NaN entry makes its column's sum NaN, and it stays NaN. So the pass
// reports a NaN exactly when a sum ends as NaN.

// Columns per tile: 8192 columns keep their accumulators (two doubles a
// column: 128 KB) in the second-level cache while the rows stream by, and
// read each row in runs of 32 KB, as the double loop's tiles of 4096
// columns do (loops-inl.hpp, kSquaresTile). Tiles of 4096 floats (runs of
// 16 KB) measured slower at 100 x 80000 and 1000 x 8000 (docs/bilevel-float32.md,
// the l1,2 float passes: minima of 15 runs of the pass alone): each run of a
// row starts a new stream for the hardware prefetcher.
constexpr std::size_t kTile = 8192;

// Rows consecutive rows of the 16 columns [j, j + 16) of a tile into their
// accumulators: best (the largest square) and acc (the sum of squares, each
// lane added in row order, with a plain multiply and a plain add: the same
// operations as the scalar definition, so the same bits).
template <std::size_t Rows>
__attribute__((target("avx512f"))) inline void squares16(const float* r, std::size_t stride, std::size_t j,
                                                         double* best, double* acc) {
  __m512d b0 = _mm512_loadu_pd(best + j), b1 = _mm512_loadu_pd(best + j + 8);
  __m512d s0 = _mm512_loadu_pd(acc + j), s1 = _mm512_loadu_pd(acc + j + 8);
  const float* p = r + j;
  for (std::size_t i = 0; i < Rows; ++i, p += stride) {
    const __m512d w0 = _mm512_cvtps_pd(_mm256_loadu_ps(p));
    const __m512d w1 = _mm512_cvtps_pd(_mm256_loadu_ps(p + 8));
    const __m512d q0 = _mm512_mul_pd(w0, w0), q1 = _mm512_mul_pd(w1, w1);
    b0 = _mm512_max_pd(b0, q0);
    b1 = _mm512_max_pd(b1, q1);
    s0 = _mm512_add_pd(s0, q0);
    s1 = _mm512_add_pd(s1, q1);
  }
  _mm512_storeu_pd(best + j, b0);
  _mm512_storeu_pd(best + j + 8, b1);
  _mm512_storeu_pd(acc + j, s0);
  _mm512_storeu_pd(acc + j + 8, s1);
}

// The same for one column (the tail of a tile whose width is not a multiple
// of 16).
template <std::size_t Rows>
inline void squares1(const float* r, std::size_t stride, std::size_t j, double* best, double* acc) {
  double b = best[j], s = acc[j];
  const float* p = r + j;
  for (std::size_t i = 0; i < Rows; ++i, p += stride) {
    const double w = static_cast<double>(*p);
    const double q = w * w;
    b = q > b ? q : b;
    s += q;
  }
  best[j] = b;
  acc[j] = s;
}

template <std::size_t Rows>
__attribute__((target("avx512f"))) void squares_rows(const float* r, std::size_t stride, std::size_t m, double* best,
                                                     double* acc) {
  std::size_t j = 0;
  for (; j + 16 <= m; j += 16) squares16<Rows>(r, stride, j, best, acc);
  for (; j < m; ++j) squares1<Rows>(r, stride, j, best, acc);
}

__attribute__((target("avx512f"))) bool column_max_squares_f32(const float* y, std::size_t n, std::size_t stride,
                                                               std::size_t c0, std::size_t c1, double* mx, double* sq) {
  const std::size_t tile = std::min(kTile, c1 - c0);
  ScratchVector<double> best(tile), acc(tile);
  bool no_nan = true;
  for (std::size_t t0 = c0; t0 < c1; t0 += tile) {
    const std::size_t m = std::min(tile, c1 - t0);
    const float* base = y + t0;
    std::fill(best.begin(), best.begin() + m, 0.0);
    std::fill(acc.begin(), acc.begin() + m, 0.0);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) squares_rows<8>(base + i * stride, stride, m, best.data(), acc.data());
    for (; i < n; ++i) squares_rows<1>(base + i * stride, stride, m, best.data(), acc.data());
    for (std::size_t j = 0; j < m; ++j) {
      no_nan &= acc[j] == acc[j];
      mx[t0 + j] = std::sqrt(best[j]);
      sq[t0 + j] = acc[j];
    }
  }
  return no_nan;
}

}  // namespace

void take_avx512_float_column_squares(KernelTable& t) {
  if (!__builtin_cpu_supports("avx512f")) return;
  t.column_max_squares_f32 = &column_max_squares_f32;
}

}  // namespace simd
}  // namespace bp

#else

namespace bp {
namespace simd {
void take_avx512_float_column_squares(KernelTable&) {}
}  // namespace simd
}  // namespace bp

#endif
