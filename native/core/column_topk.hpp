// The first pass of the exact l1,inf method with, per column, its largest
// entries: the group maxima and l1 norms of group_max_sum (the same bits)
// plus the kColumnTop largest |y| of each column, gathered in the same read
// of the matrix. At large radii each column clips only a few of its top
// entries, so these short lists are nearly the whole problem
// (topk_thresholds.hpp; docs/exact-stream.md, "Top entries in the first pass").
#pragma once

#include <cstddef>

#include "simd/kernel_table.hpp"
#include "status.hpp"

namespace bp {

constexpr std::size_t kColumnTop = simd::kColumnTop;

// Groups = columns. mx[j], sum[j] as group_max_sum<true>(y, kColumns, scale);
// top[j * kColumnTop + q] is the (q+1)-th largest |y| of column j (zeros
// past the column's length). Returns false if any entry is NaN.
template <class T>
bool column_max_sum_top(const MatrixRef<T>& y, double scale, double* mx, double* sum, T* top);

}  // namespace bp
