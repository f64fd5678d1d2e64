#include "topk_thresholds.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include "column_topk.hpp"
#include "exact_survivors.hpp"
#include "numeric.hpp"
#include "parallel.hpp"
#include "scratch.hpp"
#include "simd/candidate_records.hpp"
#include "simd/kernel_table.hpp"
#include "stream_store.hpp"

namespace bp {
namespace {

// As the other solvers of exact_stream.cpp: never reached in the tests.
constexpr int kMaxPasses = 200;
// Solves on lists, each after gathering the columns that failed the check.
constexpr int kMaxRounds = 4;
// Whole columns are gathered by index, row after row: each costs a cache
// line per row, so past a sixteenth of the columns the gathering would cost
// about a pass and the other strategies are better.
constexpr std::size_t kWholeShare = 16;
// As in exact_stream.cpp: short columns are not worth the bounds.
constexpr std::size_t kCandidateMinLen = 512;
// The candidates of the failing columns are copied by a read of every row
// when their room is at most this share of the entries, else as records
// (kRecordShare) or by index.
constexpr std::size_t kDenseRoom = 8;
// Except on rows of at least kIndexRowCols columns with an eighth of them
// failing or more (kIndexShare): there the copy by index (four rows of a
// column a step since the kernel table has it) beat the read of every row.
// Paired against it, Cauchy 0.9 (docs/exact-stream.md, round thirteen):
// 1000 x 8000 0.82-0.97 (15-22 % of the columns failing), 4000 x 4000
// 0.95-0.99; on 8000 x 1000 it lost (1.03-1.07, 9-27 % failing), which
// keeps the read of every row. An empirical cut between the measured row
// lengths (1000 lost, 4000 and 8000 won), not a derived one, so it is held
// to them: rows longer than kIndexRowColsMax (100 x 80000 was not measured)
// keep the read of every row too.
constexpr std::size_t kIndexRowCols = 4000;
constexpr std::size_t kIndexRowColsMax = 8000;
constexpr std::size_t kIndexShare = 8;
// And wherever the room is at least half of the failing columns' own entries
// (their bounds leave out less than half): the read of every row then tests
// and copies nearly every entry of those columns and reads the others' too,
// while the copy by index reads only theirs (a sparse set of columns walked
// down blocks of rows since round sixteen). 8000 x 1000 Cauchy 0.5 seeds 8
// and 19 (73 and 87 columns failing, rooms 93-94 % of their entries): 0.69-0.76
// of the time; Cauchy 0.9 seeds 3, 4, 5 (rooms 2-11 %) lost 5-30 % by index
// and keep the read (docs/exact-stream.md, round eighteen). Double data
// only: float32 was not timed (its read of every row costs half the bytes),
// nor rooms between a quarter and nine tenths.
constexpr std::size_t kNearlyWholeNum = 1, kNearlyWholeDen = 2;
// The record copy splits the columns into parts of at least this many (one
// per thread), as the column passes do, and reads the rows in blocks whose
// records, at most this many (768 KB, 12 bytes each), stay in L2; a part
// wider than this reads one row at a time.
constexpr std::size_t kRecordPartMin = 256;
constexpr std::size_t kRecordBlock = std::size_t(1) << 16;
// The record copy reads every entry, four to a vector; the gather by index
// reads only the failing columns', one at a time. The records pay from
// about a third of the columns failing (4000 x 4000 Cauchy 0.9: 44 % failing,
// 5.2-5.5 -> 4.6-4.8x a memcpy; 23 % failing, 5.5 -> 5.6-5.9x).
constexpr std::size_t kRecordShare = 3;
// The candidates' room may take up to this share of the entries (only the
// pages that receive candidates are touched). Half, not a quarter: on
// 8000 x 1000 Cauchy 0.9 seed 2 (47 % of the columns failing, room 25.4 %)
// and 1000 x 8000 seed 3 the lists gave way to the column passes, at 6.6-10.5x
// a memcpy; copying the candidates took 3.8-6.7x.
constexpr std::size_t kRoomShare = 2;
// Past half, up to five eighths of the entries, when the room is at most
// nine tenths of the failing columns' own entries (their bounds leave out a
// tenth or more). The passes the lists give way to cost 7 or 8 reads of the
// matrix there. On 4000 x 4000 Cauchy 0.9 the lists gave way on 13 seeds of
// 150 (docs/exact-stream.md, round eight); copying paid on the six whose
// room was 54-62 % of the entries and 82-88 % of their failing columns'
// (paired, 0.68-0.85 of the time), and not on those at 65-70 % and 91-95 %
// (1.14, 1.18, about 1.0), nor on the tall 8000 x 1000 seed 6 (62 % and
// 95 %: 1.08, where the sampled band of exact_start.cpp is taken instead).
// Both cut-offs are fitted on those seeds (4000 x 4000 Cauchy 0.9, seeds
// 1-150) and sit between the last that gained and the first that lost; the
// tall seeds 37 and 43 gained, out of that sample. A cost rule only: any
// room gives the same result.
// Doubles only: a float pass reads half the bytes while the candidates are
// copied as doubles, and the same float cells went 1.09-1.14 slower. And
// only where a block of records (kRecordBlock entries) spans at least
// kWideRoomRows rows: on 1000 x 8000 Cauchy 0.9 (4 seeds of 110, 5200-5400
// columns failing) the copy lost (1.09-1.19); a block spans 8 rows there, so
// its moves spread over thousands of segments a few records each (16 rows
// at 4000 columns, 65 at 1000).
constexpr std::size_t kWideRoomNum = 5, kWideRoomDen = 8;
constexpr std::size_t kWideDensityNum = 9, kWideDensityDen = 10;
constexpr std::size_t kWideRoomRows = 16;
constexpr std::size_t kWideRoomCols = kRecordBlock / kWideRoomRows;  // 4096

thread_local TopkTrace t_trace;
std::atomic<bool> g_enabled{true};
std::atomic<TopkCopy> g_copy{TopkCopy::kAuto};
std::atomic<bool> g_at_risk{true};
std::atomic<bool> g_trim{true};
std::atomic<bool> g_hand_start{true};
std::atomic<bool> g_wide_room{true};

inline void group_stats(const double* r, std::size_t len, double u, double* k, double* s) {
  simd::kernels().group_stats_f64(r, len, 1.0, u, k, s);
}

// The problem as Newton sees it: group q (column id[q]) is the len[q]
// entries at at[q] (scaled |y|, any order), its whole column or its
// top list.
struct Groupset {
  ScratchVector<std::size_t> id, len;
  ScratchVector<const double*> at;  // where group q's entries start
  ScratchVector<double> total;      // l1 norm of what is held
  // Where group q's entries are ours to rewrite (the candidates' segments),
  // else null; with trim_hi an upper bound of theta* (+inf: none), the
  // solver drops from those the entries below a lower bound of mu_q*, and
  // raises floor[q] to that bound.
  ScratchVector<double*> own;
  double trim_hi = std::numeric_limits<double>::infinity();
  ScratchVector<double> floor;
};

// The passes of solve_held that trim the candidates: the first two, when
// the tangents are taken at the start and after one step.
constexpr int kTrimPasses = 2;

// Semismooth Newton on the held entries, from mu_start (or the envelope's
// start): any start is fine, since after one step theta is a lower bound
// of the held problem's root (each phi_j lies above its linearisations);
// theta, the floor below which groups are dropped, must be one already. Groups
// whose held l1 norm is at most theta are dropped. Returns false at the pass
// cap; on true, mu (length ng) holds the thresholds (0 for dropped groups)
// and *theta_out the final theta.
bool solve_held(const ThresholdProblem& p, Groupset& gs, double theta, const double* mu_start, double* mu_out,
                double* theta_out) {
  std::size_t na = gs.id.size();
  const double dlen = static_cast<double>(p.len);
  ScratchVector<std::size_t> q_of(na);
  ScratchVector<double> mu(na), k(na), S(na), prev_k(na, -1.0), prev_s(na, 0.0);
  for (std::size_t q = 0; q < na; ++q) {
    const std::size_t j = gs.id[q];
    q_of[q] = q;
    mu[q] = mu_start != nullptr ? mu_start[j] : std::max({0.0, (p.s[j] - theta) / dlen, p.mx[j] - theta});
  }
  bool alive_changed = true;
  std::size_t held = 0;
  for (std::size_t q = 0; q < na; ++q) held += gs.len[q];
  for (int pass = 0; pass < kMaxPasses && na > 0; ++pass) {
    parallel_ranges(na, 1, held, [&](std::size_t b, std::size_t e) {
      for (std::size_t q = b; q < e; ++q) {
        const std::size_t g = q_of[q];
        group_stats(gs.at[g], gs.len[g], mu[q], &k[q], &S[q]);
      }
    });
    ++t_trace.passes;
    bool same = !alive_changed;
    const double next = survivors_newton_step(p, gs.id.data(), q_of.data(), na, k.data(), S.data(), prev_k.data(),
                                              prev_s.data(), &same);
    if (same) {
      for (std::size_t j = 0; j < p.ng; ++j) mu_out[j] = 0.0;
      for (std::size_t q = 0; q < na; ++q) mu_out[gs.id[q_of[q]]] = std::max((S[q] - next) / k[q], 0.0);
      *theta_out = next;
      return true;
    }
    if (next > theta) theta = next;
    const std::size_t w = keep_survivors(na, theta, gs.total.data(), q_of.data(), mu.data(), k.data(), S.data(),
                                         prev_k.data(), prev_s.data());
    alive_changed = w != na;
    na = w;
    // The candidates of a failing column are every entry at or above a
    // lower bound of mu_j* that came from its top list, loose where the list
    // is far from the column (4000 x 4000 Cauchy 0.9: ~1900 held a column,
    // a few dozen active). phi_j lies above the tangent S - k x of this pass
    // (k entries >= mu summing to S), so at theta* <= trim_hi,
    // mu_j* >= (S - trim_hi) / k: the entries below it are never active, at
    // the held problem's root or the whole one's (theta below trim_hi
    // either way), and every later pass reads only the rest. Newton's
    // iterates stay above mu_j*, so the dropped entries were not counted
    // anyway; only the order of the sums' lanes changes. Trimmed in place,
    // in order; the bound is lowered a little for rounding.
    if (pass < kTrimPasses && gs.trim_hi < std::numeric_limits<double>::infinity()) {
      held = 0;
      for (std::size_t q = 0; q < na; ++q) {
        const std::size_t g = q_of[q];
        double* a = gs.own[g];
        if (a != nullptr && prev_k[q] > 0.0) {
          // The relative 1e-9 covers the division's rounding; the
          // subtraction's (about eps * S / k when prev_s is near trim_hi) is
          // covered by the relative 1e-9 theta_upper adds to trim_hi while
          // the column's sum S stays under about 1e7 times theta (past that,
          // an entry within a few ulps of mu_j* could be dropped).
          const double lo = below((prev_s[q] - gs.trim_hi) / prev_k[q] * (1.0 - 1e-9));
          if (lo > gs.floor[g]) {
            std::size_t kept = 0;
            for (std::size_t e = 0; e < gs.len[g]; ++e) {
              const double v = a[e];
              a[kept] = v;
              kept += static_cast<std::size_t>(v >= lo);
            }
            t_trace.trimmed += gs.len[g] - kept;
            gs.len[g] = kept;
            gs.floor[g] = lo;
          }
        }
        held += gs.len[g];
      }
    }
  }
  if (na > 0) return false;
  for (std::size_t j = 0; j < p.ng; ++j) mu_out[j] = 0.0;
  *theta_out = theta;
  return true;
}

// out[g] = the compensated sum of a[g][0 .. n[g]) (entries >= 0), as a
// CompensatedSum over them in order would give it (add_nonneg, numeric.hpp),
// four segments at a time: each keeps its own chain and order, so the bits
// are the same, but the four chains overlap and no branch is mispredicted
// (the candidates' sums, one at a time, were a third of this file's own time
// on 1000 x 8000 Cauchy 0.9).
template <class At>
void nonneg_sums(std::size_t count, At a, const std::size_t* n, double* out) {
  std::size_t g = 0;
  for (; g + 4 <= count; g += 4) {
    const double* p[4] = {a(g), a(g + 1), a(g + 2), a(g + 3)};
    double s[4] = {0.0, 0.0, 0.0, 0.0}, c[4] = {0.0, 0.0, 0.0, 0.0};
    const std::size_t common = std::min({n[g], n[g + 1], n[g + 2], n[g + 3]});
    for (std::size_t e = 0; e < common; ++e)
      for (std::size_t l = 0; l < 4; ++l) add_nonneg(s[l], c[l], p[l][e]);
    for (std::size_t l = 0; l < 4; ++l) {
      for (std::size_t e = common; e < n[g + l]; ++e) add_nonneg(s[l], c[l], p[l][e]);
      out[g + l] = s[l] + c[l];
    }
  }
  for (; g < count; ++g) {
    const double* p = a(g);
    double s = 0.0, c = 0.0;
    for (std::size_t e = 0; e < n[g]; ++e) add_nonneg(s, c, p[e]);
    out[g] = s + c;
  }
}

// The l1 norm of a copied column (candidates, or the whole column), which
// only decides drops in solve_held (a column dropped wrongly fails the check
// and is gathered): by the kernel table's stats loop at 0, every entry
// (plain lane sums a block, each block added compensated), instead of
// nonneg_sums' serial chains. On
// 8000 x 1000 Cauchy 0.5 seed 3 (186 columns copied nearly whole, 1.2 M
// candidates) those chains were 0.7 ms of a 15 ms call (perf); the sample's
// band copy sums its norm the same way (exact_start.cpp).
double held_l1(const double* a, std::size_t len) {
  double k = 0.0, s = 0.0;
  group_stats(a, len, 0.0, &k, &s);
  return s;
}
// Short copies (1000 x 8000 Cauchy 0.9: thousands of columns, dozens of
// candidates each) keep nonneg_sums' four chains, where a kernel call a
// column cost more than the chains (paired, about 5 % of the call there).
constexpr std::size_t kLongCopy = 512;
template <class At>
void copy_sums(std::size_t count, At a, const std::size_t* n, double* out) {
  ScratchVector<std::size_t> shorts;
  for (std::size_t g = 0; g < count; ++g)
    if (n[g] >= kLongCopy)
      out[g] = held_l1(a(g), n[g]);
    else
      shorts.push_back(g);
  ScratchVector<std::size_t> sn(shorts.size());
  ScratchVector<double> so(shorts.size());
  for (std::size_t i = 0; i < shorts.size(); ++i) sn[i] = n[shorts[i]];
  nonneg_sums(
      shorts.size(), [&](std::size_t i) { return a(shorts[i]); }, sn.data(), so.data());
  for (std::size_t i = 0; i < shorts.size(); ++i) out[shorts[i]] = so[i];
}

// Column j's list t[0..K) (largest first) bounds phi_j from both sides: the
// entries left out are at most the floor f = t[K-1] and sum to R = s_j minus
// the list's sum, so phi_j(x) >= sum_k (t_k - x)+ (lo) and, as R spread over
// entries of at most f gives at most (R / f)(f - x)+ above x,
// phi_j(x) <= sum_k (t_k - x)+ + (R / f)(f - x)+ (hi). The roots of
// phi = theta of these two bound mu_j(theta) from below and above.
// Returns the root of the lower (upper = false) or upper bound.
double list_root(const double* t, std::size_t K, double s, double theta, bool upper) {
  double P = 0.0;
  for (std::size_t k = 1; k < K; ++k) {
    P += t[k - 1];
    const double at = P - static_cast<double>(k) * t[k];  // phi at x = t_k
    if (theta <= at) return (P - theta) / static_cast<double>(k);
  }
  P += t[K - 1];
  const double f = t[K - 1];
  const double R = upper && f > 0.0 ? std::max(0.0, s - P) : 0.0;
  const double top = P + R;  // the bound at x = 0
  if (!(theta < top)) return 0.0;
  const double slope = static_cast<double>(K) + (R > 0.0 ? R / f : 0.0);
  return std::max(0.0, (top - theta) / slope);
}

// An upper bound of theta*: the root of sum_j mu_hi_j(theta) = eta, where
// mu_hi_j >= mu_j (the upper roots above), by bisection from a lower bound
// of theta* (a filter, not a result: 1e-4 relative is plenty, and each step
// sweeps every list), widened for rounding.
template <class List>
double theta_upper(const ThresholdProblem& p, const ScratchVector<std::size_t>& alive, const List& list, std::size_t K,
                   double theta0) {
  const std::size_t na = alive.size();
  double lo = theta0, hi = 0.0;
  for (std::size_t j : alive) hi = std::max(hi, p.s[j]);
  auto sum_at = [&](double theta) {
    double u = 0.0;
    for (std::size_t q = 0; q < na; ++q) u += list_root(list(q), K, p.s[alive[q]], theta, true);
    return u;
  };
  for (int it = 0; it < 40 && hi - lo > 1e-4 * hi; ++it) {
    const double mid = 0.5 * (lo + hi);
    if (sum_at(mid) <= p.eta)
      hi = mid;
    else
      lo = mid;
  }
  return hi * (1.0 + 1e-9) + 1e-300;
}

// The candidates of the failing columns, the entries at or above bound[j]
// (+inf for the other columns), copied by reading every row in blocks of
// rows: the block's candidates are packed as (column, value) records
// (simd/candidate_records.hpp) into a small buffer that stays in cache, then
// each is stored at its column's next slot of out, as the other copies do
// (segment [beg[j], beg[j] + cap[j]) and a spare slot that takes what a full
// segment cannot). got[j] receives the count held. The columns are split
// into parts, one per thread; a column is read by one part, in row order, so
// the result does not depend on the thread count.
template <class T>
void copy_by_records(const MatrixRef<T>& y, double scale, const double* bound, const std::size_t* cap,
                     const std::size_t* cols, std::size_t nf, const std::size_t* beg, std::size_t* got, double* out) {
  const std::size_t n = y.rows, m = y.cols;
  const std::size_t parts = std::max<std::size_t>(1, std::min<std::size_t>(thread_limit(), m / kRecordPartMin));
  // Per column, its next slot and the end of its room, side by side: each
  // record reads both, from a column picked by the data (one cache line
  // instead of two; at 8000 columns two such arrays outgrow the L1).
  struct Slot {
    std::size_t pos, end;
  };
  ScratchVector<Slot> slot(m, Slot{0, 0});
  for (std::size_t f = 0; f < nf; ++f) slot[cols[f]] = Slot{beg[cols[f]], beg[cols[f]] + cap[cols[f]]};
  const simd::KernelTable& k = simd::kernels();
  parallel_ranges(parts, 1, n * m, [&](std::size_t t0, std::size_t t1) {
    for (std::size_t t = t0; t < t1; ++t) {
      const std::size_t c0 = m * t / parts, c1 = m * (t + 1) / parts, width = c1 - c0;
      if (width == 0) continue;
      const std::size_t rows = std::max<std::size_t>(1, kRecordBlock / width), room = rows * width;
      ScratchVector<std::uint32_t> col(room);
      ScratchVector<double> val(room);
      for (std::size_t i0 = 0; i0 < n; i0 += rows) {
        std::size_t held = 0;
        simd::candidate_records(k, y.data + i0 * m, std::min(rows, n - i0), m, c0, c1, scale, bound, col.data(),
                                val.data(), room, &held);
        for (std::size_t e = 0; e < held; ++e) {
          Slot& sl = slot[col[e]];
          const std::size_t at = sl.pos;
          // Only a column being copied has a finite bound, so only it has
          // records; unless the matrix is a SharedArrayBuffer that another
          // thread rewrote with an infinity after the finite check, which
          // must not make two parts write the same slot (out[0]).
          if (sl.end == 0) continue;
          out[at] = val[e];
          sl.pos = at + static_cast<std::size_t>(at < sl.end);
        }
      }
    }
  });
  for (std::size_t f = 0; f < nf; ++f) got[cols[f]] = slot[cols[f]].pos - beg[cols[f]];
}

}  // namespace

void detail::nonneg_sums_of(std::size_t count, const double* const* a, const std::size_t* n, double* out) {
  nonneg_sums(
      count, [a](std::size_t g) { return a[g]; }, n, out);
}

TopkTrace last_topk_trace() {
  return t_trace;
}

void clear_topk_trace() {
  t_trace = {};
}

bool set_topk_enabled(bool on) {
  return g_enabled.exchange(on);
}

TopkCopy set_topk_copy(TopkCopy how) {
  return g_copy.exchange(how);
}

bool set_topk_at_risk(bool on) {
  return g_at_risk.exchange(on);
}

bool set_topk_trim(bool on) {
  return g_trim.exchange(on);
}

bool set_topk_hand_start(bool on) {
  return g_hand_start.exchange(on);
}

bool set_topk_wide_room(bool on) {
  return g_wide_room.exchange(on);
}

template <class T>
bool topk_thresholds(const MatrixRef<T>& y, const ThresholdProblem& p, const ScratchVector<std::size_t>& alive,
                     double theta0, double* mu_out, StreamEnd* end, const StopToken& stop, double* held_theta) {
  t_trace = {};
  *held_theta = -std::numeric_limits<double>::infinity();
  const std::size_t K = kColumnTop, len = p.len, n = y.rows, m = y.cols, na = alive.size();
  if (p.top == nullptr || len <= K || na == 0 || !g_enabled) return false;
  const T* top = static_cast<const T*>(p.top);
  t_trace.tried = true;
  // Held entries: the lists first (group q's at q * K), then whole columns
  // appended as they are gathered.
  // The lists as scaled doubles: the pass's own array when it is one
  // already (double, scale 1: no copy, no page faults for a 5 MB copy at
  // 80000 columns), else a copy.
  ScratchVector<double> data;
  const double* lists = nullptr;
  std::size_t list_of_q = 0;  // 1: group q's list at lists + alive[q] * K; 0: at lists + q * K
  if constexpr (std::is_same_v<T, double>) {
    if (p.scale == 1.0) {
      lists = top;
      list_of_q = 1;
    }
  }
  if (list_of_q == 0) {
    data.resize(na * K);
    for (std::size_t q = 0; q < na; ++q)
      for (std::size_t i = 0; i < K; ++i)
        data[q * K + i] = std::fabs(static_cast<double>(top[alive[q] * K + i])) * p.scale;
    lists = data.data();
  }
  auto list = [&](std::size_t q) { return lists + (list_of_q ? alive[q] : q) * K; };
  Groupset gs;
  gs.id.assign(alive.begin(), alive.end());
  gs.at.resize(na);
  gs.len.assign(na, K);
  gs.total.resize(na);
  // floor[q]: the list's smallest entry; every entry left out is at most it.
  // 0 when the list is the whole column's nonzero part (nothing to check).
  ScratchVector<double>& floor = gs.floor;
  floor.assign(na, 0.0);
  gs.own.assign(na, nullptr);
  for (std::size_t q = 0; q < na; ++q) {
    const double* t = list(q);
    gs.at[q] = t;
    floor[q] = t[K - 1];
  }
  nonneg_sums(na, list, gs.len.data(), gs.total.data());
  ScratchVector<char> whole(na, 0);
  // Candidates of the failing columns, and the columns gathered whole (one
  // buffer per round: the held groups point into them).
  // The candidates' segments, not cleared: only the pages that receive
  // candidates are touched. The scratch allocator hints large blocks to huge
  // pages: the copies store to hundreds of segments a row apart, each on its
  // own 4 KB page otherwise (a TLB miss per store, and a page fault per page
  // on a fresh block).
  ScratchBuffer<double> cand;
  std::vector<ScratchVector<double>> extra;
  ScratchVector<std::size_t> fail;
  std::size_t whole_count = 0;
  double theta = 0.0;
  for (int round = 0; round < kMaxRounds; ++round) {
    if (stop.requested()) {
      *end = StreamEnd::kStopped;
      return true;
    }
    ++t_trace.rounds;
    // Later rounds start where the last ended: each round holds more of
    // every column than the last, so its root is at least the last one's.
    if (!solve_held(p, gs, round == 0 ? theta0 : std::max(theta0, theta), round == 0 ? nullptr : mu_out, mu_out,
                    &theta))
      return false;
    if (g_hand_start) *held_theta = theta;
    // The check: a list column with mu_j above its floor has, on the whole
    // column, the same active set (every entry left out is at most the
    // floor), so phi_j(mu_j) = theta holds for the whole problem; one with
    // mu_j = 0 needs its whole l1 norm at most theta. Whole columns need no
    // check. If every column passes, (mu, theta) meets the optimality
    // conditions of the whole problem, whose solution is unique.
    fail.clear();
    for (std::size_t q = 0; q < na; ++q) {
      if (whole[q]) continue;
      const std::size_t j = alive[q];
      const double u = mu_out[j];
      const bool ok = u > 0.0 ? (floor[q] == 0.0 || u > floor[q]) : p.s[j] <= theta;
      if (!ok) fail.push_back(q);
    }
    if (fail.empty()) {
      t_trace.solved = true;
      t_trace.whole = whole_count;
      *end = StreamEnd::kConverged;
      return true;
    }
    t_trace.failed = fail.size();
    // Most columns failing (uniform data at 0.9, or middle radii): the lists
    // are far from the answer, and even the bounds below cost a few sweeps
    // of every list: give way at once.
    if (4 * fail.size() > 3 * na) return false;
    if (round == 0 && (whole_count + fail.size()) * kWholeShare > p.ng && len >= kCandidateMinLen) {
      // Too many to gather by index (heavy tails at large radii: a third of
      // the columns clip more than their list). The lists bracket theta*
      // (theta_upper) and so bound each mu_j* from below (lo); one read of
      // the matrix copies the entries of the failing columns at or above
      // their lo, each column into a segment sized by a Markov bound. The
      // segments are allocated, not zeroed: only the pages the candidates
      // land on are touched, so their room (at most half of the
      // entries, five eighths under the wide rule above) costs little
      // beyond what is copied.
      const double th = theta_upper(p, alive, list, K, std::max(theta0, theta));
      // Columns that pass now but whose list root at th is at or below the
      // floor may fail once theta rises towards theta* (the next solve),
      // and would then be gathered whole, a cache line per entry: copy their
      // candidates in the same read instead.
      if (g_at_risk) {
        const std::size_t now = fail.size();
        for (std::size_t q = 0, f = 0; q < na; ++q) {
          if (f < now && fail[f] == q) {
            ++f;
            continue;
          }
          const std::size_t j = alive[q];
          if (whole[q] || mu_out[j] <= 0.0 || floor[q] == 0.0) continue;
          if (list_root(list(q), K, p.s[j], th, false) <= floor[q]) fail.push_back(q);
        }
        t_trace.at_risk = fail.size() - now;
        std::inplace_merge(fail.begin(), fail.begin() + static_cast<std::ptrdiff_t>(now), fail.end());
      }
      const std::size_t nf = fail.size();
      // Per column j of the matrix: its bound (+inf but for the failing
      // columns) and its segment [beg, beg + cap) of the copy.
      ScratchVector<double> bound(m, std::numeric_limits<double>::infinity());
      ScratchVector<std::size_t> beg(m, 0), cap(m, 0), got(m, 0);
      std::size_t size = 0;
      for (std::size_t f = 0; f < nf; ++f) {
        const std::size_t q = fail[f], j = alive[q];
        const double* t = list(q);
        const double lo =
            below(std::max({0.0, list_root(t, K, p.s[j], th, false), (p.s[j] - th) / static_cast<double>(len)}));
        // The list's entries at or above lo, plus at most R / lo of the
        // entries left out (each at least lo, summing to at most R).
        std::size_t in_list = 0, room = len;
        double listed = 0.0;
        for (std::size_t k = 0; k < K; ++k) {
          in_list += t[k] >= lo ? 1 : 0;
          listed += t[k];
        }
        const double rest = std::max(0.0, p.s[j] - listed) * (1.0 + 1e-9);
        if (lo > 0.0 && rest / lo < static_cast<double>(len))
          room = std::min(len, in_list + static_cast<std::size_t>(rest / lo) + 1);
        bound[j] = lo;
        beg[j] = size;
        cap[j] = room;
        size += room + 1;  // and a spare slot for the gather by index
      }
      t_trace.candidates = size;
      const bool narrow = kRoomShare * size <= y.size();
      const bool wide = std::is_same_v<T, double> && m <= kWideRoomCols &&
                        kWideRoomDen * size <= kWideRoomNum * y.size() &&
                        kWideDensityDen * size <= kWideDensityNum * nf * len;
      if (!narrow && !(wide && g_wide_room)) return false;
      t_trace.wide_room = !narrow;
      // Each failing column's entries at or above its bound go to its
      // segment, in row order, while it has room; by one of three copies
      // (the same entries any way). When the room promises few candidates, a
      // sequential read of every row, whose vector test skips the rest: with
      // a sixteenth of the columns failing or more, gathering them by index
      // touched most cache lines anyway, one entry at a time (4000 x 4000
      // Cauchy 0.9, seeds 2 and 3: a fifth of the columns failing, 90k
      // candidates, the copy went from 1.7 to 0.6 times the first pass).
      // When the room is a large share of the matrix the candidates are
      // dense too, the vector test rarely skips and its branch misses: there
      // the failing columns are gathered by index, without a branch, or,
      // from a third of the columns failing, every row is read and the
      // candidates packed as records, also without a branch (seed 1: 44 %
      // of the columns failing, 750k candidates: the records cost about half
      // the gather, which read the failing columns one entry at a time).
      const TopkCopy how = g_copy;
      // (but see kIndexRowCols: on long rows the kernel's copy by index
      // takes the middle shares, where the records are not taken either).
      const bool by_index_first =
          m >= kIndexRowCols && m <= kIndexRowColsMax && kIndexShare * nf >= m && kRecordShare * nf < m;
      const bool nearly_whole = std::is_same_v<T, double> && kNearlyWholeDen * size >= kNearlyWholeNum * nf * len;
      const bool by_rows = how == TopkCopy::kByRows || (how == TopkCopy::kAuto && kDenseRoom * size <= y.size() &&
                                                        !by_index_first && !nearly_whole);
      t_trace.by_rows = by_rows;
      // Dense candidates, with vector lanes: one read of every row packs them
      // as (column, value) records, then stores them in their segments.
      const bool by_records =
          !by_rows && m <= std::numeric_limits<std::uint32_t>::max() &&
          (how == TopkCopy::kByRecords ||
           (how == TopkCopy::kAuto && simd::kernels().candidate_records_in_lanes && kRecordShare * nf >= m));
      t_trace.by_records = by_records;
      cand.take(size);
      double* out = cand.data();
      if (by_records) {
        ScratchVector<std::size_t> cols(nf);
        for (std::size_t f = 0; f < nf; ++f) cols[f] = alive[fail[f]];
        copy_by_records(y, p.scale, bound.data(), cap.data(), cols.data(), nf, beg.data(), got.data(), out);
      } else if (by_rows) {
        simd::fill_candidates(y.data, n, m, p.scale, bound.data(), cap.data(), beg.data(), got.data(), out);
      } else {
        // Per failing column f, as contiguous arrays: its column, bound,
        // next slot and end of room. Split by columns: each column is
        // filled in row order by one thread. Every entry is stored at its
        // column's next slot, which advances only if the entry reaches the
        // bound and the room is not full (the spare slot takes the rest): no
        // branch, so the cost does not depend on how many pass. In the
        // kernel table's loop (simd/candidate_records.hpp), four rows of a
        // column at a time where the vectors allow.
        ScratchVector<std::size_t> col(nf), pos(nf), end_of(nf);
        ScratchVector<double> lo(nf);
        for (std::size_t f = 0; f < nf; ++f) {
          const std::size_t j = alive[fail[f]];
          col[f] = j;
          lo[f] = bound[j];
          pos[f] = beg[j];
          end_of[f] = beg[j] + cap[j];
        }
        const simd::KernelTable& kt = simd::kernels();
        parallel_ranges(nf, 16, nf * n, [&](std::size_t f0, std::size_t f1) {
          simd::column_segments(kt, y.data, n, m, col.data() + f0, f1 - f0, p.scale, lo.data() + f0, pos.data() + f0,
                                end_of.data() + f0, out);
        });
        for (std::size_t f = 0; f < nf; ++f) got[col[f]] = pos[f] - beg[col[f]];
      }
      std::size_t over = 0;
      ScratchVector<std::size_t> held(nf);
      ScratchVector<double> sums(nf);
      for (std::size_t f = 0; f < nf; ++f) held[f] = got[alive[fail[f]]];
      copy_sums(
          nf, [&](std::size_t f) { return static_cast<const double*>(out + beg[alive[fail[f]]]); }, held.data(),
          sums.data());
      for (std::size_t f = 0; f < nf; ++f) {
        const std::size_t q = fail[f], j = alive[q];
        gs.at[q] = out + beg[j];
        gs.len[q] = got[j];
        gs.total[q] = sums[f];
        // A full segment may have lost entries: gathered whole next round.
        floor[q] = got[j] == cap[j] && cap[j] < len ? std::numeric_limits<double>::infinity() : bound[j];
        if (!(floor[q] < std::numeric_limits<double>::infinity()))
          fail[over++] = q;
        else
          gs.own[q] = out + beg[j];
      }
      fail.resize(over);
      t_trace.overflow = over;
      if (g_trim) gs.trim_hi = th;
      if (over == 0) continue;
    }
    whole_count += fail.size();
    if (whole_count * kWholeShare > p.ng) return false;
    // Gather the failing columns whole, touching only the cache lines that
    // hold them: the kernel table's copy by index with a bound of 0 (every
    // entry, |y| scaled, in row order: the values a walk across the rows
    // stored), several rows of a column a step and, where the columns hold
    // at most half of the lines, down blocks of rows (docs/exact-stream.md,
    // rounds thirteen, sixteen and eighteen). One slot more per column: the
    // kernel's contract reserves out[end] for its branch-free moves.
    const std::size_t nf = fail.size(), slot = n + 1;
    extra.emplace_back(nf * slot);
    double* d = extra.back().data();
    {
      ScratchVector<std::size_t> cols(nf), pos(nf), stop_at(nf);
      for (std::size_t f = 0; f < nf; ++f) {
        cols[f] = alive[fail[f]];
        pos[f] = f * slot;
        stop_at[f] = pos[f] + n;
      }
      const ScratchVector<double> keep_all(nf, 0.0);
      parallel_ranges(nf, 1, nf * n, [&](std::size_t f0, std::size_t f1) {
        simd::column_segments(simd::kernels(), y.data, n, m, cols.data() + f0, f1 - f0, p.scale, keep_all.data() + f0,
                              pos.data() + f0, stop_at.data() + f0, d);
      });
    }
    for (std::size_t f = 0; f < nf; ++f) {
      const std::size_t q = fail[f];
      whole[q] = 1;
      gs.own[q] = nullptr;
      gs.at[q] = d + f * slot;
      gs.len[q] = n;
      // Whole columns by the stats loop at any length: few columns fail the
      // lists this way (100 x 80000: paired 0.993 with it).
      gs.total[q] = held_l1(d + f * slot, n);
    }
  }
  return false;
}

template bool topk_thresholds<float>(const MatrixRef<float>&, const ThresholdProblem&,
                                     const ScratchVector<std::size_t>&, double, double*, StreamEnd*, const StopToken&,
                                     double*);
template bool topk_thresholds<double>(const MatrixRef<double>&, const ThresholdProblem&,
                                      const ScratchVector<std::size_t>&, double, double*, StreamEnd*, const StopToken&,
                                      double*);

}  // namespace bp
