// Per-group reductions over a row-major matrix: the read-only first pass of
// every kernel. With groups = columns the rows are streamed and the per-column
// accumulators stay in cache, so no column is ever walked with a stride.
#pragma once

#include <cmath>
#include <cstddef>

#include "numeric.hpp"
#include "status.hpp"

namespace bp {

// mx[j] = max |y| over group j (NaN once any entry of the group is NaN);
// when WithSum, sum[j] = sum |y| * scale over group j.
template <bool WithSum, class T>
void group_max_sum(const MatrixRef<T>& y, Groups g, double scale, double* mx, double* sum) {
  const std::size_t n = y.rows, m = y.cols;
  if (g == Groups::kColumns) {
    for (std::size_t j = 0; j < m; ++j) {
      mx[j] = 0.0;
      if (WithSum) sum[j] = 0.0;
    }
    for (std::size_t i = 0; i < n; ++i) {
      const T* r = y.data + i * m;
      for (std::size_t j = 0; j < m; ++j) {
        double a = std::fabs(static_cast<double>(r[j]));
        mx[j] = nan_max(mx[j], a);
        if (WithSum) sum[j] += a * scale;
      }
    }
  } else {
    // Four independent accumulators let the compiler vectorise the horizontal
    // reductions without reassociating a single chain.
    for (std::size_t i = 0; i < n; ++i) {
      const T* r = y.data + i * m;
      double m0 = 0, m1 = 0, m2 = 0, m3 = 0, s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      std::size_t j = 0;
      for (; j + 4 <= m; j += 4) {
        double a0 = std::fabs(static_cast<double>(r[j])), a1 = std::fabs(static_cast<double>(r[j + 1]));
        double a2 = std::fabs(static_cast<double>(r[j + 2])), a3 = std::fabs(static_cast<double>(r[j + 3]));
        m0 = nan_max(m0, a0); m1 = nan_max(m1, a1); m2 = nan_max(m2, a2); m3 = nan_max(m3, a3);
        if (WithSum) { s0 += a0 * scale; s1 += a1 * scale; s2 += a2 * scale; s3 += a3 * scale; }
      }
      for (; j < m; ++j) {
        double a = std::fabs(static_cast<double>(r[j]));
        m0 = nan_max(m0, a);
        if (WithSum) s0 += a * scale;
      }
      mx[i] = nan_max(nan_max(m0, m1), nan_max(m2, m3));
      if (WithSum) sum[i] = (s0 + s1) + (s2 + s3);
    }
  }
}

// Largest entry of mx[0..k), or a non-finite value if any is non-finite.
inline double max_of(const double* mx, std::size_t k) {
  double r = 0.0;
  for (std::size_t j = 0; j < k; ++j) r = nan_max(r, mx[j]);
  return r;
}

// Group l2 norms times `scale`, that neither overflow nor underflow: groups
// whose largest entry is extreme are recomputed with an exact power-of-two
// scaling of their own. mx must hold the group maxima (finite).
template <class T>
void group_l2(const MatrixRef<T>& y, Groups g, const double* mx, double scale, double* norm);

}  // namespace bp
