// Per-group reductions over a row-major matrix: the read-only first pass of
// every kernel. With groups = columns the rows are streamed (four at a time,
// so each per-column accumulator is loaded and stored once per four entries)
// and no column is ever walked with a stride.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "numeric.hpp"
#include "simd/low_lists.hpp"
#include "status.hpp"

namespace bp {

// mx[j] = max |y| over group j; when WithSum, sum[j] = sum |y| * scale over
// group j (in double). Returns false if any entry is NaN; an infinite entry
// shows up as an infinite mx[j]. The maximum is taken in T (exact), sums in
// double.
template <bool WithSum, class T>
bool group_max_sum(const MatrixRef<T>& y, Groups g, double scale, double* mx, double* sum);

// Largest entry of mx[0..k) (at least 0), or NaN if any entry is NaN; an
// infinite entry makes the result infinite. Four independent chains without
// branches: the one chain of compares and branches it replaces cost a few
// nanoseconds an entry, a sizable part of a pass with 80000 groups.
// group_max_sum<true> with groups = columns and scale 1 (the same bits), and
// nz[j] = the number of entries of column j that are not zero, in the same
// read: on sparse data the exact method bounds its thresholds with it.
template <class T>
bool column_max_sum_count(const MatrixRef<T>& y, double* mx, double* sum, double* nz);

// column_max_sum_count that also fills `lists` (simd/low_lists.hpp: each
// column's nonzero |y| below its bound, as doubles, the bounds set by the
// caller). Only where the kernel table has the loop for T
// (has_column_low_lists<T>()); the same maxima, sums and counts.
template <class T>
bool column_max_sum_count_low(const MatrixRef<T>& y, double* mx, double* sum, double* nz, const simd::LowLists& lists);
template <class T = double>
bool has_column_low_lists();

// Whether at least half the entries of an evenly spaced sample of about one
// row in 256 are zero: the count above costs about half a memcpy of the
// matrix, worth it only on sparse data. *sampled_norm gets the sample's
// l1,inf norm (groups = columns), a lower bound of the matrix's. With
// max_growth, *max_growth gets how much larger a column's largest |y| would
// be than its sample's, were the nonzeros normal: sqrt(ln c / ln s), c and
// s the nonzeros of a column and of its sample, at most 2 (1 where s < 4 or c <= s;
// docs/exact-start.md, "Tall sparse data counts its nonzeros at 0.5").
// Only speed depends on the answers.
template <class T>
bool zeros_common(const MatrixRef<T>& y, double* sampled_norm, double* max_growth = nullptr);

// Largest entry of mx[0..k), or a non-finite value if any is non-finite.
inline double max_of(const double* mx, std::size_t k) {
  double r[4] = {0.0, 0.0, 0.0, 0.0};
  unsigned nan = 0;
  std::size_t j = 0;
  for (; j + 4 <= k; j += 4) {
    for (std::size_t l = 0; l < 4; ++l) {
      const double a = mx[j + l];
      r[l] = a > r[l] ? a : r[l];
      nan |= a != a ? 1u : 0u;
    }
  }
  for (; j < k; ++j) {
    r[0] = mx[j] > r[0] ? mx[j] : r[0];
    nan |= mx[j] != mx[j] ? 1u : 0u;
  }
  const double m01 = r[0] > r[1] ? r[0] : r[1], m23 = r[2] > r[3] ? r[2] : r[3];
  return nan != 0 ? std::numeric_limits<double>::quiet_NaN() : (m01 > m23 ? m01 : m23);
}

// Group l2 norms times `scale`, that neither overflow nor underflow: groups
// whose largest entry is extreme are recomputed with an exact power-of-two
// scaling of their own. mx must hold the group maxima (finite).
template <class T>
void group_l2(const MatrixRef<T>& y, Groups g, const double* mx, double scale, double* norm);

// The group maxima (as group_max_sum<false>) and, when they are all finite,
// the group l2 norms (as group_l2 with scale 1, bit for bit) with one read of
// the matrix where groups are columns: the maxima and the sums of squares
// are gathered together, and only groups whose largest entry is extreme are
// read again. Returns false if any entry is NaN; norm is meaningless then,
// or when a maximum is infinite.
template <class T>
bool group_max_l2(const MatrixRef<T>& y, Groups g, double* mx, double* norm);

}  // namespace bp
