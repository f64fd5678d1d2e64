// The paper's bilevel projections (Algorithms 1-3): project the vector of
// group norms onto the l1 ball of radius eta, then project each group onto
// the ball of its own radius u_j. O(rows * cols) time.
#pragma once

#include <cstddef>

#include "status.hpp"

namespace bp {

struct ProjectionResult {
  std::size_t zero_groups = 0;  // groups of out that are entirely zero
};

// Each writes the projection of y into out (out may equal y.data; it must not
// otherwise overlap it) and u_j into radii (length = number of groups).
// eta must be finite and >= 0. Non-finite entries give kNonFinite and leave
// out untouched. `stop` is polled once, just before out is written: an abort
// requested earlier gives kAborted with out untouched; later, out is written
// in full.
template <class T>
Status bilevel_l1inf(const MatrixRef<T>& y, Groups g, double eta, T* out, double* radii, ProjectionResult* res,
                     const StopToken& stop = {});
template <class T>
Status bilevel_l11(const MatrixRef<T>& y, Groups g, double eta, T* out, double* radii, ProjectionResult* res,
                   const StopToken& stop = {});
template <class T>
Status bilevel_l12(const MatrixRef<T>& y, Groups g, double eta, T* out, double* radii, ProjectionResult* res,
                   const StopToken& stop = {});

}  // namespace bp
