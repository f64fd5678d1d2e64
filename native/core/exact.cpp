#include "exact.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <new>
#include <type_traits>
#include <vector>

#include "scratch.hpp"

#include "apply.hpp"
#include "candidates.hpp"
#include "column_topk.hpp"
#include "exact_stream.hpp"
#include "l1ball.hpp"
#include "numeric.hpp"
#include "parallel.hpp"
#include "reduce.hpp"
#include "topk_thresholds.hpp"

namespace bp {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Group statistics of the problem, in scaled units (see overflow_guard_scale).
struct Problem {
  std::size_t ng = 0;   // number of groups
  std::size_t len = 0;  // entries per group
  double scale = 1.0;
  double eta = 0.0;          // radius, scaled
  ScratchVector<double> mx;  // max |y| per group, scaled
  ScratchVector<double> s;   // sum |y| per group, scaled
};

enum class Regime { kZero, kIdentity, kClip };

// ---------------------------------------------------------------------------
// Semismooth Newton.
//
// phi_j(mu) = sum_i max(a_ij - mu, 0) is convex, piecewise linear and
// decreasing. Linearising phi_j(mu_j) = theta at the current mu with the
// active sets A_j = {a >= mu_j} (k_j entries summing to S_j) and solving with
// sum mu_j = eta gives the Newton step in closed form:
//   theta+ = (sum_j S_j / k_j - eta) / sum_j 1 / k_j,  mu_j+ = (S_j - theta+) / k_j.
// By convexity phi_j(mu_j+) >= theta+, so every iterate lies on the same side
// of the solution, theta increases monotonically, and a group whose l1 norm
// falls below theta leaves for good. The iteration is exact as soon as the
// active sets computed at mu+ are the ones that produced mu+.

struct ActiveStats {
  std::size_t k;
  double sum;
  bool operator==(const ActiveStats& o) const { return k == o.k && sum == o.sum; }
};

ActiveStats active_stats(const ScratchVector<double>& a, double mu, double max_entry) {
  std::size_t k = 0;
  double sum = 0.0;
  for (double v : a) {
    bool on = v >= mu;
    k += on ? 1 : 0;
    sum += on ? v : 0.0;
  }
  // Rounding can leave mu a hair above the largest entry; the largest entry
  // is then the active set (a valid subgradient at the kink).
  if (k == 0) return {1, max_entry};
  return {k, sum};
}

// Upper bound of sum_j mu_j(theta): mu_j(theta) <= max_j - theta / len (all
// entries at most max_j) and mu_j(theta) <= s_j - theta (at least one active).
double upper_mu_sum(const Problem& p, double theta) {
  double t = 0.0;
  const double per = theta / static_cast<double>(p.len);
  for (std::size_t j = 0; j < p.ng; ++j) {
    double b = std::min(p.mx[j] - per, p.s[j] - theta);
    if (b > 0.0) t += b;
  }
  return t;
}

enum class NewtonEnd { kConverged, kIterationCap, kStopped };

// kIterationCap if the active sets did not settle within the cap (never
// observed; the caller then falls back to the sort-based method).
template <class T>
NewtonEnd newton_thresholds(const MatrixRef<T>& y, Groups g, const Problem& p, double* mu, const StopToken& stop) {
  const double len = static_cast<double>(p.len);
  // Lower bound of theta: mu_j(theta) >= (s_j - theta) / len, so the root of
  // sum_j max(s_j - theta, 0) = len * eta is below the solution. It is an l1
  // threshold.
  ScratchVector<double> scratch(p.s);
  const double theta_lo = l1_threshold_inplace(scratch.data(), p.ng, len * p.eta);
  scratch = {};
  // Upper bound of theta by bisection on the upper bound of sum mu_j; only
  // worth its O(groups) steps when groups are long enough to filter.
  double theta_hi = *std::max_element(p.s.begin(), p.s.end());
  if (p.len >= 8) {
    double lo = theta_lo;
    for (int it = 0; it < 40 && lo < theta_hi; ++it) {
      double mid = 0.5 * (lo + theta_hi);
      if (upper_mu_sum(p, mid) <= p.eta)
        theta_hi = mid;
      else
        lo = mid;
    }
  }
  // The bisection's sums carry rounding: widen the upper bound so that the
  // filters derived from it stay on the safe side.
  theta_hi = theta_hi * (1.0 + 1e-10) + DBL_TRUE_MIN;
  // Groups with s_j <= theta_lo are zero in the solution. In the others only
  // entries above mu_j(theta_hi) >= (s_j - theta_hi) / len can be active.
  ScratchVector<double> lower(p.ng, kInf);
  ScratchVector<std::size_t> alive;
  const double keep_above = below(theta_lo);  // rounding must not drop a live group
  for (std::size_t j = 0; j < p.ng; ++j) {
    if (p.s[j] > keep_above) {
      lower[j] = std::max((p.s[j] - theta_hi) / len, 0.0);  // gather_candidates lowers it a hair
      alive.push_back(j);
    }
  }
  GroupLists lists;
  gather_candidates(y, g, p.scale, lower.data(), nullptr, lists);
  lower = {};
  // The candidates define a truncated problem that agrees with the full one
  // wherever mu_j >= lower_j, hence has the same (unique) solution.
  ScratchVector<double> total(p.ng, 0.0);
  std::size_t candidates = 0;
  for (std::size_t j : alive) {
    CompensatedSum c;
    for (double v : lists[j]) c.add(v);
    total[j] = c.value();
    candidates += lists[j].size();
  }

  double theta = below(theta_lo);
  ScratchVector<double> m(p.ng, 0.0);
  for (std::size_t j : alive) m[j] = below((p.s[j] - theta) / len);  // start on the left of the root
  ScratchVector<ActiveStats> st(p.ng, ActiveStats{0, 0.0}), prev(p.ng, ActiveStats{0, 0.0});
  bool alive_changed = true;
  bool converged = alive.empty();
  for (int iter = 0; iter < 200 && !alive.empty(); ++iter) {
    if (stop.requested()) return NewtonEnd::kStopped;
    bool same = !alive_changed;
    // Each group's statistics are independent: split the groups.
    parallel_ranges(alive.size(), 16, candidates, [&](std::size_t b, std::size_t e) {
      for (std::size_t q = b; q < e; ++q) st[alive[q]] = active_stats(lists[alive[q]], m[alive[q]], p.mx[alive[q]]);
    });
    for (std::size_t j : alive) {
      if (!(st[j] == prev[j])) same = false;
    }
    if (same) {
      converged = true;
      break;
    }
    double num = 0.0, den = 0.0;
    for (std::size_t j : alive) {
      num += st[j].sum / static_cast<double>(st[j].k);
      den += 1.0 / static_cast<double>(st[j].k);
      prev[j] = st[j];
    }
    double next = (num - p.eta) / den;
    if (next > theta) theta = next;
    for (std::size_t j : alive) m[j] = (st[j].sum - theta) / static_cast<double>(st[j].k);
    std::size_t w = 0;
    for (std::size_t j : alive) {
      if (total[j] > theta)
        alive[w++] = j;
      else
        m[j] = 0.0;
    }
    alive_changed = w != alive.size();
    alive.resize(w);
  }
  // Polish: theta and mu from the final active sets with compensated sums.
  CompensatedSum num, den;
  for (std::size_t j : alive) {
    CompensatedSum c;
    std::size_t k = 0;
    for (double v : lists[j]) {
      if (v >= m[j]) {
        c.add(v);
        ++k;
      }
    }
    if (k == 0) {
      c.add(p.mx[j]);
      k = 1;
    }
    st[j] = {k, c.value()};
    num.add(st[j].sum / static_cast<double>(k));
    den.add(1.0 / static_cast<double>(k));
  }
  if (!alive.empty()) theta = (num.value() - p.eta) / den.value();
  for (std::size_t j = 0; j < p.ng; ++j) mu[j] = 0.0;
  for (std::size_t j : alive) {
    mu[j] = std::max((st[j].sum - theta) / static_cast<double>(st[j].k), 0.0);
  }
  return converged ? NewtonEnd::kConverged : NewtonEnd::kIterationCap;
}

// ---------------------------------------------------------------------------
// Sort-based reference method.
//
// With group j sorted decreasingly (a_1 >= a_2 >= ...) and prefix sums P_t,
// mu_j(theta) = (P_c - theta) / c on the c-th linear piece, whose left end is
// the breakpoint b_{c-1} = P_{c-1} - (c-1) a_c; the group dies at P_len.
// Every breakpoint of every group is sorted; g(theta) = sum_j mu_j(theta) - eta
// is bisected over them to the linear piece that holds the root.

struct SortedGroup {
  ScratchVector<double> a;  // decreasing
  ScratchVector<double> P;  // P[t] = a_1 + ... + a_t, P[0] = 0
  double breakpoint(std::size_t t) const { return P[t] - static_cast<double>(t) * a[t]; }
  double total() const { return P.back(); }
  // Number of active entries at theta < total(): #{t < k : breakpoint(t) <= theta}.
  std::size_t active(double theta) const {
    std::size_t lo = 0, hi = a.size();  // breakpoint(lo) <= theta (b_0 = 0)
    while (hi - lo > 1) {
      std::size_t mid = lo + (hi - lo) / 2;
      if (breakpoint(mid) <= theta)
        lo = mid;
      else
        hi = mid;
    }
    return lo + 1;
  }
  double mu(double theta) const {
    if (!(theta < total())) return 0.0;
    std::size_t c = active(theta);
    return (P[c] - theta) / static_cast<double>(c);
  }
};

template <class T>
void sort_thresholds(const MatrixRef<T>& y, Groups g, const Problem& p, double* mu) {
  ScratchVector<double> lower(p.ng, kInf);
  for (std::size_t j = 0; j < p.ng; ++j)
    if (p.mx[j] > 0.0) lower[j] = 0.0;
  GroupLists lists;
  gather_candidates(y, g, p.scale, lower.data(), nullptr, lists);
  ScratchVector<SortedGroup> groups;
  ScratchVector<std::size_t> ids;
  ScratchVector<double> all;
  for (std::size_t j = 0; j < p.ng; ++j) {
    if (lists[j].empty()) continue;
    SortedGroup sg;
    sg.a.swap(lists[j]);
    std::sort(sg.a.begin(), sg.a.end(), [](double u, double v) { return u > v; });
    sg.P.resize(sg.a.size() + 1);
    sg.P[0] = 0.0;
    for (std::size_t t = 0; t < sg.a.size(); ++t) sg.P[t + 1] = sg.P[t] + sg.a[t];
    for (std::size_t t = 0; t < sg.a.size(); ++t) all.push_back(sg.breakpoint(t));
    all.push_back(sg.total());
    groups.push_back(std::move(sg));
    ids.push_back(j);
  }
  // Entries are checked finite before this runs, but a SharedArrayBuffer can
  // be rewritten by another thread meanwhile: a NaN would break std::sort's
  // ordering contract, so it is dropped (the result is then meaningless but
  // the process is safe).
  all.erase(std::remove_if(all.begin(), all.end(), [](double b) { return b != b; }), all.end());
  if (all.size() < 2) {
    for (std::size_t j = 0; j < p.ng; ++j) mu[j] = 0.0;
    return;
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  if (all.size() < 2) {
    for (std::size_t j = 0; j < p.ng; ++j) mu[j] = 0.0;
    return;
  }
  auto g_of = [&](double theta) {
    CompensatedSum t;
    for (const SortedGroup& sg : groups) t.add(sg.mu(theta));
    return t.value() - p.eta;
  };
  // g is non-increasing, g(0) = ||y||_{1,inf} - eta > 0 and g(max) = -eta < 0.
  std::size_t lo = 0, hi = all.size() - 1;
  while (hi - lo > 1) {
    std::size_t mid = lo + (hi - lo) / 2;
    if (g_of(all[mid]) >= 0.0)
      lo = mid;
    else
      hi = mid;
  }
  // On (all[lo], all[hi]) every group is on one linear piece: solve there.
  const double inside = 0.5 * (all[lo] + all[hi]);
  CompensatedSum num, den;
  ScratchVector<std::size_t> c(groups.size(), 0);
  for (std::size_t q = 0; q < groups.size(); ++q) {
    if (!(inside < groups[q].total())) continue;
    c[q] = groups[q].active(inside);
    num.add(groups[q].P[c[q]] / static_cast<double>(c[q]));
    den.add(1.0 / static_cast<double>(c[q]));
  }
  const double theta = (num.value() - p.eta) / den.value();
  for (std::size_t j = 0; j < p.ng; ++j) mu[j] = 0.0;
  for (std::size_t q = 0; q < groups.size(); ++q) {
    if (c[q] == 0) continue;
    mu[ids[q]] = std::max((groups[q].P[c[q]] - theta) / static_cast<double>(c[q]), 0.0);
  }
}

// mu_j = (S_j - theta) / k_j cancels when eta is tiny next to the entries, so
// sum mu_j can exceed eta by more than eta's own rounding. Shrink mu by the
// (tiny) excess factor so that the clipped result is inside the ball.
// Among the subnormals the thresholds are whole units of DBL_TRUE_MIN, each
// rounded by up to half a unit, and a rescaling rounds to units again: it
// can round back to where it was (three thresholds of 44 units against eta =
// 131 units: 44 * 131/132 is 44 again), and it moves the largest threshold
// most (12, 2, 2, 2, 2, 2 units against 19 became 8, 1, 1, 1, 1, 1). An
// excess of at most two units a positive threshold (only ever among the
// subnormals: elsewhere one ulp of eta is more) is therefore taken off one
// double at a time, a threshold after another, so that none moves by more
// than two units (12, 2, ... became 11, 1, 1, 2, 2, 2). A larger excess (the
// cancellation above) is rescaled, and from the second rescaling on every
// positive threshold also steps one double toward zero, so that the loop
// always gets there.
void fit_radius(double* mu, std::size_t ng, double eta) {
  for (int round = 0; round < 16; ++round) {
    CompensatedSum s;
    std::size_t positive = 0;
    for (std::size_t j = 0; j < ng; ++j) {
      s.add(mu[j]);
      positive += mu[j] > 0.0 ? 1 : 0;
    }
    const double total = s.value();
    if (!(total > eta)) return;
    double excess = total - eta;
    if (excess <= 2.0 * static_cast<double>(positive) * DBL_TRUE_MIN) {
      for (std::size_t j = 0; j < ng && excess > 0.0; ++j) {
        if (!(mu[j] > 0.0)) continue;
        const double lower = std::nextafter(mu[j], 0.0);
        excess -= mu[j] - lower;
        mu[j] = lower;
      }
      continue;
    }
    const double f = eta / total * (1.0 - 4.0 * DBL_EPSILON);
    for (std::size_t j = 0; j < ng; ++j) {
      mu[j] *= f;
      if (round > 0 && mu[j] > 0.0) mu[j] = std::nextafter(mu[j], 0.0);
    }
  }
}

// Slots a column for the first read's low lists (simd/low_lists.hpp), or 0
// for none. They pay where few columns survive with tiny thresholds, so that
// a column's smallest few dozen nonzeros cover every entry below mu_j*, and
// where the survivors, read again, would hold much of every row's cache
// lines: eta = 1 on the grid's sparse 8000 x 1000 (about 70 of 1000 columns
// survive, mu_j* about 1/70; their gather read half the lines, 27 MB). With
// many columns the survivors' lines are few (1000 x 8000: 3 %) and the
// gather costs less than the lists' upkeep, hence at most 2048 columns.
// The radius is judged against the l1,inf norm of the row sample that
// stream_wants_nonzeros took to judge the count (passed in, not taken
// again): below 1/512 of it (about 1/1000 of ||Y||; at 0.01 ||Y|| most
// columns survive, with thresholds far above any short list). At most 128 slots a column, within the block the scratch
// cache keeps (docs/memory.md). Only speed depends on this; docs/exact-stream.md,
// round thirty. Float data the same (its lists hold the widened |y|;
// docs/exact-float32.md, "The float first read keeps low lists").
constexpr std::size_t kLowListsMaxColumns = 2048;
template <class T>
std::size_t low_lists_room(const MatrixRef<T>& y, double eta, double sampled) {
  if (!has_column_low_lists<T>() || y.cols == 0 || y.cols > kLowListsMaxColumns) return 0;
  if (!(eta < sampled / 512.0)) return 0;
  const std::size_t fit = scratch::kMaxCachedBytes / (sizeof(double) * y.cols);
  const std::size_t cap = std::min<std::size_t>(128, fit) & ~std::size_t(1);
  return cap >= 8 ? cap : 0;
}

// A few evenly spaced rows (n / 256 of them, at least one) for
// low_lists_room on dense data, where stream_wants_nonzeros's sample stops
// before its norm: their l1,inf norm, and their mean |y| as a share of it
// (flat). 32 rows of 8000 x 1000 read 0.4 % of the matrix.
struct DenseSample {
  double norm = 0.0, flat = 0.0;
};
template <class T>
DenseSample dense_rows_sample(const MatrixRef<T>& y) {
  const std::size_t n = y.rows, m = y.cols, rows = (n + 255) / 256;
  ScratchVector<double> mx(m, 0.0);
  double sum = 0.0;
  for (std::size_t q = 0; q < rows; ++q) {
    const T* r = y.data + (q * n / rows + n / (2 * rows)) * m;
    for (std::size_t j = 0; j < m; ++j) {
      const double a = std::fabs(static_cast<double>(r[j]));
      mx[j] = std::max(mx[j], a);
      sum += a;
    }
  }
  DenseSample d;
  for (double v : mx) d.norm += v;
  d.flat = d.norm > 0.0 ? sum / static_cast<double>(rows) / d.norm : 0.0;
  return d;
}

// Dense data keeps low lists only where it is flat: the sample's mean |y|
// at least this share of its maxima (8000 x 1000 normal 0.34, uniform 0.52,
// Cauchy 0.04-0.05, seeds 1-28). There, at small radii, hundreds of columns
// survive at thresholds their lists settle; heavy tails leave a few columns
// alive at thresholds near eta, which no short list settles, and the top
// lists' read and the gather cost less (tall Cauchy eta = 1: 1.4x slower
// with lists). docs/exact-stream.md, round thirty-nine.
constexpr double kDenseLowFlat = 0.2;

// Shared front: statistics, the finite check, and the trivial regimes. On
// kClip, mu (length ng) holds the clipping thresholds in the caller's units;
// on kIdentity the projection is y itself; on kZero it is 0.
template <class T>
Status exact_thresholds(const MatrixRef<T>& y, Groups g, double eta, ExactMethod method, const StopToken& stop,
                        ScratchVector<double>& mx_out, double* mu, Regime* regime) {
  Problem p;
  p.ng = group_count(y.rows, y.cols, g);
  p.len = group_length(y.rows, y.cols, g);
  if (y.size() == 0) {  // every (empty) group is zero: the identity
    mx_out.assign(p.ng, 0.0);
    *regime = eta == 0.0 ? Regime::kZero : Regime::kIdentity;
    return Status::kOk;
  }
  p.mx.resize(p.ng);
  p.s.resize(p.ng);
  // The streaming method's first read also keeps, where they pay: on sparse
  // data at small radii, the number of entries that are not zero per column
  // (tight bounds: few groups survive the start); otherwise each column's top
  // entries, when the lists fit a block the scratch cache keeps (2 MB): a
  // larger one would be page-faulted in on every call (100 x 80000: 5 MB,
  // about as dear as the passes the lists save).
  double sampled = 0.0;  // the row sample's l1,inf norm, for low_lists_room
  bool count = method == ExactMethod::kStream && stream_wants_nonzeros(y, g, eta, &sampled);
  // Dense tall flat data at small radii takes the counted read with low
  // lists too (the count then just len): at eta = 1 on 8000 x 1000 normal
  // data the top lists give way (259 columns fail) and a below-bound pass,
  // a second full read, settled the call; the lists settle its ~258
  // survivors from the first read (docs/exact-stream.md, round
  // thirty-nine).
  bool dense = false;
  if (!count && method == ExactMethod::kStream && g == Groups::kColumns && p.len > kColumnTop &&
      y.cols <= kLowListsMaxColumns && has_column_low_lists<T>() && sampled == 0.0) {
    const DenseSample d = dense_rows_sample(y);
    dense = d.flat >= kDenseLowFlat && low_lists_room(y, eta, d.norm) != 0;
    if (dense) sampled = d.norm;
    count = dense;
  }
  ScratchVector<double> nz(count ? p.ng : 0);
  // Counted double data at small radii also keeps each column's smallest
  // nonzeros (low_lists_room), so that its survivors need not be read again.
  // The lists start at eta / 16: mu_j* <= eta always (the thresholds add up
  // to eta), and where a dozen columns or more survive most lie far below
  // eta / 16 (8000 x 1000 sparse eta = 1: about 1/70, at most about 1/20).
  // Every nonzero below the bound is staged by the read, so a looser start
  // costs read time (eta / 8 was 1.06-1.08x slower paired, eta / 32 left ~10
  // of 70 survivors to the gather and was 1.04-1.05x slower); a column whose
  // mu_j* passes its list's bound is gathered as before. Dense data starts
  // at eta / 64: every entry is a nonzero, so four times the share of the
  // entries stages at the same bound (normal data: 5 % below 1/16), and
  // with hundreds of survivors mu_j* lies near 1/258 (8000 x 1000 normal,
  // eta = 1: 257 of 259 settled at eta / 16 and 258 at / 64, but the tall
  // call 1.1x slower at / 16 and 0.85-0.9x at / 64 against the top lists;
  // at / 128 only 228 settled).
  simd::LowLists low;
  ScratchVector<double> low_vals, low_bound;
  ScratchVector<std::uint32_t> low_n;
  if (count) {
    low.cap = low_lists_room(y, eta, sampled);
    if (low.cap != 0) {
      low_vals.resize(p.ng * low.cap);
      low_bound.assign(p.ng, eta / (dense ? 64.0 : 16.0));
      low_n.assign(p.ng, 0);
      low.vals = low_vals.data();
      low.bound = low_bound.data();
      low.n = low_n.data();
    }
  }
  ScratchVector<T> top;
  if (!count && method == ExactMethod::kStream && g == Groups::kColumns && p.len > kColumnTop &&
      p.ng * kColumnTop * sizeof(T) <= scratch::kMaxCachedBytes)
    top.resize(p.ng * kColumnTop);
  bool no_nan = false;
  if (low.cap != 0)
    no_nan = column_max_sum_count_low(y, p.mx.data(), p.s.data(), nz.data(), low);
  else
    no_nan = count          ? column_max_sum_count(y, p.mx.data(), p.s.data(), nz.data())
             : !top.empty() ? column_max_sum_top(y, 1.0, p.mx.data(), p.s.data(), top.data())
                            : group_max_sum<true>(y, g, 1.0, p.mx.data(), p.s.data());
  const double big = max_of(p.mx.data(), p.ng);
  if (!no_nan || !is_finite(big)) return Status::kNonFinite;
  mx_out = p.mx;
  if (eta == 0.0) {
    *regime = Regime::kZero;
    return Status::kOk;
  }
  p.scale = overflow_guard_scale(big, static_cast<double>(y.size()));
  if (p.scale != 1.0) {
    // Sums come back scaled, maxima do not: bring both to the same units.
    group_max_sum<true>(y, g, p.scale, p.mx.data(), p.s.data());
    for (double& v : p.mx) v *= p.scale;
  }
  p.eta = eta * p.scale;
  CompensatedSum norm;
  for (double v : p.mx) norm.add(v);
  if (norm.value() <= p.eta) {
    *regime = Regime::kIdentity;
    return Status::kOk;
  }
  *regime = Regime::kClip;
  if (method == ExactMethod::kSort) {
    sort_thresholds(y, g, p, mu);
  } else if (method == ExactMethod::kStream) {
    clear_topk_trace();
    const ThresholdProblem tp{p.ng,
                              p.len,
                              p.scale,
                              p.eta,
                              p.mx.data(),
                              p.s.data(),
                              top.empty() ? nullptr : top.data(),
                              count ? nz.data() : nullptr,
                              low.cap != 0 && p.scale == 1.0 ? &low : nullptr};
    switch (stream_thresholds(y, g, tp, mu, stop)) {
      case StreamEnd::kConverged:
        break;
      case StreamEnd::kIterationCap:
        sort_thresholds(y, g, p, mu);
        break;
      case StreamEnd::kStopped:
        return Status::kAborted;
    }
  } else {
    switch (newton_thresholds(y, g, p, mu, stop)) {
      case NewtonEnd::kConverged:
        break;
      case NewtonEnd::kIterationCap:
        sort_thresholds(y, g, p, mu);
        break;
      case NewtonEnd::kStopped:
        return Status::kAborted;
    }
  }
  fit_radius(mu, p.ng, p.eta);
  for (std::size_t j = 0; j < p.ng; ++j) mu[j] /= p.scale;
  return Status::kOk;
}

}  // namespace

template <class T>
Status project_l1inf_exact(const MatrixRef<T>& y, Groups g, double eta, ExactMethod method, T* out, double* radii,
                           ProjectionResult* res, const StopToken& stop) try {
  const std::size_t ng = group_count(y.rows, y.cols, g);
  ScratchVector<double> mx;
  Regime regime;
  Status st = exact_thresholds(y, g, eta, method, stop, mx, radii, &regime);
  if (st != Status::kOk) return st;
  if (stop.requested()) return Status::kAborted;  // last chance before out is written
  switch (regime) {
    case Regime::kZero:
      std::fill(radii, radii + ng, 0.0);
      std::fill(out, out + y.size(), T(0));
      res->zero_groups = ng;
      break;
    case Regime::kIdentity:
      std::copy(mx.begin(), mx.end(), radii);
      if (out != y.data) std::copy(y.data, y.data + y.size(), out);
      res->zero_groups = static_cast<std::size_t>(std::count(mx.begin(), mx.end(), 0.0));
      break;
    case Regime::kClip:
      res->zero_groups = apply_groups<ClipMap<T>>(y, g, radii, mx.data(), out);
      break;
  }
  return Status::kOk;
} catch (const std::bad_alloc&) {
  return Status::kOutOfMemory;
}

template <class T>
Status prox_linf1(const MatrixRef<T>& y, Groups g, double alpha, ExactMethod method, T* out, double* radii,
                  ProjectionResult* res, const StopToken& stop) try {
  const std::size_t ng = group_count(y.rows, y.cols, g);
  ScratchVector<double> mx;
  Regime regime;
  Status st = exact_thresholds(y, g, alpha, method, stop, mx, radii, &regime);
  if (st != Status::kOk) return st;
  if (stop.requested()) return Status::kAborted;  // last chance before out is written
  switch (regime) {
    case Regime::kZero:  // the projection is 0, so the prox is y
      std::fill(radii, radii + ng, 0.0);
      if (out != y.data) std::copy(y.data, y.data + y.size(), out);
      res->zero_groups = static_cast<std::size_t>(std::count(mx.begin(), mx.end(), 0.0));
      break;
    case Regime::kIdentity:  // the projection is y, so the prox is 0
      std::copy(mx.begin(), mx.end(), radii);
      std::fill(out, out + y.size(), T(0));
      res->zero_groups = ng;
      break;
    case Regime::kClip:
      res->zero_groups = apply_groups<ShrinkMap<T>>(y, g, radii, mx.data(), out);
      break;
  }
  return Status::kOk;
} catch (const std::bad_alloc&) {
  return Status::kOutOfMemory;
}

#define BP_INSTANTIATE(T)                                                                                         \
  template Status project_l1inf_exact<T>(const MatrixRef<T>&, Groups, double, ExactMethod, T*, double*,           \
                                         ProjectionResult*, const StopToken&);                                    \
  template Status prox_linf1<T>(const MatrixRef<T>&, Groups, double, ExactMethod, T*, double*, ProjectionResult*, \
                                const StopToken&);
BP_INSTANTIATE(float)
BP_INSTANTIATE(double)
#undef BP_INSTANTIATE

}  // namespace bp
