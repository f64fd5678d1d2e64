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
  kExactL1Inf = 3,  // checked against every exact method (stream, Newton, sort)
};

// The largest radius whose projection of y keeps at most `keep` groups (a
// group is kept when it is not entirely zero), written to *radius.
//
// keep == 0 gives 0; keep >= the number of non-zero groups gives the mixed
// norm (everything is kept). Otherwise the breakpoint is computed in closed
// form, then checked by running this library's own projection once: if
// rounding inside the kernel would keep one group more at the breakpoint, the
// radius is stepped down from it by ulp-sized amounts, doubling, until it
// does not (in practice one or two steps, well inside 1e-9 relative). That
// check needs scratch for one projection (rows * cols entries of T).
//
// Ties: groups whose norm equals the (keep+1)-th largest enter together, so
// with a tie at the boundary the answer keeps fewer than `keep` groups.
template <class T>
Status radius_for_keep(const MatrixRef<T>& y, Groups g, KeepProjection p, std::size_t keep, double* radius);

}  // namespace bp
