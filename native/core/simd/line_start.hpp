// Where a row-major walk over columns in vectors of eight doubles starts its
// full vectors so that they lie on 64-byte lines. Node's large typed arrays
// start 16 bytes past a line (docs/exact-stream.md, round thirty-seven), so a
// walk from the first column loads every vector across two lines; walked
// from the first line boundary (a masked vector for the columns before it),
// each load reads one line. Only which columns share a vector changes: each
// column keeps its own lane and its rows' order, so the results are the
// same bits. When the stride is not a whole number of lines' worth of
// doubles (8), the rows sit at different places in their lines and no
// start fits them all: the walk starts at the first column as before.
#pragma once

#include <cstddef>
#include <cstdint>

namespace bp {
namespace simd {

// The columns (0..7) before the first line boundary at or after `row`, when
// every row `stride` doubles apart starts at the same place in its line; 0
// otherwise, and for a row already on a line.
inline std::size_t lead_columns(const double* row, std::size_t stride) {
  const std::uintptr_t a = reinterpret_cast<std::uintptr_t>(row);
  if (stride % 8 != 0 || a % sizeof(double) != 0) return 0;
  return ((64 - a % 64) % 64) / sizeof(double);
}

}  // namespace simd
}  // namespace bp
