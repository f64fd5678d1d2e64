// Gathering, per group, the entries that can still matter to a per-group
// threshold: |y| * scale above a known lower bound of that threshold. With
// groups = columns the rows are streamed and each column's candidates are
// appended to its own list, so no column is walked with a stride and nothing
// below the bound is copied.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "scratch.hpp"

#include "numeric.hpp"
#include "parallel.hpp"
#include "status.hpp"

namespace bp {

using GroupLists = ScratchVector<ScratchVector<double>>;

// For every group j with lower[j] < +inf, lists[j] receives the values
// a = |y| * scale with a > rho_j, where rho_j starts at lower[j].
//
// When radius[j] is finite the threshold sought for group j is the l1 soft
// threshold of radius radius[j], and rho_j is raised online with two valid
// lower bounds of it (Condat 2016): the threshold of the list so far if every
// member were active, (sum - radius) / count, and a - radius for a single
// entry. Groups with lower[j] == +inf are skipped.
template <class T>
void gather_candidates(const MatrixRef<T>& y, Groups g, double scale, const double* lower, const double* radius,
                       GroupLists& lists) {
  const std::size_t n = y.rows, m = y.cols;
  const std::size_t ng = group_count(n, m, g);
  const double inf = std::numeric_limits<double>::infinity();
  lists.assign(ng, {});
  ScratchVector<double> rho(ng), sum(ng, 0.0);
  for (std::size_t j = 0; j < ng; ++j) rho[j] = below(lower[j]);
  auto offer = [&](std::size_t j, double a) {
    if (a > rho[j]) {
      ScratchVector<double>& l = lists[j];
      l.push_back(a);
      if (radius != nullptr && radius[j] < inf) {
        sum[j] += a;
        double mean_bound = (sum[j] - radius[j]) / static_cast<double>(l.size());
        double single_bound = a - radius[j];
        double b = below(mean_bound > single_bound ? mean_bound : single_bound);
        if (b > rho[j]) rho[j] = b;
      }
    }
  };
  // Split by groups: each group's list is built by one thread, in row order.
  if (g == Groups::kColumns) {
    parallel_ranges(m, 64, y.size(), [&](std::size_t c0, std::size_t c1) {
      for (std::size_t i = 0; i < n; ++i) {
        const T* r = y.data + i * m;
        for (std::size_t j = c0; j < c1; ++j) offer(j, std::fabs(static_cast<double>(r[j])) * scale);
      }
    });
  } else {
    parallel_ranges(n, 1, y.size(), [&](std::size_t r0, std::size_t r1) {
      for (std::size_t i = r0; i < r1; ++i) {
        if (!(lower[i] < inf)) continue;
        const T* r = y.data + i * m;
        for (std::size_t j = 0; j < m; ++j) offer(i, std::fabs(static_cast<double>(r[j])) * scale);
      }
    });
  }
}

}  // namespace bp
