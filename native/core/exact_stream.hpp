// The exact l1,inf thresholds by semismooth Newton on streaming count-and-sum
// passes: no candidate lists, scratch O(groups).
//
// Each Newton iteration needs, per group, only the number k_j and sum S_j of
// the entries at or above the current threshold mu_j. With groups = columns
// of a row-major matrix those are per-column accumulators updated row by row,
// so a pass reads the matrix once, in order, and copies nothing. When few
// groups can still survive (small radii, heavy tails) their entries are
// copied once into a small contiguous buffer and the remaining passes read
// only that.
//
// The start comes from two free lower bounds of phi_j(mu) = sum_i (a_ij - mu)+
// (s_j - len * mu and max_j - mu): at small radii nearly every entry of a
// surviving group is active, at large radii only the top few are, and the
// envelope picks the right one per group. See docs/exact-stream.md.
#pragma once

#include <cstddef>

#include "simd/low_lists.hpp"
#include "status.hpp"

namespace bp {

// The problem in scaled units: mx[j] and s[j] are the largest |y| and the sum
// of |y| of group j times `scale`; eta is the scaled radius, below the norm.
struct ThresholdProblem {
  std::size_t ng = 0;
  std::size_t len = 0;
  double scale = 1.0;
  double eta = 0.0;
  const double* mx = nullptr;
  const double* s = nullptr;
  // Groups = columns: the kColumnTop largest |y| of each column, as the
  // matrix's T (column_topk.hpp), or null when the first pass did not keep them.
  const void* top = nullptr;
  // Optional: nz[j] = the number of entries of group j that are not zero.
  // Zeros never count in phi_j at a threshold >= 0, so with it every bound
  // uses nz[j] where it would use len (tight on sparse data); null = len.
  const double* nz = nullptr;
  // Optional, with nz and scale 1: each column's nonzero |y| below a bound
  // (simd/low_lists.hpp), kept by the first read at small radii. A surviving
  // column whose threshold provably lies below its bound is solved from nz,
  // s and its list, without being read again (docs/exact-stream.md, round
  // thirty); null = every survivor is gathered.
  const simd::LowLists* low = nullptr;
};

enum class StreamEnd { kConverged, kIterationCap, kStopped };

// mu[0..ng) receives the clipping thresholds (scaled units) on kConverged.
// `stop` is polled between passes.
template <class T>
StreamEnd stream_thresholds(const MatrixRef<T>& y, Groups g, const ThresholdProblem& p, double* mu,
                            const StopToken& stop);

// Whether the caller should count each group's nonzeros for
// ThresholdProblem::nz (the count costs about a third of a memcpy on the
// first read): groups = columns of at least 512 entries (shorter columns are
// gathered whole cheaply anyway: 100 x 80000 sparse, eta = 1, was slower
// with the count), a sample of rows at least half zeros, and eta small next
// to the sample's own l1,inf norm (few columns survive; at large radii the
// first read keeps each column's top entries instead). With sampled_norm,
// *sampled_norm gets that sample's l1,inf norm (0 where none was taken).
template <class T>
bool stream_wants_nonzeros(const MatrixRef<T>& y, Groups g, double eta, double* sampled_norm = nullptr);

// Exposed for the tests: the start of the iteration, theta_0 <= theta*, the
// root of sum_j max(0, (s_j - theta) / len, mx_j - theta) = eta.
double envelope_theta(const ThresholdProblem& p);

// Exposed for the tests: the number of passes over the matrix (or over the
// compact copy) of the last call on this thread, and what it compacted.
struct StreamTrace {
  int full_passes = 0;
  int compact_passes = 0;
  bool compacted = false;
  bool candidates = false;       // the copy kept only entries above lower bounds of mu_j*
  bool gathered = false;         // whole groups copied before any pass, column by column
  bool below = false;            // solved on the entries below upper bounds of mu_j*, listed in one pass
  bool below_overflow = false;   // that list was tried and outgrew its budget (a pass lost)
  bool gap_exit = false;         // stopped without the confirming pass (the thresholds stayed in their gaps)
  bool banded = false;           // copied the entries between lower and upper bounds of mu_j*, counted those above
  std::size_t band_room = 0;     // the band copy's slots (its block's size, spare slots included)
  std::size_t band_held = 0;     // the entries it held
  std::size_t band_cut = 0;      // columns whose room left out the last pass's active entries (counted above)
  bool band_lost = false;        // a column's band outgrew its room (entries lost: a bug, or memory changed)
  bool sampled = false;          // solved on a copy above bounds guessed from a row sample (one full pass)
  int sample_passes = 0;         // passes over the sample (its solve's, and the bounds'), about
  int sample_regathered = 0;     // rounds that gathered whole the columns the guessed bounds failed
  bool nonzeros = false;         // the caller counted each group's nonzeros (sparse data): the bounds used them
  std::size_t low_settled = 0;   // survivors solved from their count, sum and low list (not read again)
  std::size_t low_gathered = 0;  // survivors read again by the few-groups gather
  bool low_fallback = false;     // a listed column's threshold passed its bound: solved again with the gather
};
StreamTrace last_stream_trace();
// The smallest matrix (entries) on which the column passes may make the band
// copy; returns the previous value. For tests, which force the band on small
// matrices.
std::size_t set_stream_band_min_entries(std::size_t entries);
// The most survivors' entries the few-groups gather copies where no rule for
// larger copies applies (4 MB of doubles); returns the previous value. For
// tests, which reach those rules (counted nonzeros of sparse data) on small
// matrices.
std::size_t set_stream_gather_max_entries(std::size_t entries);

// Test hook: with force, the solve from the first read's low lists fails
// its checks and solves the call again with every survivor gathered (its
// fallback); returns the previous setting. Only speed and the trace depend
// on it.
bool set_stream_low_fallback(bool force);

}  // namespace bp
