// Euclidean projection onto the l1 ball, in expected linear time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "scratch.hpp"

#include "status.hpp"

namespace bp {

// Soft threshold tau >= 0 such that sum_i max(a_i - tau, 0) == radius, for
// non-negative finite a_i whose sum exceeds radius > 0. Returns 0 when the sum
// does not exceed the radius (the ball already contains the vector).
//
// `a` is scratch: the routine reorders and overwrites it. Branch-free pivot
// passes over a shrinking candidate set (the online filter takes over when
// the entries are spread so that passes drop few), with the final tau
// recomputed from the surviving set with a compensated sum so that the result
// is as accurate as the data allow.
double l1_threshold_inplace(double* a, std::size_t k, double radius);

// One read of src[0, k) (group norms: >= 0 unless a NaN) that copies it into
// dst and gives its largest entry, whether every entry is finite, and the
// plain sum l1_threshold_inplace starts from (its bits: the same lanes and
// order). Meaningful only when finite. With dst null, the same without the
// copy (the largest entry and the finiteness test alone are what bilevel_radii
// needs at eta = 0).
struct L1CopySum {
  double sum;
  double largest;
  bool finite;
};
L1CopySum l1_copy_sum(const double* src, std::size_t k, double* dst);

// l1_threshold_inplace(a, k, radius) without its first pass: sum is
// l1_copy_sum(...).sum of the a it copied (a unchanged since). The same
// result, bit for bit.
double l1_threshold_inplace_summed(double* a, std::size_t k, double radius, double sum);

struct L1Scan {
  double tau;      // threshold of |v| * scale for the radius
  double max_abs;  // largest |v| * scale (infinite if an entry is)
  bool nan;        // an entry is NaN
};

// The scan's blocks: entries [b * kL1Block, (b + 1) * kL1Block) of v.
constexpr std::size_t kL1Block = 64;

// The threshold of |v_i| * scale, read in one pass without copying v: a
// lower bound of tau (the exact threshold of a first sample) lets whole
// blocks whose maximum is below it be skipped, and only entries above it are
// buffered in `buf`; the bound rises as candidates accumulate. Also reports
// the largest entry and whether any is NaN, so that it doubles as the
// input check.
//
// When `live` is given it receives one bit per block (bit b % 64 of word
// b / 64): clear only where every |v| * scale of block b is at or below the
// returned tau, so that the block's projection is known to be zero without
// reading it again.
template <class T>
L1Scan l1_threshold_scan(const T* v, std::size_t n, double radius, double scale, ScratchVector<double>& buf,
                         ScratchVector<std::uint64_t>* live = nullptr);

// Projection of v (length n) onto {x : ||x||_1 <= eta} into out (may alias v).
// eta must be finite and >= 0. Every entry of v is checked before out is
// written.
template <class T>
Status project_l1_ball(const T* v, std::size_t n, double eta, T* out);

}  // namespace bp
