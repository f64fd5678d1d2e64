// The streaming exact method's start from a row sample (groups = columns).
//
// The rows i = 0, q, 2q, ... of Y hold about one q-th of each column, so each
// phi_j of the sample is about phi_j / q and the sample's own projection onto
// the same ball has thresholds near the full problem's. From them, per
// column, a guess lo_j of a lower bound of mu_j*; one pass copies the entries
// at or above lo_j, and Newton runs on that copy. The copy's phi_j equals
// the full phi_j on [lo_j, inf), so wherever the copy's solution keeps
// mu_j >= lo_j (or mu_j = 0 with the column's true l1 norm at most theta) it
// meets the full problem's optimality conditions and is its unique solution.
// Columns that fail that check are gathered whole and the copy solved again:
// the guesses only decide the cost, never the result. See
// docs/exact-stream.md, "A start from a row sample".
//
// Where the sample's own l1,inf norm is below the radius (heavy tails at large
// radii: it misses the columns' few huge entries) there is no sample problem;
// each column's level is estimated instead from its exact top list and the
// sample's bounded terms min(|y|, x), and the columns with many active entries
// are copied only between two guessed levels, their entries above the upper one
// counted and summed (the band, exact_band.hpp; the check then also asks
// mu_j <= the upper level). docs/exact-stream.md, round seven.
#pragma once

#include <cstddef>

#include "exact_stream.hpp"
#include "scratch.hpp"
#include "status.hpp"

namespace bp {

// What the sampled start did, for the trace.
struct SampledEnd {
  bool taken = false;      // the copy was made (one full pass) and solved
  int sample_passes = 0;   // passes over the sample (and its own samples)
  int compact_passes = 0;  // passes over the copy
  int regathered = 0;      // rounds that gathered failing columns whole
  std::size_t reused = 0;  // columns whose first pass of a round after a regather took the last round's stats
  int banded = 0;          // columns copied only between two levels (see below)
  std::size_t room = 0;    // entries the copy was sized for (taken or refused)
  std::size_t early = 0;   // banded columns gathered whole before the first round (past their upper level)
};

// The last call's SampledEnd on this thread (for the tests).
SampledEnd last_sampled_end();
// For the tests: the band off (the copy above the lower guesses only), or
// its width scaled (a small scale puts levels on the wrong side of mu_j*,
// so that the check and the gather behind it run).
void set_sampled_band(bool on);
void set_sampled_band_width(double scale);
// For the tests: the banded columns that will fail the check (their phi at
// the upper level past theta_e) gathered before the first round (on), or
// left to the check after it (off).
void set_sampled_early_gather(bool on);

// The sample's row step for a matrix of `rows` rows, or 0 when the sampled
// columns would be too short to say anything about the full ones.
std::size_t sample_row_step(std::size_t rows);

// Solves the problem p (groups = the columns of y; `alive` the groups with
// s_j above a lower bound of theta*) by the sampled start. Returns false
// when it declines (the sample promises no short copy) or gives up; mu_out
// is then untouched and *end says what was spent. On true, *result is
// kConverged (mu_out[0..ng) holds the thresholds) or kStopped.
template <class T>
bool sampled_thresholds(const MatrixRef<T>& y, const ThresholdProblem& p, const ScratchVector<std::size_t>& alive,
                        double* mu_out, StreamEnd* result, SampledEnd* end, const StopToken& stop);

}  // namespace bp
