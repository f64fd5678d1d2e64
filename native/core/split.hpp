// The bilevel projections cut into their three steps, so that a matrix that
// is streamed from disk or sharded across workers can be projected one block
// at a time:
//
//   1. map:    group_norms of each block (linf, l1 or l2 per group);
//              combine_group_norms merges the norms of blocks that split the
//              same groups;
//   2. reduce: bilevel_radii, the l1-ball projection of the m group norms;
//   3. map:    apply_radii on each block (clip for l1,inf, scale for l1,2,
//              soft threshold per group for l1,1: blocks of whole groups).
//
// The one-shot bilevel_l1inf and bilevel_l12 (bilevel.cpp) are built from
// these very functions, so a split that gives the same norms gives the same
// bytes. What is exact and what is not is written down in docs/split.md.
#pragma once

#include <cstddef>

#include "status.hpp"

namespace bp {

enum class GroupNormKind : int {
  kLInf = 0,  // max |y| over the group
  kL1 = 1,    // sum of |y| over the group
  kL2 = 2,    // Euclidean norm, free of overflow and underflow in between
};

enum class ApplyKind : int {
  kClip = 0,   // bilevel l1,inf: each group clipped to [-u_j, u_j]
  kScale = 1,  // bilevel l1,2: each group scaled by u_j / ||y_j||_2
  // bilevel l1,1: each group projected onto the l1 ball of radius u_j (a soft
  // threshold found from all of the group: the block must hold whole groups;
  // norms and mx unused, see project_groups_l1_checked)
  kShrink = 2,
};

// norms[j] = the kind's norm of group j of y (length group_count). Only
// kNonFinite (a NaN or infinite entry; norms is then unspecified) or
// kOutOfMemory can fail. A finite matrix whose true l1 or l2 group norm
// exceeds the largest double gets +infinity there.
template <class T>
Status group_norms(const MatrixRef<T>& y, Groups g, GroupNormKind kind, double* norms);

// out[j] = the norm of the union of two disjoint parts of group j whose norms
// are a[j] and b[j]: max, sum, or hypot (computed without overflow or
// underflow). out may alias a or b. max is exact and order-free; sum and
// hypot round once per call, so their results depend on the order of the
// combination (see docs/split.md).
void combine_group_norms(GroupNormKind kind, const double* a, const double* b, std::size_t k, double* out);

// The outer step: radii = the projection of norms (k finite entries >= 0)
// onto the l1 ball of radius eta (finite, >= 0), and *threshold the soft
// threshold tau of that projection (radii[j] = max(norms[j] - tau, 0)): 0
// when the norms are inside the ball, max(norms) when eta is 0.
Status bilevel_radii(const double* norms, std::size_t k, double eta, double* radii, double* threshold);

// The inner step on one block: out = the block with group j clipped to
// radii[j] (kClip) or scaled by radii[j] / norms[j] (kScale; norms[j] = 0
// gives zeros). norms is the whole groups' l2 norms for kScale and unused
// for kClip. out may equal y.data (in place) and must not otherwise overlap
// it. Returns a count of zero groups: with mx = the groups' largest |y| over
// the block, those of out; with mx = their largest |y| over the whole
// matrix, those of the whole projection (the one-shot count: a group that
// is zero there is zero in every block); with mx null, the groups whose map
// parameter (the radius rounded to T, or the scale factor) is zero.
//
// Unlike the one-shot call, this step cannot rely on its own norms pass, so
// it checks the block for NaN and infinity (kNonFinite) itself. In place
// (out == y.data) every entry is checked before the first write, and y is
// left as it was. Into a separate out the check rides along the write (no
// extra read of memory); on a non-finite entry out is filled with NaN, so
// that no half-written block can pass for a projection, and y is untouched.
template <class T>
Status apply_radii(const MatrixRef<T>& y, Groups g, ApplyKind kind, const double* radii, const double* norms,
                   const double* mx, T* out, std::size_t* zero_groups);

// The write alone, for callers that have checked y already (the one-shot
// projections, whose norms pass did): returns the zero-group count above.
template <class T>
std::size_t apply_radii_unchecked(const MatrixRef<T>& y, Groups g, ApplyKind kind, const double* radii,
                                  const double* norms, const double* mx, T* out);

// The l1-ball threshold search across shards: *count and *sum of the |v_i|
// that are > tau (sum with a compensated sum, in double). *nan is set when an
// entry is NaN (the stats are then unspecified); an infinite |v_i| above tau
// makes the sum infinite.
template <class T>
void l1_ball_threshold_stats(const T* v, std::size_t n, double tau, double* count, double* sum, bool* nan);

}  // namespace bp
