// The band's records a block of rows at a time (KernelTable::BandRecords):
// the block's size and the one-column loop that the scalar table, the
// vector loops' last columns and the AVX-512F loop (band_avx512.cpp) share,
// so that every table sums the same terms in the same order.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "../numeric.hpp"

namespace bp {
namespace simd {
namespace band {

// The record and band loops read the rows in order, but stalled on them all
// the same (most of their samples on the load, 4000 x 4000 Cauchy 0.9 seed
// 5: the record stores and the record moves between blocks leave the
// hardware prefetcher behind): each step asks for the line this many bytes
// ahead in its row (the AVX2 loops of candidate_records.cpp and the
// AVX-512F band loop). 4 KB measured best of 1, 4, 8 and 16 KB (the kernel
// timed alone from C++, one thread: the records went from about 1.5 to 1.0
// times a memcpy of the matrix; the projection 5.4-5.9 -> 4.9-5.1x).
inline constexpr std::size_t kAheadBytes = 4096;

// The band reads a block of at most kBandRows rows at a time (the rows the
// room holds whole, so the rows read are those of a row-by-row walk). Within
// a block each column's entries at or above upper[j] are counted and added
// plainly, in row order, from zero; the block's partial sum then goes into
// the column's compensated sum (add_nonneg, numeric.hpp: Neumaier's add of a
// term >= 0 to a sum >= 0 as a max and a min, the operations of the vector
// loop's lanes). One compensated add a block instead of one an entry: the
// band's read cost about one and a half column passes, the per-entry add
// most of the difference (docs/exact-stream.md, round seventeen). The sum's
// error is of the column passes' order (they add eight rows plainly, the
// band sixteen, then a compensated add). An entry in [bound[j], upper[j]) advances the slot.
inline constexpr std::size_t kBandRows = 16;

// Rows [0, rows) of column j, one entry at a time: the scalar loop, and the
// columns past the vector loop's last whole vector. Every entry is stored at
// slot w, which advances only for a kept one (no branch to miss).
template <class T>
std::size_t band_column(const T* y, std::size_t rows, std::size_t stride, std::size_t j, double scale,
                        const double* bound, const double* upper, double* k, double* s, double* c, std::uint32_t* col,
                        double* val, std::size_t w) {
  double part = 0.0, kk = 0.0;
  for (std::size_t i = 0; i < rows; ++i) {
    const double a = std::fabs(static_cast<double>(y[i * stride + j])) * scale;
    const bool above = a >= upper[j];
    part += above ? a : 0.0;
    kk += above ? 1.0 : 0.0;
    col[w] = static_cast<std::uint32_t>(j);
    val[w] = a;
    w += static_cast<std::size_t>(!above && a >= bound[j]);
  }
  k[j] += kk;
  add_nonneg(s[j], c[j], part);
  return w;
}

// The rows of a band block that the room holds whole, from row i (width:
// the block's columns, at least one: callers never pass an empty range).
inline std::size_t band_rows(std::size_t i, std::size_t n, std::size_t width, std::size_t w, std::size_t cap) {
  return std::min({kBandRows, n - i, (cap - w) / width});
}

}  // namespace band
}  // namespace simd
}  // namespace bp
