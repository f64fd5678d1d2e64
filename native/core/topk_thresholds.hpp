// The exact l1,inf thresholds from each column's largest entries (large
// radii): Newton runs on the kColumnTop largest entries per column, gathered
// by the first pass (column_topk.hpp), and the answer is checked against the
// optimality conditions of the whole problem; columns that fail the check are
// gathered whole and the problem solved again. See docs/exact-stream.md,
// "Top entries in the first pass".
#pragma once

#include <cstddef>

#include "exact_stream.hpp"
#include "scratch.hpp"
#include "status.hpp"

namespace bp {

// Groups = columns; p.top holds the lists (as T). alive: the groups with
// s_j > theta0, theta0 <= theta* (the envelope start). Returns false when the
// lists do not settle the problem with few whole columns (the caller goes on
// with its other strategies, which write all of mu); otherwise *end says how
// it ended, and on kConverged mu[0..ng) holds the thresholds.
// When it gives way after solving on the held entries at least once,
// *held_theta is that solve's theta, a lower bound of theta* (the held
// entries' phi_j lie below the whole columns'), and mu[0..ng) its thresholds,
// a start for the caller's Newton; else *held_theta is -inf.
template <class T>
bool topk_thresholds(const MatrixRef<T>& y, const ThresholdProblem& p, const ScratchVector<std::size_t>& alive,
                     double theta0, double* mu, StreamEnd* end, const StopToken& stop, double* held_theta);

// Exposed for the tests: what the last call on this thread did. Cleared by
// every exact projection (clear_topk_trace), so one that never reaches the
// lists reads as not tried, not as the call before it.
struct TopkTrace {
  bool tried = false;          // the lists were solved
  bool solved = false;         // and settled the problem (with the whole columns below)
  int rounds = 0;              // solves (1 + rounds of gathering)
  std::size_t whole = 0;       // columns gathered whole after failing the check
  int passes = 0;              // Newton steps, over all solves
  std::size_t failed = 0;      // columns that failed the last check
  std::size_t candidates = 0;  // room for the candidates of the failing columns (0: none copied)
  std::size_t overflow = 0;    // failing columns whose candidates outgrew it
  bool by_rows = false;        // the candidates were copied by a read of every row (else as records or by index)
  bool by_records = false;     // by a read of every row packing them as (column, value) records
  std::size_t at_risk = 0;     // passing columns copied with the failing ones (may fail at theta*)
  std::size_t trimmed = 0;     // candidates dropped by the solver's tangent bounds
  bool wide_room = false;      // the candidates' room passed half the entries (kWideRoom*)
};
TopkTrace last_topk_trace();
void clear_topk_trace();

// For the tests of the other strategies: false makes topk_thresholds give
// way at once. Returns the previous setting.
bool set_topk_enabled(bool on);

// For the tests: how the candidates of the failing columns are copied (the
// same entries either way): chosen by their room, or forced. Returns the
// previous setting.
enum class TopkCopy { kAuto, kByIndex, kByRows, kByRecords };
TopkCopy set_topk_copy(TopkCopy how);

// For the tests: false copies only the columns that fail the check, leaving
// those that fail later to be gathered whole. Returns the previous setting.
bool set_topk_at_risk(bool on);

// For the tests: false keeps every candidate through the solve (no trimming
// by the tangent bounds). Returns the previous setting.
bool set_topk_trim(bool on);

// For the tests: false makes topk_thresholds hand no start to the caller
// when it gives way (*held_theta stays -inf: the caller's passes start from
// the envelope). Returns the previous setting.
bool set_topk_hand_start(bool on);

// For the tests: false makes the lists give way whenever the candidates'
// room passes half the entries (the rule before the wider room). Returns
// the previous setting.
bool set_topk_wide_room(bool on);

namespace detail {
// For the tests: the held groups' compensated sums as the solver takes them
// (four segments at a time, each in its own order): out[g] = the sum of
// a[g][0 .. n[g]), entries >= 0, with CompensatedSum's bits.
void nonneg_sums_of(std::size_t count, const double* const* a, const std::size_t* n, double* out);
}  // namespace detail

}  // namespace bp
