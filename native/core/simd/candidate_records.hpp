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

}  // namespace simd
}  // namespace bp
