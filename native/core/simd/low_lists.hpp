// Each column's smallest nonzero |y|, kept by the counted first read on sparse
// data at small radii (KernelTable::column_max_sum_count_low_f64 and _f32,
// the float one storing the widened |y|, exact as doubles): at such
// radii nearly every nonzero of a surviving column is active, so the
// column's count and sum of nonzeros settle phi_j(x) for every x below the
// smallest entry not listed, and the exact method solves those columns
// without reading them again (docs/exact-stream.md, "Round thirty").
#pragma once

#include <algorithm>
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

// The first reads stage the entries below their bounds before filing them
// (double_count_avx512.cpp, float_count_avx512.cpp): a step of up to
// kLowStageRows rows compresses each row's vector of `lanes` entries and
// stores it whole at the stage's end, and only then checks the stage's
// room. A step starts at most full, so its last store ends at most
// kLowStageRows * lanes slots past the room: the slack each stage has.
constexpr std::size_t kLowStageRows = 8;
constexpr std::size_t low_stage_slack(std::size_t lanes) {
  return kLowStageRows * lanes;
}
static_assert(low_stage_slack(8) == 64 && low_stage_slack(16) == 128,
              "the stages of the double (8 lanes) and float (16 lanes) reads");

// Puts v (a nonzero |y| of column j below its bound) into column j's list; a
// full list keeps the smaller half of its slots and lowers its bound to the
// smallest entry it let go (every equal one dropped too), so it still holds
// exactly the nonzeros below its bound. Returns whether the bound fell. The
// double and float reads' flushes (double_count_avx512.cpp,
// float_count_avx512.cpp) both file their waiting entries through it.
inline bool add_to_low_list(const LowLists& l, std::size_t j, double v) {
  double* vals = l.vals + j * l.cap;
  std::uint32_t& n = l.n[j];
  vals[n++] = v;
  if (n < l.cap) return false;
  const std::size_t half = l.cap / 2;
  std::nth_element(vals, vals + half, vals + l.cap);
  const double cut = vals[half];
  std::uint32_t w = 0;
  for (std::size_t r = 0; r < half; ++r)
    if (vals[r] < cut) vals[w++] = vals[r];
  n = w;
  l.bound[j] = cut;
  return true;
}

}  // namespace simd
}  // namespace bp
