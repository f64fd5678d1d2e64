// The band of the sampled start (exact_start.hpp), for heavy tails at large
// radii: there the sample's own l1,inf norm is below the radius (its maxima
// miss the columns' few huge entries), so the sample has no problem of its
// own to solve. Each column's phi_j is estimated instead from its exact top
// list and the sample's bounded terms min(|y|, x); Newton on the estimates
// gives a guessed threshold and, per column, a guessed level. A column with
// many active entries gets two levels around its guess: the one read of the
// matrix copies its entries between them (the band) and only counts and sums
// those above the upper one. The levels are guesses: the caller's check
// (lo_j <= mu_j <= up_j after the copy's solve) gathers a failing column
// whole, so they decide the cost, never the result. See docs/exact-start.md,
// step 6, and docs/exact-stream.md, "Round seven".
#pragma once

#include <cstddef>

#include "exact_stream.hpp"
#include "scratch.hpp"
#include "simd/kernel_table.hpp"

namespace bp {

// Per column of the n x m rows y (all of them): the count k and compensated
// sum s (c the compensation's scratch) of the entries |y| * scale >= mu[j],
// and the count cnt of those >= lo[j], by the kernel table's loop. The band's
// estimate and the sample's own levels (exact_start.cpp) both read so.
inline void column_stats(const float* y, std::size_t n, std::size_t m, double scale, const double* mu, double* k,
                         double* s, double* c, const double* lo, double* cnt) {
  simd::kernels().column_stats_f32(y, n, m, 0, m, scale, mu, k, s, c, lo, cnt);
}
inline void column_stats(const double* y, std::size_t n, std::size_t m, double scale, const double* mu, double* k,
                         double* s, double* c, const double* lo, double* cnt) {
  simd::kernels().column_stats_f64(y, n, m, 0, m, scale, mu, k, s, c, lo, cnt);
}

// The levels from the sample `rows` (ns rows of m, every step-th row of the
// matrix; ss its column sums) and p's top lists: lo, hi (+inf: not banded)
// and est (the expected count in [lo_j, hi_j)) of the alive columns, the
// estimate's levels in xe_out; returns the number of columns banded, or -1
// when the estimate does not converge. Adds its passes to *sample_passes.
template <class T>
long band_levels(const T* rows, std::size_t ns, std::size_t m, std::size_t step, const ThresholdProblem& p,
                 const ScratchVector<std::size_t>& alive, const double* ss, double* lo, double* hi, double* est,
                 double* xe_out, int* sample_passes);

// The band's read of y (q indexes alive): the count K[q] and compensated sum
// Sb[q] of the entries at or above hi[q], and those in [lo[q], hi[q]) copied
// to out[beg[q] ..], at most cap[q] held (one spare slot past them takes the
// rest); held[q] counts them all, so held[q] > cap[q] means entries were lost.
template <class T>
void fill_band(const MatrixRef<T>& y, double scale, const ScratchVector<std::size_t>& alive, const double* lo,
               const double* hi, const std::size_t* cap, const std::size_t* beg, double* K, double* Sb, double* out,
               std::size_t* held);

}  // namespace bp
