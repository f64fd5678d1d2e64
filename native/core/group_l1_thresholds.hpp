// The inner step of the bilevel l1,1 projection: for every group j, the soft
// threshold lambda_j of the projection of y_j onto the l1 ball of radius
// radius[j]. The one-shot bilevel_l11 and the split step apply_radii (kind
// kShrink) both call this, so that the same radii give the same bytes.
//
// Each group's threshold is computed from that group's entries, radius, max
// and sum alone, in one fixed order (its entries in index order), whatever
// the matrix around it, the tiling or the thread count: a block that holds
// whole groups gets the very thresholds of the whole matrix.
#pragma once

#include <cstddef>

#include "status.hpp"

namespace bp {

// lambda[j] (unscaled) for every group j of y, where
//   scale     is a power of two (1 unless sums would overflow), exact both ways;
//   radius[j] is the l1 radius of group j in units of scale (>= 0, finite);
//   mx[j]     is max |y| over group j (unscaled);
//   sum[j]    is sum |y| * scale over group j (finite), as a sum in double
//             rounds it: at most a relative 2^-20 below the exact sum (the
//             float path's proof that its partial sums are exact counts on
//             it: exact_float_sums in the .cpp).
// A group with radius 0 gets +infinity (soft thresholding sends it to zero);
// one whose sum is at most its radius gets 0 (kept whole); the others get the
// threshold to the accuracy of l1_threshold_inplace (compensated final sum,
// then raised until the kept mass fits in the radius; with column groups the
// fit is mostly proved from the compensated sum, see docs/bilevel-l11.md).
// Throws std::bad_alloc.
template <class T>
void group_l1_thresholds(const MatrixRef<T>& y, Groups g, double scale, const double* radius, const double* mx,
                         const double* sum, double* lambda);

// The whole inner step, in unscaled units: out = y with group j soft
// thresholded onto the l1 ball of radius radii[j] (finite, >= 0), given the
// groups' maxima mx and l1 norms sum (finite, as group_norms computes them:
// every partial sum of the search is then finite too, so no scaling is
// needed). Returns how many groups of out are entirely zero. out may equal
// y.data. Throws std::bad_alloc.
template <class T>
std::size_t project_groups_l1(const MatrixRef<T>& y, Groups g, const double* radii, const double* mx, const double* sum,
                              T* out);

// The split step apply_radii(kShrink) on a block of whole groups: reads the
// block's group maxima and l1 norms first, which is also its NaN/infinity
// check (kNonFinite, nothing written), then project_groups_l1 with radii
// (unscaled, finite, >= 0). Radii that come from bilevel_radii of these
// norms give the bytes of bilevel_l11 on the whole matrix. Should a group's
// l1 norm overflow (only with radii that came from elsewhere), the search is
// solved in units scaled by a power of two. Throws std::bad_alloc.
template <class T>
Status project_groups_l1_checked(const MatrixRef<T>& y, Groups g, const double* radii, T* out,
                                 std::size_t* zero_groups);

// Exposed for the tests: what the column-group search of the last call did
// (summed over its threads): lanes whose set was proved stable and inside
// the radius from the compensated pass alone (of which bound_raises only
// after raising their estimate by the bound's shortfall), lanes (per round) with an
// entry between the pass's filter and their estimate (not stable yet), and
// the kept passes and feasibility-raise passes the blocks still ran, and
// their plain and compensated passes. Set by every call with column groups,
// for the thread that made it (thread_local, as the top-list trace).
struct GroupL1Trace {
  std::size_t proved = 0;
  std::size_t bound_raises = 0;
  std::size_t unstable = 0;
  std::size_t kept_passes = 0;
  std::size_t raise_passes = 0;
  std::size_t plain_passes = 0;        // over the blocks' buffers, after the gather
  std::size_t compensated_passes = 0;  // rounds of the exact finish
  std::size_t exact_passes = 0;        // of which with l1_float_exact_gap
  GroupL1Trace& operator+=(const GroupL1Trace& o) {
    proved += o.proved;
    bound_raises += o.bound_raises;
    unstable += o.unstable;
    kept_passes += o.kept_passes;
    raise_passes += o.raise_passes;
    plain_passes += o.plain_passes;
    compensated_passes += o.compensated_passes;
    exact_passes += o.exact_passes;
    return *this;
  }
};
GroupL1Trace last_group_l1_trace();

// Tests only: off makes every lane take the kept pass (the search as it was
// before the proofs), to compare the two. On by default.
void group_l1_prove_stable_sets(bool on);

// Tests only: off makes the float buffer's search take the compensated pass
// even where its sums are proved exact (the plain pass with a zero error
// then, l1_float_exact_gap), to compare the two. On by default. Returns
// whether this CPU's table has that loop.
bool group_l1_exact_float_sums(bool on);

// Tests only: off makes a float matrix's column search use the double
// buffer even where the table has the float-buffer loops, to compare the
// two. On by default. Returns whether this CPU's table has those loops.
bool group_l1_float_buffer(bool on);

// Tests only: off makes the exact finish's lane arithmetic run lane by lane
// (lane_estimates_scalar) even where the table has the vector loop
// (l1_lane_estimates), to compare the two. On by default. Returns whether
// this CPU's table has that loop.
bool group_l1_vector_lanes(bool on);

// The reference of the table's l1_lane_estimates (tests compare them): for
// each of the 8 lanes, tau = the estimate (sum + err - r) / count rounded
// up, and proved = the threshold proved from it (tau, or tau raised by the
// bound) where the set is stable (high <= tau < low), NaN otherwise.
void lane_estimates_scalar(const double* sum, const double* err, const double* count, const double* r,
                           const double* low, const double* high, std::size_t n, double* tau, double* proved);

}  // namespace bp
