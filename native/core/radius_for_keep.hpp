// The radius at which a projection keeps a given number of groups: the
// inverse of "how many groups survive radius eta", in closed form from the
// group norms (docs/radius-for-keep.md derives it).
#pragma once

#include <cstddef>

#include "status.hpp"

namespace bp {

// Keep in step with the binding and lib/radius-for-keep.ts.
enum class KeepProjection : int {
  kBilevelL1Inf = 0,
  kBilevelL11 = 1,
  kBilevelL12 = 2,
  kExactL1Inf = 3,  // holds for both exact methods (Newton and sort)
};

// The largest radius whose projection of y keeps at most `keep` groups (a
// group is kept when it is not entirely zero), written to *radius.
//
// keep == 0 gives 0; keep >= the number of non-zero groups gives the mixed
// norm (everything is kept). Otherwise the breakpoint is computed in closed
// form, then checked against this library's own projection: if rounding
// inside the kernel would keep one group more at the breakpoint, the radius
// is stepped down from it by ulp-sized amounts, doubling, until it does not
// (in practice zero to two steps, well inside 1e-9 relative). For the
// bilevel projections the check replays their outer level on the norms they
// compute (O(groups) per step); the exact projection is run once or twice
// (Newton, with scratch for rows * cols entries of T), starting a few ulps of
// the threshold below the breakpoint (at most 5e-10 of it) so that the
// sort-based method agrees too.
//
// Ties: groups whose norm equals the (keep+1)-th largest enter together, so
// with a tie at the boundary the answer keeps fewer than `keep` groups.
template <class T>
Status radius_for_keep(const MatrixRef<T>& y, Groups g, KeepProjection p, std::size_t keep, double* radius);

}  // namespace bp
