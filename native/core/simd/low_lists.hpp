// Each column's smallest nonzero |y|, kept by the counted first read on sparse
// data at small radii (KernelTable::column_max_sum_count_low_f64 and _f32,
// the float one storing the widened |y|, exact as doubles): at such
// radii nearly every nonzero of a surviving column is active, so the
// column's count and sum of nonzeros settle phi_j(x) for every x below the
// smallest entry not listed, and the exact method solves those columns
// without reading them again (docs/exact-stream.md, "Round thirty").
#pragma once

#include <cstddef>
#include <cstdint>

namespace bp {
namespace simd {

// Column j's list is vals[j * cap .. j * cap + n[j]), in no particular order
// (the same order for the same data: each column is read in row order).
// Invariant after the read: it holds every |y| of column j with
// 0 < |y| < bound[j], and nothing else. A full list keeps its smaller half
// and lowers bound[j] to the smallest entry it let go, so the bound only
// falls. bound[j] starts at the caller's choice (+inf lists everything that
// fits).
struct LowLists {
  std::size_t cap = 0;  // slots a column (even, at least 2)
  double* vals = nullptr;
  std::uint32_t* n = nullptr;
  double* bound = nullptr;
};

}  // namespace simd
}  // namespace bp
