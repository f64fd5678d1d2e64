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

namespace bp {
namespace simd {

// Rows [0, n) of columns [c0, c1) of a row-major matrix with `stride`
// columns: every entry whose a = |y| * scale reaches bound[j] (NaN never
// does) is appended as col[w] = j, val[w] = a, w counting on from *count, row
// after row and within a row by column. A row is started only while
// *count + (c1 - c0) <= cap, so that all of its records fit (and so do the
// whole-vector stores of the AVX2 loop, which write past the last record of
// a row but never past where that row could reach). Returns the rows done;
// *count is the records held.
template <class T>
using CandidateRecords = std::size_t (*)(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                                         double scale, const double* bound, std::uint32_t* col, double* val,
                                         std::size_t cap, std::size_t* count);

struct RecordKernels {
  CandidateRecords<double> f64 = nullptr;
  CandidateRecords<float> f32 = nullptr;
  bool vector = false;  // packed in vector lanes (AVX2), not one entry at a time
};

// The AVX2 loops where the CPU runs them, else the scalar ones.
const RecordKernels& record_kernels();
// The scalar loops (the same records), for the tests.
const RecordKernels& scalar_record_kernels();

inline std::size_t candidate_records(const RecordKernels& k, const double* y, std::size_t n, std::size_t stride,
                                     std::size_t c0, std::size_t c1, double scale, const double* bound,
                                     std::uint32_t* col, double* val, std::size_t cap, std::size_t* count) {
  return k.f64(y, n, stride, c0, c1, scale, bound, col, val, cap, count);
}
inline std::size_t candidate_records(const RecordKernels& k, const float* y, std::size_t n, std::size_t stride,
                                     std::size_t c0, std::size_t c1, double scale, const double* bound,
                                     std::uint32_t* col, double* val, std::size_t cap, std::size_t* count) {
  return k.f32(y, n, stride, c0, c1, scale, bound, col, val, cap, count);
}

}  // namespace simd
}  // namespace bp
