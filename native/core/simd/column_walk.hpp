// How the copies by index walk their columns (candidate_records.cpp's
// column_segments, gather_float.cpp's float gather): across the rows, or down
// blocks of rows one column at a time where the columns are sparse in their
// rows.
#pragma once

#include <algorithm>
#include <cstddef>

namespace bp {
namespace simd {

// Where the columns are sparse in their rows (at most half of the cache
// lines between the first and the last hold one), they are walked down a
// block of this many rows one column at a time instead of across the rows:
// each column's loads then come at one stride, which the hardware prefetcher
// follows, where a walk across the rows asks for its scattered lines one miss
// at a time. The kernel timed alone after a read of 128 MB (8000 x 1000
// sparse, eta = 1's 72 surviving columns, 56 of a row's 125 lines): 4.1 ms
// across the rows, 3.1 down blocks of 64 or 128 rows; 40 columns 2.5 -> 1.8;
// 1000 x 8000 with 300 columns (26 % of the lines) 2.8 -> 1.9. With more
// lines held, across the rows is faster (the lines a few columns share are
// loaded once): 8000 x 1000 with 200 columns (86 %) 4.9 against 6.0, 1000 x
// 8000 with 1000 (65 %) 3.8 against 4.9 (docs/exact-stream.md, round
// sixteen). Each column is still filled in row order: the same entries in
// the same slots either way.
inline constexpr std::size_t kDownRows = 64;

// (The callers pass the columns ascending; in another order the count of
// lines only grows, which changes the choice, not the result.)
template <class T>
bool columns_sparse_in_rows(const std::size_t* cols, std::size_t nf) {
  constexpr std::size_t per_line = 64 / sizeof(T);
  if (nf == 0) return false;
  std::size_t held = 0, last = ~std::size_t(0), lo = cols[0], hi = cols[0];
  for (std::size_t f = 0; f < nf; ++f) {
    const std::size_t line = cols[f] / per_line;
    held += line != last ? 1 : 0;  // the distinct lines, when cols ascend
    last = line;
    lo = std::min(lo, cols[f]);
    hi = std::max(hi, cols[f]);
  }
  return 2 * held <= hi / per_line - lo / per_line + 1;
}

}  // namespace simd
}  // namespace bp
