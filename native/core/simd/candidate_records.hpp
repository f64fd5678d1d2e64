// The candidates of many columns as one list of records, in row order: the
// copy of the exact method's top-list strategy (topk_thresholds.cpp) when
// the failing columns' candidates are dense. Reading every row and packing
// the entries that reach their column's bound, without a branch, costs about
// one read of the matrix whatever the density; the per-column copies it
// replaces either branched on every vector (and missed when a third of them
// held a candidate) or read each failing column's entries one at a time.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel_table.hpp"

namespace bp {
namespace simd {

// The loops (CandidateRecords, kernel_table.hpp, says what they write) put
// into a kernel table: the scalar ones always, the AVX2 ones when `avx2`
// (the table's own CPU check has been made by then) and the build has x86
// vectors.
void take_candidate_records(KernelTable& t, bool avx2);

inline std::size_t candidate_records(const KernelTable& k, const double* y, std::size_t n, std::size_t stride,
                                     std::size_t c0, std::size_t c1, double scale, const double* bound,
                                     std::uint32_t* col, double* val, std::size_t cap, std::size_t* count) {
  return k.candidate_records_f64(y, n, stride, c0, c1, scale, bound, col, val, cap, count);
}
inline std::size_t candidate_records(const KernelTable& k, const float* y, std::size_t n, std::size_t stride,
                                     std::size_t c0, std::size_t c1, double scale, const double* bound,
                                     std::uint32_t* col, double* val, std::size_t cap, std::size_t* count) {
  return k.candidate_records_f32(y, n, stride, c0, c1, scale, bound, col, val, cap, count);
}

// The band's records (KernelTable::BandRecords): entries at or above their
// column's upper level counted and summed, those between the levels recorded,
// each column's in row order (across columns, in blocks: not the row order).
inline std::size_t band_records(const KernelTable& k, const double* y, std::size_t n, std::size_t stride,
                                std::size_t c0, std::size_t c1, double scale, const double* bound, const double* upper,
                                double* cnt, double* s, double* c, std::uint32_t* col, double* val, std::size_t cap,
                                std::size_t* count) {
  return k.band_records_f64(y, n, stride, c0, c1, scale, bound, upper, cnt, s, c, col, val, cap, count);
}
inline std::size_t band_records(const KernelTable& k, const float* y, std::size_t n, std::size_t stride, std::size_t c0,
                                std::size_t c1, double scale, const double* bound, const double* upper, double* cnt,
                                double* s, double* c, std::uint32_t* col, double* val, std::size_t cap,
                                std::size_t* count) {
  return k.band_records_f32(y, n, stride, c0, c1, scale, bound, upper, cnt, s, c, col, val, cap, count);
}

// The failing columns' candidates gathered by index into their segments
// (KernelTable::ColumnSegments): the copy of topk_thresholds.cpp when a
// share of the columns too small for the records fails. In AVX2, four rows
// of a column a step: one packed store instead of four, and one move of the
// column's slot (docs/exact-stream.md, round thirteen).
inline void column_segments(const KernelTable& k, const double* y, std::size_t n, std::size_t stride,
                            const std::size_t* cols, std::size_t nf, double scale, const double* bound,
                            std::size_t* pos, const std::size_t* end, double* out) {
  k.column_segments_f64(y, n, stride, cols, nf, scale, bound, pos, end, out);
}
inline void column_segments(const KernelTable& k, const float* y, std::size_t n, std::size_t stride,
                            const std::size_t* cols, std::size_t nf, double scale, const double* bound,
                            std::size_t* pos, const std::size_t* end, double* out) {
  k.column_segments_f32(y, n, stride, cols, nf, scale, bound, pos, end, out);
}

}  // namespace simd
}  // namespace bp
