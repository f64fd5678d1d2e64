#include "exact_stream.hpp"

#include <algorithm>
#include <atomic>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>

#include "column_topk.hpp"
#include "exact_band.hpp"
#include "exact_start.hpp"
#include "exact_survivors.hpp"
#include "numeric.hpp"
#include "parallel.hpp"
#include "reduce.hpp"
#include "scratch.hpp"
#include "simd/candidate_records.hpp"
#include "simd/kernel_table.hpp"
#include "stream_store.hpp"
#include "topk_thresholds.hpp"

namespace bp {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Columns per block of a column pass: the four per-column arrays of a block
// (mu, count, sum, compensation: 256 KB) stay in L2 while the rows stream by.
// Long row segments keep the hardware prefetcher running: on 4000 x 4000,
// blocks of 512 columns (4 KB per row) made a pass 2x slower than 8192.
constexpr std::size_t kBlock = 8192;
// Threads split a column pass into ranges of at least this many columns, each
// still walked in blocks of kBlock. With kBlock as the grain, as before, a
// matrix of at most 8192 columns (1000 x 8000, 4000 x 4000, 8000 x 1000) ran
// every pass on one thread. Each column is still summed in row order by one
// thread, so the bits do not depend on the thread count.
constexpr std::size_t kThreadMinColumns = 256;

// The surviving groups are copied out once they hold at most a quarter of the
// entries and at most this many (4 MB of doubles); candidates once they are
// at most a sixteenth of the entries, in groups of at least kCandidateMinLen
// (the copy costs one to two passes; with more candidates, or short groups,
// it and the bounds cost more than the passes they save: measured at
// 1000 x 8000 Gaussian 0.5 and 100 x 80000 uniform 0.9).
// The copy is sized exactly from counts, never grown.
constexpr std::size_t kCandidateMinLen = 512;
constexpr std::size_t kCompactMaxEntries = std::size_t(1) << 19;

// The band copy of the column passes (round ten, docs/exact-stream.md)
// costs about two passes (the band loop's per-entry count and sum above the
// upper level, and the moves; about 1.3 since round eleven's register
// accumulation, the conditions below were fitted before it); it is made when the entries between the
// bounds are at most an eighth of the matrix and at most two thirds of the
// candidates (the rest lie above the upper bounds: the plain candidate copy
// would hold them; at half, seeds 120 and 128 missed it by a few per cent
// after three passes and made a fourth, round twelve: two thirds is a
// margin above their 0.51-0.52, nothing between was timed), while at least half the columns' thresholds still leave
// their gaps (the passes are far from done), and on matrices of at least
// kBandMinEntries entries. At 4000 x 4000 Cauchy 0.9 when the lists give way
// a quarter of the matrix (est. a sixth) was a pass slower; on the tests'
// small cases (600 x 300 Gaussian or uniform) the passes left were one or
// two and the gap exit or the candidate copy served.
constexpr std::size_t kBandMinEntries = std::size_t(1) << 22;
// ... and only after this many full passes: where the passes settle sooner
// (uniform and Gaussian data at any radius: three or four passes) the fill
// cost more than the passes it saved (8000 x 1000 uniform 0.1, made after
// one pass: 1.58x slower).
constexpr int kBandAfterPasses = 3;
// Double data only: the fill's cost is per entry, a pass's per byte, so on
// float data the fill costs about four passes, and it was slower on all four
// seeds above (4000 x 4000 Cauchy 0.9 float32: 1.04-1.19x).
std::atomic<std::size_t> g_band_min_entries{kBandMinEntries};
// The size up to which the few-groups gather copies survivors' entries at any
// radius (kCompactMaxEntries; tests lower it to reach the rules for larger
// copies on small matrices).
std::atomic<std::size_t> g_gather_max_entries{kCompactMaxEntries};
// Test hook: every listed column's check fails, so the solve from the low
// lists takes its fallback (set_stream_low_fallback).
std::atomic<bool> g_low_fallback{false};

// The gather of few_groups_thresholds asks for the survivors' entries this
// many rows ahead: each lies on its own cache line, a row from the last, and
// on tall matrices they are many (8000 x 1000 sparse, eta = 1: 68 survivors,
// half the lines of the matrix), each a miss the loop waited for.
constexpr std::size_t kGatherAhead = 8;

// The lists' solve starts the column passes unless the mean |y| of the
// surviving columns exceeds this share of their maxima (flat data).
constexpr double kFlatShare = 0.35;

// Never reached in the tests (the active sets settle in a few passes); the
// caller then falls back to the sort-based method.
constexpr int kMaxPasses = 200;

thread_local StreamTrace t_trace;

// The surviving groups are copied out whole when they hold at most a quarter
// of the entries, and at most kCompactMaxEntries of them.
inline bool fits_whole_copy(std::size_t alive, std::size_t ng, std::size_t len) {
  const std::size_t live = alive * len;
  return live <= kCompactMaxEntries && 4 * live <= ng * len;
}

// The entries of group j that can be active at a threshold >= 0: those that
// are not zero when the caller counted them (p.nz), else all len. phi_j(x)
// >= s_j - reach_j x for x >= 0, the bound every start and chord here uses;
// on sparse data (90 % zeros) len would make it ten times too loose.
inline double reach(const ThresholdProblem& p, std::size_t j) {
  return p.nz != nullptr ? std::max(p.nz[j], 1.0) : static_cast<double>(p.len);
}

// The passes over the entries are the kernel table's (simd/loops-inl.hpp),
// compiled per instruction set; every table gives the same bits.
inline void column_stats(const float* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                         double scale, const double* mu, double* k, double* s, double* c, const double* lo, double* cnt,
                         double* lb, double* ub) {
  simd::kernels().column_stats_gap_f32(y, n, stride, c0, c1, scale, mu, k, s, c, lo, cnt, lb, ub);
}
inline void column_stats(const double* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                         double scale, const double* mu, double* k, double* s, double* c, const double* lo, double* cnt,
                         double* lb, double* ub) {
  simd::kernels().column_stats_gap_f64(y, n, stride, c0, c1, scale, mu, k, s, c, lo, cnt, lb, ub);
}
inline void column_below(const float* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                         double scale, const double* hi, double* k, double* s, double* c, std::size_t cap,
                         std::uint32_t* col, double* val, std::size_t* held) {
  simd::kernels().column_stats_below_f32(y, n, stride, c0, c1, scale, hi, k, s, c, cap, col, val, held);
}
inline void column_below(const double* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                         double scale, const double* hi, double* k, double* s, double* c, std::size_t cap,
                         std::uint32_t* col, double* val, std::size_t* held) {
  simd::kernels().column_stats_below_f64(y, n, stride, c0, c1, scale, hi, k, s, c, cap, col, val, held);
}
inline void group_stats(const float* r, std::size_t len, double scale, double u, double* k, double* s) {
  simd::kernels().group_stats_f32(r, len, scale, u, k, s);
}
inline void group_stats(const double* r, std::size_t len, double scale, double u, double* k, double* s) {
  simd::kernels().group_stats_f64(r, len, scale, u, k, s);
}

// Column pass over the whole matrix; blocks whose columns are all dead
// (mu = +inf) are skipped. cnt[j] counts the entries >= lo[j] (candidates);
// (lb[j], ub[j]] is the gap around mu[j] in which the active set holds.
template <class T>
void column_pass(const MatrixRef<T>& y, double scale, const double* mu, double* k, double* s, double* c,
                 const double* lo, double* cnt, double* lb, double* ub) {
  const std::size_t n = y.rows, m = y.cols;
  parallel_ranges(m, kThreadMinColumns, y.size(), [&](std::size_t c0, std::size_t c1) {
    for (std::size_t b0 = c0; b0 < c1; b0 += kBlock) {
      const std::size_t b1 = std::min(c1, b0 + kBlock);
      bool any = false;
      for (std::size_t j = b0; j < b1; ++j) any |= mu[j] < kInf;
      if (!any) continue;
      column_stats(y.data, n, m, b0, b1, scale, mu, k, s, c, lo, cnt, lb, ub);
    }
  });
}

// Copies the entries |y| * scale >= lo[j] of the alive columns into one
// buffer, group by group; cnt[j] (from the pass that used the same lo) sizes
// each group exactly. A count that disagrees (the caller's memory changed
// under us) only loses entries, never writes out of bounds.
template <class T>
void compact_groups(const MatrixRef<T>& y, double scale, const ScratchVector<std::size_t>& alive, const double* lo,
                    const double* cnt, ScratchBuffer<double>& cdata, ScratchVector<std::size_t>& cbeg,
                    ScratchVector<std::size_t>& clen) {
  const std::size_t m = y.cols;
  ScratchVector<double> bound(m, kInf);
  ScratchVector<std::size_t> cap(m, 0);
  for (std::size_t j : alive) {
    bound[j] = lo[j];
    cap[j] = static_cast<std::size_t>(cnt[j]);
  }
  cbeg.assign(m + 1, 0);
  for (std::size_t j = 0; j < m; ++j) cbeg[j + 1] = cbeg[j] + cap[j];
  clen.assign(m, 0);
  cdata.take(cbeg[m]);
  simd::fill_candidates(y.data, y.rows, m, scale, bound.data(), cap.data(), cbeg.data(), clen.data(), cdata.data());
}

// Each column's top list (the first read's, column_topk.hpp) as exact
// points of phi_j: x[j K + r] is the (r+1)-th largest scaled |y| and
// f[j K + r] = phi_j there, the sum of (x_i - x_r) over the larger ones
// (every entry above it is listed). phi_j is convex, so on [x0, x_r] it lies
// below its chord from (x0, phi_j(x0)) to (x_r, f_r): where f_r <= t <=
// phi_j(x0), the chord's root at t bounds mu_j(t) from above. On heavy tails
// these points lie near mu_j where (max_j, 0), the chord's other end
// otherwise, lies thousands of times above it. Each f_r is rounded up by a
// few ulps of the sum it comes from: a point at or above phi_j keeps its
// chord above phi_j, so the root stays a bound whatever the rounding.
struct TopPoints {
  static constexpr std::size_t K = kColumnTop;
  ScratchVector<double> x, f;

  template <class T>
  TopPoints(const T* top, std::size_t ng, double scale) : x(ng * K), f(ng * K) {
    for (std::size_t j = 0; j < ng; ++j) {
      double above = 0.0;
      for (std::size_t r = 0; r < K; ++r) {
        const double v = std::fabs(static_cast<double>(top[j * K + r])) * scale;
        x[j * K + r] = v;
        f[j * K + r] = (above - static_cast<double>(r) * v) +
                       4.0 * static_cast<double>(r + 1) * std::numeric_limits<double>::epsilon() * above;
        above += v;
      }
    }
  }

  // The root at t of the chord from (x0, f0) to the nearest listed point
  // right of x0 with f_r <= t (+inf if none): an upper bound of mu_j(t)
  // when f0 = phi_j(x0) >= t. Rounded up a little: a filter's bound.
  double chord_root(std::size_t j, double x0, double f0, double t) const {
    const double* xs = x.data() + j * K;
    const double* fs = f.data() + j * K;
    for (std::size_t r = K; r-- > 0;) {
      if (fs[r] <= t && xs[r] > x0 && f0 > fs[r]) {
        const double u = x0 + (f0 - t) * ((xs[r] - x0) / (f0 - fs[r]));
        return u * (1.0 + 1e-12) + 1e-12 * xs[r];
      }
    }
    return kInf;
  }
};

// Lower bounds of mu_j*, from the statistics (k_j, S_j) of the pass at
// thresholds mu_j and the current lower bound theta of theta*.
// Upper bound of theta*: phi_j is convex with phi_j(x0) = f0 (x0 = max(mu_j, 0),
// f0 = S_j - k_j x0), phi_j(0) = s_j and phi_j(max_j) = 0, so it lies below
// its chords, and mu_j(t) <= max_j - t (max_j - x0) / f0 for t <= f0,
// <= x0 (s_j - t) / (s_j - f0) above; the root of the sum of these = eta is
// >= theta*. Lower bound of mu_j*: phi_j(x) >= S_j - k_j x (the active set's
// own terms) and >= max_j - x, so mu_j(theta_hi) >= both roots.
// With the top lists (tops, see TopPoints), phi_j is also known exactly at
// each listed entry, and the chord from (x0, f0) to the nearest such point
// at or below t lies far nearer phi_j than the one to (max_j, 0): on heavy
// tails max_j is thousands of times mu_j (round fourteen).
void candidate_bounds(const ThresholdProblem& p, const ScratchVector<std::size_t>& alive, const double* mu,
                      const double* k, const double* S, double theta, double* lo, const TopPoints* tops) {
  const std::size_t na = alive.size();
  ScratchVector<double> a(na), b(na), f(na), mx(na), s(na);
  double top = 0.0;
  for (std::size_t q = 0; q < na; ++q) {
    const std::size_t j = alive[q];
    const double x0 = std::max(mu[j], 0.0), f0 = S[j] - k[j] * x0;
    mx[q] = p.mx[j];
    s[q] = p.s[j];
    f[q] = f0;
    top = std::max(top, p.s[j]);
    if (!(f0 > 0.0) || !(x0 < p.mx[j]) || !(p.s[j] > f0 || x0 == 0.0)) {
      a[q] = 0.0;  // no usable chord: mu_j(t) <= max_j
      b[q] = 0.0;
      f[q] = kInf;
    } else {
      a[q] = (p.mx[j] - x0) / f0;
      b[q] = x0 > 0.0 ? x0 / (p.s[j] - f0) : 0.0;
    }
  }
  auto upper_sum = [&](double t) {
    double u = 0.0;
    for (std::size_t q = 0; q < na; ++q) {
      double right = mx[q] - t * a[q];
      const double left = b[q] * (s[q] - t);
      if (tops != nullptr && t <= f[q] && f[q] < kInf) {
        const std::size_t j = alive[q];
        right = std::min(right, tops->chord_root(j, std::max(mu[j], 0.0), f[q], t));
      }
      u += t >= s[q] ? 0.0 : (t <= f[q] ? right : left);
    }
    return u;
  };
  double lo_t = std::max(theta, 0.0), hi_t = top;
  if (upper_sum(lo_t) <= p.eta) hi_t = lo_t;
  // A filter, not a result: a bound within 1e-6 of the root is plenty.
  for (int it = 0; it < 24 && hi_t - lo_t > 1e-6 * hi_t; ++it) {
    const double mid = 0.5 * (lo_t + hi_t);
    if (upper_sum(mid) <= p.eta)
      hi_t = mid;
    else
      lo_t = mid;
  }
  // The sums above carry rounding: widen the bound so the filter stays safe.
  const double theta_hi = hi_t * (1.0 + 1e-9) + 1e-300;
  for (std::size_t j : alive) {
    const double by_set = (S[j] - theta_hi) / k[j], by_max = p.mx[j] - theta_hi;
    lo[j] = below(std::max({0.0, by_set, by_max}));
  }
}

// An upper bound of mu_j(t), t a lower bound of theta* (so of mu_j* too),
// from the last column pass at threshold mu_j: its count k and sum S of the
// entries >= mu_j, and the gap (lb, ub] (the largest entry below mu_j, the
// smallest at or above it). On [lb, ub] phi_j is exactly S - k x; left of lb
// it lies below the chord from (0, s_j) to (lb, phi_j(lb)), right of ub below
// the chord from (ub, phi_j(ub)) to (max_j, 0) (phi_j is convex), and each
// piece's root of = t bounds mu_j(t) from above. Widened for rounding: of
// the divisions (relative), of S - k x (about an ulp of S, over k), and of
// the chord's slope when phi_j(ub) is small (a share of max_j).
inline double gap_upper(double t, double S, double k, double lb, double ub, double s, double mx, const TopPoints* tops,
                        std::size_t j) {
  const double fl = S - k * lb, fu = S - k * ub;
  double u = mx;
  if (t >= fu && t <= fl)
    u = (S - t) / k;
  else if (t < fu && fu > 0.0)
    u = std::min(mx - t * (mx - ub) / fu, tops != nullptr ? tops->chord_root(j, ub, fu, t) : kInf);
  else if (s > fl && lb > 0.0)
    u = lb * (s - t) / (s - fl);
  u = u * (1.0 + 1e-9) + 1e-9 * (S / k) + 1e-12 * mx + DBL_TRUE_MIN;
  return u < mx ? u : mx;
}

// Whether column j's low list settles it at theta (a lower bound of
// theta*): every nonzero listed, or phi_j(b_j) < theta, b_j its list's bound
// (few_groups_thresholds below says why); then *ka, *sa (when asked) the
// count and sum of its nonzeros not listed.
bool low_list_settles(const ThresholdProblem& p, const simd::LowLists& low, std::size_t j, double theta, double* ka_out,
                      double* sa_out) {
  const double* vals = low.vals + j * low.cap;
  const std::size_t n = low.n[j];
  const double ka = p.nz[j] - static_cast<double>(n);
  if (ka_out != nullptr) *ka_out = ka;
  if (ka <= 0.0) return true;
  CompensatedSum c;
  for (std::size_t r = 0; r < n; ++r) c.add(vals[r]);
  const double sa = p.s[j] - c.value(), b = low.bound[j];
  if (sa_out != nullptr) *sa_out = sa;
  // phi_j(b_j), its rounding (the sums' last places) on the safe side.
  return sa - ka * b + 1e-10 * p.s[j] < theta;
}

// Few surviving groups, known from theta_0 alone (small radii, heavy tails:
// 144 of 80000 columns at 100 x 80000 Cauchy 0.5; sparse data at eta = 1):
// their entries are gathered row by row, reading only the cache lines that
// hold them, instead of a pass over the whole matrix, and every array is
// sized by the survivors, not by the groups (at 80000 groups the per-group
// arrays, their zeroing and their page faults cost about a pass). Zeros are
// left out when p.nz counted them (they are never active at a threshold
// >= 0), so a sparse group costs its nonzeros. Group q of the copy is
// cdata[beg[q] .. beg[q] + held[q]), in row order.
template <class T>
StreamEnd few_groups_thresholds(const MatrixRef<T>& y, const ThresholdProblem& p,
                                const ScratchVector<std::size_t>& alive_in, double theta, double* mu_out,
                                const StopToken& stop) {
  const std::size_t m = y.cols;
  const bool drop_zeros = p.nz != nullptr;
  const double theta_start = theta;
  std::size_t na = alive_in.size();
  // Listed survivors (p.low, docs/exact-stream.md round thirty): the
  // first read kept every nonzero |y| of column j below bound b_j, so for
  // x <= b_j the entries not listed are all active and phi_j(x) is the
  // list's own terms plus (S_a - k_a x), k_a = nz_j - listed and S_a = s_j -
  // the list's sum. Where phi_j(b_j) < theta_0 <= theta*, mu_j* <= mu_j(theta_0)
  // <= b_j, and so is every threshold the loop below evaluates (the start is
  // at most mu_j(theta_0), and each later mu = (S - theta) / k is at most
  // mu_j(theta), theta rising): the column's copy is its list, and (k_a, S_a)
  // are added to each pass's count and sum. Checked at every pass all the
  // same (rounding): a threshold past its bound solves the call again with
  // every survivor gathered.
  const simd::LowLists* low = (drop_zeros && p.scale == 1.0) ? p.low : nullptr;
  ScratchVector<double> above_k(low != nullptr ? na : 0, 0.0), above_s(low != nullptr ? na : 0, 0.0),
      bound_of(low != nullptr ? na : 0, kInf);
  ScratchVector<unsigned char> listed(na, 0);
  if (low != nullptr) {
    for (std::size_t q = 0; q < na; ++q) {
      const std::size_t j = alive_in[q];
      double ka = 0.0, sa = 0.0;
      if (!low_list_settles(p, *low, j, theta, &ka, &sa)) continue;
      listed[q] = 1;
      if (ka <= 0.0) continue;  // every nonzero listed: exact at any threshold
      above_k[q] = ka;
      above_s[q] = sa;
      bound_of[q] = low->bound[j];
    }
  }
  // The survivors read again (all of them without lists): slot gq[g] of
  // column gcol[g].
  ScratchVector<std::size_t> gcol, gq;
  gcol.reserve(na);
  gq.reserve(na);
  for (std::size_t q = 0; q < na; ++q)
    if (listed[q] == 0) {
      gcol.push_back(alive_in[q]);
      gq.push_back(q);
    }
  const std::size_t ngat = gcol.size();
  t_trace.low_settled = na - ngat;
  t_trace.low_gathered = ngat;
  // One slot more per gathered group: the gather stores every entry it reads
  // and only advances past the ones it keeps (no branch), so it writes one
  // past the last kept. The bound check keeps a count that disagrees with
  // the data (memory changed under us) from writing out of bounds.
  ScratchVector<std::size_t> beg(na + 1, 0), held(na);
  for (std::size_t q = 0; q < na; ++q)
    beg[q + 1] = beg[q] + (listed[q] != 0 ? static_cast<std::size_t>(low->n[alive_in[q]])
                                          : static_cast<std::size_t>(reach(p, alive_in[q])) + 1);
  // Not cleared: the gather writes every slot it reads (docs/memory.md).
  // Float data's copy holds |y| as floats, scaled where it is read
  // (group_stats_f32 widens and scales each entry to the double the copy of
  // doubles held: the same values, half the bytes to write and to read;
  // docs/exact-float32.md, "The float gather's copy in floats"); double
  // data's holds |y| * scale.
  constexpr bool kFloatCopy = std::is_same_v<T, float>;
  const double copy_scale = kFloatCopy ? p.scale : 1.0;
  ScratchBuffer<T> cdata(beg[na]);
  // A settled column's copy is its list; float data's lists hold widened
  // floats, so they narrow back exactly (and p.scale is 1 with lists).
  for (std::size_t q = 0; q < na && low != nullptr; ++q) {
    if (listed[q] == 0) continue;
    const std::size_t j = alive_in[q];
    const double* vals = low->vals + j * low->cap;
    std::transform(vals, vals + low->n[j], cdata.data() + beg[q], [](double v) { return static_cast<T>(v); });
    held[q] = low->n[j];
  }
  parallel_ranges(ngat, 1, y.rows * ngat, [&](std::size_t b, std::size_t e) {
    ScratchVector<std::size_t> pos(e - b), end(e - b);
    for (std::size_t g = b; g < e; ++g) {
      pos[g - b] = beg[gq[g]];
      end[g - b] = beg[gq[g] + 1] - 1;
    }
    if constexpr (kFloatCopy) {
      // Floats into floats, the nonzeros (p.nz) or every entry: eight rows of
      // a column a step (simd/gather_float.hpp).
      simd::kernels().gather_float(y.data, y.rows, m, gcol.data() + b, e - b, drop_zeros, pos.data(), end.data(),
                                   cdata.data());
    } else if (!drop_zeros || p.scale == 1.0) {
      // The kernel table's copy by index (simd/candidate_records.hpp, four
      // rows of a column a step) keeps what reaches a bound: 0 keeps all,
      // the smallest denormal the nonzeros of |y| (unscaled only: a scaled
      // entry may round to 0 where y does not).
      ScratchVector<double> keep_from(e - b, drop_zeros ? std::numeric_limits<double>::denorm_min() : 0.0);
      simd::column_segments(simd::kernels(), y.data, y.rows, m, gcol.data() + b, e - b, p.scale, keep_from.data(),
                            pos.data(), end.data(), cdata.data());
    } else {
      for (std::size_t i = 0; i < y.rows; ++i) {
        const T* r = y.data + i * m;
        if (i + kGatherAhead < y.rows)
          for (std::size_t g = b; g < e; ++g) prefetch_range(r + kGatherAhead * m + gcol[g], 1);
        for (std::size_t g = b; g < e; ++g) {
          const T v = r[gcol[g]];
          std::size_t& at = pos[g - b];
          cdata[at] = std::fabs(static_cast<double>(v)) * p.scale;
          at += ((v != T(0) || !drop_zeros) && at + 1 < beg[gq[g] + 1]) ? 1 : 0;
        }
      }
    }
    for (std::size_t g = b; g < e; ++g) held[gq[g]] = pos[g - b] - beg[gq[g]];
  });
  // Per survivor q: its slot at[q] (group alive_in[at[q]], whose copy has
  // l1 norm total[at[q]]), threshold, active count and sum, and those of the
  // previous pass.
  ScratchVector<std::size_t> at(na);
  ScratchVector<double> mu(na), k(na), S(na), prev_k(na, -1.0), prev_s(na, 0.0), total(na);
  for (std::size_t q = 0; q < na; ++q) {
    const std::size_t j = alive_in[q];
    at[q] = q;
    mu[q] = std::max({0.0, (p.s[j] - theta) / reach(p, j), p.mx[j] - theta});
    // Its whole l1 norm from the first read, listed or gathered (the copy
    // holds the whole column, or all its nonzeros): it only decides drops
    // (keep_survivors), and a serial compensated sum over every gathered
    // entry cost the float call as much as the double one (sparse cells that
    // gather: float32 0.92, float64 0.97 of the call without it; the same
    // bytes on the grid; docs/exact-float32.md, "Sparse float data counts at
    // half the norm").
    total[q] = p.s[j];
  }
  t_trace.compacted = true;
  t_trace.gathered = true;
  // A listed column's threshold past its list's bound: the call solved again
  // with every survivor gathered.
  const auto fall_back = [&] {
    ThresholdProblem gathered = p;
    gathered.low = nullptr;
    t_trace.low_fallback = true;
    return few_groups_thresholds(y, gathered, alive_in, theta_start, mu_out, stop);
  };
  bool alive_changed = true;
  for (int pass = 0; pass < kMaxPasses && na > 0; ++pass) {
    if (stop.requested()) return StreamEnd::kStopped;
    if (low != nullptr) {
      bool inside = !g_low_fallback.load(std::memory_order_relaxed);
      for (std::size_t q = 0; q < na; ++q) inside &= !(mu[q] > bound_of[at[q]]);
      if (!inside) return fall_back();
    }
    parallel_ranges(na, 1, beg[na], [&](std::size_t b, std::size_t e) {
      for (std::size_t q = b; q < e; ++q)
        group_stats(cdata.data() + beg[at[q]], held[at[q]], copy_scale, mu[q], &k[q], &S[q]);
    });
    if (low != nullptr)
      for (std::size_t q = 0; q < na; ++q) {
        k[q] += above_k[at[q]];
        S[q] += above_s[at[q]];
      }
    ++t_trace.compact_passes;
    bool same = !alive_changed;
    const double next = survivors_newton_step(p, alive_in.data(), at.data(), na, k.data(), S.data(), prev_k.data(),
                                              prev_s.data(), &same);
    if (same) {
      // The thresholds returned are checked against the lists' bounds too
      // (the passes checked the ones they used; these are one step on).
      bool inside = true;
      for (std::size_t q = 0; low != nullptr && q < na; ++q) inside &= !((S[q] - next) / k[q] > bound_of[at[q]]);
      if (!inside) return fall_back();
      for (std::size_t j = 0; j < p.ng; ++j) mu_out[j] = 0.0;
      for (std::size_t q = 0; q < na; ++q) mu_out[alive_in[at[q]]] = std::max((S[q] - next) / k[q], 0.0);
      return StreamEnd::kConverged;
    }
    if (next > theta) theta = next;
    const std::size_t w =
        keep_survivors(na, theta, total.data(), at.data(), mu.data(), k.data(), S.data(), prev_k.data(), prev_s.data());
    alive_changed = w != na;
    na = w;
  }
  if (na == 0) {
    for (std::size_t j = 0; j < p.ng; ++j) mu_out[j] = 0.0;
    return StreamEnd::kConverged;
  }
  return StreamEnd::kIterationCap;
}

// A short below-bound list at threshold u (below_bound_thresholds): its
// count and compensated sum of the entries at or above u, the one-by-one
// operations of the kernel's tail, and the gap it leaves, (lo, hi]. Each
// entry's test picks its terms by a mask of bits rather than by a select:
// the compiler made the selects two branches on a >= u, which mispredict
// where u splits the lists (a fifth of the function's samples, 100 x 80000
// uniform 0.01; round thirty-eight of docs/exact-stream.md). The same values:
// an entry at or above u adds 1, a, and leaves lo (max with -inf); one below
// adds 0 and +0 and leaves hi (min with +inf).
inline double from_bits(std::uint64_t b) {
  double x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

inline void read_short_list(const double* v, std::size_t n, double u, double* k_out, double* s_out, double* lo,
                            double* hi) {
  std::uint64_t inf_bits, neg_inf_bits;
  std::memcpy(&inf_bits, &kInf, sizeof inf_bits);
  const double neg_inf = -kInf;
  std::memcpy(&neg_inf_bits, &neg_inf, sizeof neg_inf_bits);
  double kb = 0.0, sb = 0.0, comp = 0.0, off = -kInf, on_min = kInf;
  for (std::size_t i = 0; i < n; ++i) {
    const double a = std::fabs(v[i]);
    const bool on = a >= u;
    const std::uint64_t keep = std::uint64_t{0} - static_cast<std::uint64_t>(on);
    std::uint64_t ab;
    std::memcpy(&ab, &a, sizeof ab);
    kb += static_cast<double>(on);
    add_nonneg(sb, comp, from_bits(ab & keep));
    off = std::max(off, from_bits((ab & ~keep) | (neg_inf_bits & keep)));
    on_min = std::min(on_min, from_bits((ab & keep) | (inf_bits & ~keep)));
  }
  *k_out = kb;
  *s_out = sb + comp;
  *lo = off;
  *hi = on_min;
}

// Most entries active (small radii, the tall shapes where too many groups
// survive theta_0 to gather): every entry at or above an upper bound hi_j of
// mu_j* is active at the solution, so one pass that counts and sums those and
// lists the few below hi_j leaves a problem that fits in memory and has the
// same solution (phi_j is unchanged on [0, hi_j], where mu_j* lies). The
// bound: phi_j lies below its chord from (0, s_j) to (max_j, 0), so
// mu_j(theta) <= max_j (1 - theta / s_j), and mu_j* <= mu_j(theta_0).
// Tried only when the bounds promise a short list (as if the entries were
// spread evenly below max_j); a list that outgrows its budget leaves the
// call to the other strategies (one pass lost). Columns go in fixed blocks,
// so the list and the results do not depend on the thread count.
template <class T>
bool below_bound_thresholds(const MatrixRef<T>& y, const ThresholdProblem& p, const ScratchVector<std::size_t>& alive,
                            double theta, double* mu_out, StreamEnd* end, const StopToken& stop) {
  const std::size_t ng = p.ng, len = p.len, m = y.cols;
  if (ng > std::numeric_limits<std::uint32_t>::max()) return false;
  const double t0 = theta * (1.0 - 1e-9);  // theta_0 is a lower bound up to rounding
  ScratchVector<double> hi(ng, 0.0);       // 0 for the dead groups: nothing listed
  // promised: the list's length if the entries were spread evenly below
  // max_j. at_least: a floor that holds for any data, since at most s_j / h_j
  // entries of group j reach h_j (on sparse data, whose zeros all fall below
  // hi_j, the even-spread guess is far too short, and the list would only
  // overflow its budget after a full pass).
  double promised = 0.0, at_least = 0.0;
  for (std::size_t j : alive) {
    const double h = p.mx[j] * (1.0 - t0 / p.s[j]);
    hi[j] = h * (1.0 + 8.0 * DBL_EPSILON) + DBL_TRUE_MIN;
    promised += static_cast<double>(len) * std::min(1.0, h / p.mx[j]);
    if (h > 0.0) at_least += std::max(0.0, static_cast<double>(len) - p.s[j] / h);
  }
  const std::size_t size = y.size();
  if (!(promised * 32.0 <= static_cast<double>(size))) return false;
  const std::size_t budget = size / 16, nb = (m + kBlock - 1) / kBlock;
  if (at_least > static_cast<double>(budget)) return false;
  // The list's blocks are not cleared: an entry is read only once listed.
  ScratchBuffer<std::uint32_t> col(budget);
  ScratchBuffer<double> val(budget);
  ScratchVector<double> K(ng, 0.0), Sb(ng, 0.0), C(ng, 0.0);
  ScratchVector<std::size_t> held(nb, 0);
  auto room = [&](std::size_t b) { return budget * b / nb; };
  parallel_ranges(nb, 1, size, [&](std::size_t b0, std::size_t b1) {
    for (std::size_t b = b0; b < b1; ++b) {
      const std::size_t c0 = b * kBlock, c1 = std::min(m, c0 + kBlock);
      column_below(y.data, y.rows, m, c0, c1, p.scale, hi.data(), K.data(), Sb.data(), C.data(), room(b + 1) - room(b),
                   col.data() + room(b), val.data() + room(b), &held[b]);
    }
  });
  ++t_trace.full_passes;
  for (std::size_t b = 0; b < nb; ++b) {
    if (held[b] > room(b + 1) - room(b)) {
      t_trace.below_overflow = true;
      return false;
    }
  }
  if (stop.requested()) {
    *end = StreamEnd::kStopped;
    return true;
  }
  // The listed entries by group, in row order: group j's are
  // list[beg[j] .. beg[j + 1]).
  // Each block's bounds are taken once, into locals: in the loop's own
  // condition, room(b) (a 64-bit division) was computed again for every
  // entry, since the stores to beg might have changed budget or nb for all
  // the compiler knew (round thirty-eight, docs/exact-stream.md).
  ScratchVector<std::size_t> beg(ng + 1, 0);
  std::size_t* const bg = beg.data();
  const std::uint32_t* const lc = col.data();
  const double* const lv = val.data();
  for (std::size_t b = 0; b < nb; ++b) {
    const std::size_t e0 = room(b), e1 = e0 + held[b];
    for (std::size_t e = e0; e < e1; ++e) ++bg[lc[e] + 1];
  }
  for (std::size_t j = 0; j < ng; ++j) bg[j + 1] += bg[j];
  ScratchVector<std::size_t> at(beg.begin(), beg.end() - 1);
  ScratchBuffer<double> list(bg[ng]);
  {
    std::size_t* const to = at.data();
    double* const ls = list.data();
    for (std::size_t b = 0; b < nb; ++b) {
      const std::size_t e0 = room(b), e1 = e0 + held[b];
      for (std::size_t e = e0; e < e1; ++e) ls[to[lc[e]]++] = lv[e];
    }
  }
  t_trace.below = true;
  // Newton on the reduced groups: (K_j, Sb_j) above hi_j plus the list.
  // Survivor q is alive[slot[q]], of l1 norm total[slot[q]]. The totals add
  // terms >= 0 (Sb_j and magnitudes), so add_nonneg: CompensatedSum's bits
  // without its branch.
  // Per slot (survivor q is slot[q]), what the passes read and keep in one
  // 64-byte record (not placed on a line: the scratch blocks promise a
  // scalar's alignment only): the count and sum above hi_j, where its list starts and
  // its length, the list's count and sum at the last threshold that read it,
  // and the gap (lo, hi] of thresholds that leave the same listed entries
  // active: a threshold inside it gives the same entries, added in the same
  // order, so the same bits without a read. One line a column instead of a
  // walk from slot to group to six arrays of the group's and the slot's
  // (round thirty-eight, docs/exact-stream.md). The lists are short (100 x
  // 80000 uniform 0.01: 117k entries over 36k columns, 3 a column, 5
  // passes), so a list of fewer than kShortList entries is read here rather
  // than through the kernel table: the kernel's own one-by-one tail (below
  // eight entries it runs nothing else), the same operations, and the gap
  // besides. Longer lists go to the kernel and keep no gap (round
  // twenty-eight, docs/exact-stream.md).
  struct BelowSlot {
    double k_above, s_above, list_k, list_s, lo, hi;
    std::size_t from, n;
  };
  std::size_t na = alive.size();
  ScratchVector<std::size_t> slot(na);
  ScratchVector<BelowSlot> rec(na);
  ScratchVector<double> mu(na), k(na), S(na), prev_k(na, -1.0), prev_s(na, 0.0), total(na);
  for (std::size_t q = 0; q < na; ++q) {
    const std::size_t j = alive[q];
    slot[q] = q;
    double ts = 0.0, tc = 0.0;
    add_nonneg(ts, tc, Sb[j]);
    for (std::size_t e = bg[j]; e < bg[j + 1]; ++e) add_nonneg(ts, tc, list[e]);
    total[q] = ts + tc;
    mu[q] = hi[j];
    k[q] = K[j];
    S[q] = Sb[j];
    rec[q] = BelowSlot{K[j], Sb[j], 0.0, 0.0, kInf, -kInf, bg[j], bg[j + 1] - bg[j]};
  }
  constexpr std::size_t kShortList = 8;
  bool first = true, alive_changed = true;
  for (int pass = 0; pass < kMaxPasses && na > 0; ++pass) {
    if (stop.requested()) {
      *end = StreamEnd::kStopped;
      return true;
    }
    if (!first) {
      // The arrays through locals taken inside the range's body: the kernel
      // call below may write any memory for all the compiler knows, so
      // through the captures every array's address was loaded again for
      // every column.
      parallel_ranges(na, 1, bg[ng], [&](std::size_t b, std::size_t e) {
        const std::size_t* const sl = slot.data();
        const double* const mq = mu.data();
        const double* const ls = list.data();
        BelowSlot* const rc = rec.data();
        double* const kq = k.data();
        double* const sq = S.data();
        for (std::size_t q = b; q < e; ++q) {
          BelowSlot& r = rc[sl[q]];
          const double u = mq[q];
          if (!(u > r.lo && u <= r.hi)) {
            const double* v = ls + r.from;
            const std::size_t n = r.n;
            double kb = 0.0, sb = 0.0;
            if (n < kShortList) {
              read_short_list(v, n, u, &kb, &sb, &r.lo, &r.hi);
            } else {
              group_stats(v, n, 1.0, u, &kb, &sb);
            }
            r.list_k = kb;
            r.list_s = sb;
          }
          kq[q] = r.k_above + r.list_k;
          sq[q] = r.s_above + r.list_s;
        }
      });
      ++t_trace.compact_passes;
    }
    first = false;
    bool same = !alive_changed;
    const double next = survivors_newton_step(p, alive.data(), slot.data(), na, k.data(), S.data(), prev_k.data(),
                                              prev_s.data(), &same);
    if (same) {
      for (std::size_t j = 0; j < ng; ++j) mu_out[j] = 0.0;
      for (std::size_t q = 0; q < na; ++q) mu_out[alive[slot[q]]] = std::max((S[q] - next) / k[q], 0.0);
      *end = StreamEnd::kConverged;
      return true;
    }
    if (next > theta) theta = next;
    const std::size_t w = keep_survivors(na, theta, total.data(), slot.data(), mu.data(), k.data(), S.data(),
                                         prev_k.data(), prev_s.data());
    alive_changed = w != na;
    na = w;
  }
  if (na == 0) {
    for (std::size_t j = 0; j < ng; ++j) mu_out[j] = 0.0;
    *end = StreamEnd::kConverged;
    return true;
  }
  *end = StreamEnd::kIterationCap;
  return true;
}

}  // namespace

StreamTrace last_stream_trace() {
  return t_trace;
}

std::size_t set_stream_band_min_entries(std::size_t entries) {
  return g_band_min_entries.exchange(entries);
}

std::size_t set_stream_gather_max_entries(std::size_t entries) {
  return g_gather_max_entries.exchange(entries);
}

bool set_stream_low_fallback(bool force) {
  return g_low_fallback.exchange(force);
}

template <class T>
bool stream_wants_nonzeros(const MatrixRef<T>& y, Groups g, double eta, double* sampled_norm) {
  if (g != Groups::kColumns || y.rows < kCandidateMinLen) return false;
  double sampled = 0.0, growth = 1.0;
  const bool common = zeros_common(y, &sampled, &growth);
  if (sampled_norm != nullptr) *sampled_norm = sampled;
  if (!common) return false;
  // The sample's maxima (about eight nonzeros per column) are about half the
  // true ones on the grid's sparse data, so this asks for a radius below
  // about 0.4 of ||Y||_{1,inf}. Larger radii leave most columns alive, and
  // there the top entries of the first read pay instead: on 4000 x 4000
  // sparse, seed 2, 0.9 ||Y|| took 5.9x a memcpy with the count, 2.1x with
  // the lists; at 0.01-0.1 ||Y|| 5.2-6.4x with the count, 6.6-8.4x without.
  // Both types also count below 0.7 of the sampled norm grown to the
  // columns' length (about 0.65 of ||Y||): at 0.5-0.7 ||Y|| the count and
  // the gather of the counted nonzeros beat the lists and the row sample
  // (8000 x 1000 sparse 0.5, seed 3: 4.2x -> 2.8x a memcpy; docs/exact-start.md,
  // "Tall sparse data counts its nonzeros at 0.5"). Float data too since its
  // gather's copy holds floats: it lost on 4000 x 4000 with a copy of
  // doubles, and now wins 0.56-0.86 on the three shapes at 0.45-0.6 of the
  // norm (docs/exact-float32.md, "Sparse float data counts at half the norm").
  if (eta < 0.7 * sampled * growth) return true;
  return eta < 0.8 * sampled;
}

template bool stream_wants_nonzeros<float>(const MatrixRef<float>&, Groups, double, double*);
template bool stream_wants_nonzeros<double>(const MatrixRef<double>&, Groups, double, double*);

namespace {

// One evaluation of the envelope G at theta over the groups listed (all of
// them when live is null): the sum of the positive terms, compensated, and
// their slope. Four independent accumulators and no branch per group: with
// one chain, the branches of the compensated add and a division per group,
// the six sweeps over 80000 groups at 100 x 80000 Cauchy 0.9 took as long
// as a memcpy of the matrix (5.0 ms; now 1.6 ms). The terms are
// >= 0, so Neumaier's add needs only a max and a min (add_nonneg in
// numeric.hpp, as comp_add in simd/loops-inl.hpp).
struct EnvelopeAt {
  double value, slope;
};

EnvelopeAt envelope_at(const ThresholdProblem& p, const std::size_t* live, std::size_t count, double theta) {
  double sum[4] = {0.0, 0.0, 0.0, 0.0}, comp[4] = {0.0, 0.0, 0.0, 0.0}, slope[4] = {0.0, 0.0, 0.0, 0.0};
  // Without counted nonzeros every group has the same length: a product by
  // its inverse instead of a division per group (the divisions alone held
  // the sweep to a third of its speed).
  const double inv_len = 1.0 / static_cast<double>(p.len);
  auto add = [&](std::size_t j, int l) {
    const double inv = p.nz != nullptr ? 1.0 / reach(p, j) : inv_len;
    const double by_sum = (p.s[j] - theta) * inv, by_max = p.mx[j] - theta;
    const double t = std::max(by_max, by_sum);
    const bool on = t > 0.0;
    const double x = on ? t : 0.0;
    add_nonneg(sum[l], comp[l], x);
    slope[l] += on ? (by_max >= by_sum ? 1.0 : inv) : 0.0;
  };
  // The groups four at a time in the kernel table's loop (lane l the groups
  // 4i + l, each lane these operations), the rest in lane 0.
  std::size_t q = count / 4 * 4;
  simd::kernels().envelope_sum4(p.s, p.mx, p.nz, inv_len, live, q, theta, sum, comp, slope);
  for (; q < count; ++q) add(live != nullptr ? live[q] : q, 0);
  CompensatedSum v;
  for (int l = 0; l < 4; ++l) v.add(sum[l]);
  for (int l = 0; l < 4; ++l) v.add(comp[l]);
  return {v.value(), (slope[0] + slope[1]) + (slope[2] + slope[3])};
}

}  // namespace

// G(theta) = sum_j max(0, (s_j - theta) / len, mx_j - theta) is convex,
// piecewise linear and decreasing, and G <= sum_j mu_j(theta) pointwise, so
// its root is at most theta*. Newton from theta = 0 rises monotonically to
// the root and stops when the pieces stop changing; every iterate is itself a
// lower bound (up to rounding), so a capped run is still a valid start.
double envelope_theta(const ThresholdProblem& p) {
  // A group's term is zero once theta >= s_j (s_j >= mx_j), and theta only
  // rises: after the first step only the groups with s_j > theta are swept
  // (at small radii and on heavy tails a few hundred of 80000).
  // The list is compacted without a branch on the test (each index is
  // written, and kept by moving the end past it): with the branch, half the
  // groups mispredicted where theta passes many s_j at once, and the
  // compaction took 45 % of the function on 100 x 80000 Gaussian eta = 1
  // (perf; docs/exact-stream.md, round twenty-eight).
  ScratchBuffer<std::size_t> live;
  std::size_t count = p.ng;
  bool all = true;
  double theta = 0.0;
  for (int it = 0; it < 64; ++it) {
    const EnvelopeAt g = envelope_at(p, all ? nullptr : live.data(), count, theta);
    const double excess = g.value - p.eta;
    if (!(excess > 0.0) || !(g.slope > 0.0)) break;
    const double next = theta + excess / g.slope;
    if (!(next > theta)) break;
    theta = next;
    std::size_t w = 0;
    if (all) {
      std::size_t* to = live.take(p.ng);
      for (std::size_t j = 0; j < p.ng; ++j) {
        to[w] = j;
        w += p.s[j] > theta ? 1 : 0;
      }
      all = false;
    } else {
      std::size_t* to = live.data();
      for (std::size_t q = 0; q < count; ++q) {
        const std::size_t j = to[q];
        to[w] = j;
        w += p.s[j] > theta ? 1 : 0;
      }
    }
    count = w;
  }
  return theta;
}

template <class T>
StreamEnd stream_thresholds(const MatrixRef<T>& y, Groups g, const ThresholdProblem& p, double* mu_out,
                            const StopToken& stop) {
  t_trace = {};
  t_trace.nonzeros = p.nz != nullptr;
  const std::size_t ng = p.ng, len = p.len;
  const double dlen = static_cast<double>(len);
  double theta = envelope_theta(p);

  // Groups with s_j <= theta_0 <= theta* are zero in the solution. The others
  // start at the envelope's threshold: mu = max(0, (s - theta)/len, mx - theta).
  ScratchVector<std::size_t> alive;
  const double dead_at = below(theta);
  for (std::size_t j = 0; j < ng; ++j)
    if (p.s[j] > dead_at) alive.push_back(j);
  // Gathered when the survivors' entries that can be active (their nonzeros
  // when counted) pass the whole-copy test; counted nonzeros at any size up
  // to the test's quarter (docs/exact-stream.md, round fifteen), on float
  // data up to an eighth. Since the float copy holds floats (half the
  // bytes to write and to read) the float gather beats the float column
  // passes at every radius timed, 0.01-0.5 of the norm (it lost up to 1.37x
  // at 0.1-0.15 with a copy of doubles, and ran only where theta_0 was at
  // most 0.35 of the survivors' mean s_j; docs/exact-float32.md, "The float
  // gather's copy in floats"). The eighth: the densities timed copy a tenth.
  // A column its low list settles (low_list_settles) is not read again, so
  // it reaches nothing: dense tall data at eta = 1 (round thirty-nine).
  const simd::LowLists* low = (p.nz != nullptr && p.scale == 1.0) ? p.low : nullptr;
  double reachable = 0.0;
  for (std::size_t j : alive)
    if (low == nullptr || !low_list_settles(p, *low, j, theta, nullptr, nullptr)) reachable += reach(p, j);
  const bool any_size =
      p.nz != nullptr && (std::is_same_v<T, double> || 8.0 * reachable <= static_cast<double>(ng * len));
  if (g == Groups::kColumns &&
      (any_size || reachable <= static_cast<double>(g_gather_max_entries.load(std::memory_order_relaxed))) &&
      4.0 * reachable <= static_cast<double>(ng * len))
    return few_groups_thresholds(y, p, alive, theta, mu_out, stop);
  // The thresholds of the lists' last solve, when they gave way: a start
  // for the column passes below (empty: start from the envelope).
  ScratchVector<double> held_mu;
  if (g == Groups::kColumns && p.top != nullptr) {  // large radii: the top entries may settle it
    StreamEnd end;
    double held_theta = -kInf;
    if (topk_thresholds(y, p, alive, theta, mu_out, &end, stop, &held_theta)) return end;
    // The lists' solve is a lower bound of theta*, far above the envelope's
    // where heavy tails make the lists give way (8000 x 1000 Cauchy 0.9
    // seed 6: 639 of the 777 columns that survive the lists fail them, their
    // candidates too many to copy): what follows starts there. Lowered a
    // little for rounding, as every bound it prunes with. The raised theta
    // and the columns it prunes reach the below-bound copy and the row sample
    // as well as the column passes (each takes any lower bound of theta* and
    // any superset of the surviving columns); the few-groups test above is
    // not repeated: it is a choice of speed, not of correctness.
    // Not on flat data (the mean |y| of the columns a large share of their
    // maxima, as uniform data): there the envelope's bound (s_j - theta) / len
    // is nearly phi_j's own root and its first step already lands near
    // theta* (1000 x 8000 uniform 0.5: 3 passes from the envelope, 4 from the
    // lists' solve).
    double flat = 0.0;
    for (std::size_t j : alive) flat += p.s[j] / (reach(p, j) * p.mx[j]);
    if (held_theta * (1.0 - 1e-9) > theta && flat <= kFlatShare * static_cast<double>(alive.size())) {
      theta = held_theta * (1.0 - 1e-9);
      held_mu.assign(mu_out, mu_out + ng);
      const double gone = below(theta);
      std::size_t w = 0;
      for (std::size_t j : alive)
        if (p.s[j] > gone) alive[w++] = j;
      alive.resize(w);
    }
  }
  if (g == Groups::kColumns) {
    StreamEnd end;
    if (below_bound_thresholds(y, p, alive, theta, mu_out, &end, stop)) return end;
  }
  if (g == Groups::kColumns) {
    // Solved on a copy of the entries above bounds guessed from a row sample
    // when the sample promises a short copy (exact_start.hpp).
    const StreamTrace outer = t_trace;
    SampledEnd se;
    StreamEnd end = StreamEnd::kConverged;
    const bool done = sampled_thresholds(y, p, alive, mu_out, &end, &se, stop);
    t_trace = outer;
    t_trace.sample_passes = se.sample_passes;
    t_trace.sampled = se.taken;
    t_trace.sample_regathered = se.regathered;
    if (se.taken) {
      ++t_trace.full_passes;
      t_trace.compact_passes += se.compact_passes;
    }
    if (done) return end;
  }
  ScratchVector<double> mu(ng, kInf), k(ng, 0.0), S(ng, 0.0), C(ng, 0.0);
  ScratchVector<double> prev_k(ng, -1.0), prev_s(ng, 0.0);
  // The gap around each threshold from the last column pass (see below).
  ScratchVector<double> lb(ng, 0.0), ub(ng, kInf);
  for (std::size_t j : alive) {
    mu[j] = std::max({0.0, (p.s[j] - theta) / reach(p, j), p.mx[j] - theta});
    // Any start is sound (after one pass theta is a lower bound again).
    // Both are at most mu_j(theta) (the lists' phi_j lie below the whole
    // columns'): the larger is the nearer.
    if (!held_mu.empty()) mu[j] = std::max(mu[j], held_mu[j]);
  }

  // Candidates: lo[j] is a lower bound of mu_j* (or +inf: none yet), and the
  // last column pass counted cnt[j] entries >= lo[j]; lo_next holds the
  // bounds for the next pass. total[j] is the l1 norm of group j as the
  // iteration sees it (all of it, or its candidates once compacted).
  ScratchVector<double> lo(ng, kInf), lo_next(ng, kInf), cnt(ng, 0.0), total(p.s, p.s + ng);
  bool counted = false, next_ready = false;
  // The top lists as points of each phi_j, for the chords of the bounds:
  // only while its two arrays fit the scratch cache's classes (ng <= 16384),
  // so that no call pays a fresh block's page faults for them (wider
  // matrices keep the chords to (max_j, 0)).
  std::unique_ptr<TopPoints> tops;
  if (g == Groups::kColumns && len >= kCandidateMinLen && p.top != nullptr &&
      2 * ng * TopPoints::K * sizeof(double) <= scratch::kMaxCachedBytes)
    tops = std::make_unique<TopPoints>(static_cast<const T*>(p.top), ng, p.scale);
  const TopPoints* tops_ptr = tops.get();
  // The first pass can count candidates too: before any pass the chord of
  // phi_j from (0, s_j) to (max_j, 0) bounds theta* from above, and with it
  // mu_j* from below. Loose, except where a few huge entries dominate each
  // group (4000 x 4000 Cauchy 0.5): there it saves a full pass.
  if (g == Groups::kColumns && len >= kCandidateMinLen) {
    ScratchVector<double> zero(ng, 0.0), whole_k(ng, dlen);
    for (std::size_t j : alive) whole_k[j] = reach(p, j);
    candidate_bounds(p, alive, zero.data(), whole_k.data(), p.s, theta, lo_next.data(), tops_ptr);
    next_ready = true;
  }
  // The compact copy: group j's kept entries (|y| * scale) are
  // cdata[cbeg[j] .. cbeg[j] + clen[j]).
  // Neither cleared nor constructed: both copies below write every slot they
  // read (clen[j] of group j's), so only the pages that receive entries are
  // touched. A cleared block (a fresh mapping of tens of megabytes, then a
  // memset) cost up to a tenth of the call on 4000 x 4000 Cauchy 0.9 (round
  // twelve, docs/exact-stream.md).
  ScratchBuffer<double> cdata;
  std::size_t csize = 0;
  ScratchVector<std::size_t> cbeg, clen;
  bool compacted = false;
  // The band (docs/exact-stream.md, round ten): up[j] bounds mu_j* from
  // above (from the last pass's gap, or +inf), est[j] guesses the entries
  // between the bounds; once the band copy is made, bK[j] and bS[j] count
  // and sum group j's entries at or above up[j], which stay out of the copy.
  // Taken only where a band may be made (up and est hold a double per
  // group: at 100 x 80000 two more 640 KB arrays per call for nothing).
  ScratchVector<double> up, est, bK, bS;
  bool up_ready = false, banded = false;
  bool alive_changed = true;
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    if (alive.empty()) break;
    if (stop.requested()) return StreamEnd::kStopped;
    if (g == Groups::kColumns && !compacted) {
      // Copy out either whole groups (when few survive) or the candidates
      // (when the bounds leave few entries), whichever is smaller, once it
      // fits the budget: the remaining passes then read only that.
      const std::size_t live = alive.size() * len;
      std::size_t cand = 0;
      if (counted)
        for (std::size_t j : alive) cand += static_cast<std::size_t>(cnt[j]);
      const bool whole = fits_whole_copy(alive.size(), ng, len);
      const bool by_bounds = counted && 16 * cand <= ng * len;
      std::size_t band = 0, moving = 0;
      // up_ready holds only for double data of at least g_band_min_entries.
      const bool band_ok = counted && !whole && !by_bounds && up_ready && next_ready && pass >= kBandAfterPasses;
      if (band_ok)
        for (std::size_t j : alive) {
          band += static_cast<std::size_t>(est[j]);
          moving += (mu[j] > lb[j] && mu[j] <= ub[j]) ? 0 : 1;
        }
      if (band_ok && 8 * band <= ng * len && 3 * band <= 2 * cand && 2 * moving >= alive.size()) {
        // Mostly active columns (4000 x 4000 Cauchy 0.9 when the lists give
        // way): few entries lie between the bounds though many lie above
        // them. One read copies the entries in [lo_j, up_j) and counts and
        // sums those above; on [lo_j, up_j], where mu_j* lies, the copy's
        // phi_j is the whole column's, so its solution is the same. The
        // lower level is the larger of two lower bounds: its copy then fits
        // in cnt[j] slots (the entries >= lo[j]), and no entry is lost.
        const std::size_t na = alive.size();
        ScratchVector<double> lq(na), hq(na), Kq(na), Sq(na);
        ScratchVector<std::size_t> cq(na), bq(na), held(na, 0);
        cbeg.assign(ng + 1, 0);
        clen.assign(ng, 0);
        std::size_t at = 0;
        for (std::size_t q = 0; q < na; ++q) {
          const std::size_t j = alive[q];
          lq[q] = std::max(lo[j], lo_next[j]);
          hq[q] = std::max(up[j], lq[q]);
          cq[q] = static_cast<std::size_t>(cnt[j]);
          // The pass's own k[j] entries are those >= ub[j] (its gap's upper
          // end). When the upper level is at most ub[j] they are all counted
          // above it, never copied, and (lo[j] <= hq[q] <= ub[j]) all among
          // the cnt[j]: the band needs cnt[j] - k[j] slots at most. On
          // 4000 x 4000 Cauchy 0.9 seed 42: 5.18M slots to 1.98M for a band
          // of 0.81M, and fewer pages of the block faulted and cleared on
          // every call (docs/exact-stream.md, round fourteen).
          if (hq[q] <= ub[j] && k[j] <= cnt[j]) {
            cq[q] -= static_cast<std::size_t>(k[j]);
            ++t_trace.band_cut;
          }
          bq[q] = at;
          cbeg[j] = at;
          at += cq[q] + 1;  // a spare slot: the fill's moves need no branch
        }
        fill_band(y, p.scale, alive, lq.data(), hq.data(), cq.data(), bq.data(), Kq.data(), Sq.data(), cdata.take(at),
                  held.data());
        csize = at;
        ++t_trace.full_passes;
        bK.assign(ng, 0.0);
        bS.assign(ng, 0.0);
        t_trace.band_room = at;
        bool lost = false;
        for (std::size_t q = 0; q < na; ++q) {
          const std::size_t j = alive[q];
          t_trace.band_held += held[q];
          lost |= held[q] > cq[q];
          clen[j] = std::min(held[q], cq[q]);
          bK[j] = Kq[q];
          bS[j] = Sq[q];
          // The copy's l1 norm only decides drops (total[j] > theta below):
          // the kernel table's stats loop at 0 sums it in vector lanes, where
          // a serial compensated chain over each column's band was a percent
          // of the give-way seeds' calls (docs/exact-stream.md, the round
          // "the copies' norms in vector lanes").
          double kk = 0.0, band_sum = 0.0;
          group_stats(cdata.data() + cbeg[j], clen[j], 1.0, 0.0, &kk, &band_sum);
          CompensatedSum c;
          c.add(Sq[q]);
          c.add(band_sum);
          total[j] = c.value();
        }
        // A column whose band outgrew its room lost entries (the room is a
        // proven count, so only a bug or memory changed under the call can
        // do it): the caller's sort solves the call instead of a wrong band.
        t_trace.banded = true;
        t_trace.band_lost = lost;
        if (lost) return StreamEnd::kIterationCap;
        compacted = true;
        banded = true;
        t_trace.compacted = true;
        t_trace.banded = true;
        alive_changed = true;
      } else if (whole || by_bounds) {
        const bool use_lo = by_bounds && (!whole || cand < live);
        if (!use_lo) {
          for (std::size_t j : alive) {
            lo[j] = 0.0;
            cnt[j] = static_cast<double>(len);
          }
        }
        compact_groups(y, p.scale, alive, lo.data(), cnt.data(), cdata, cbeg, clen);
        csize = cbeg[ng];
        // As the band's above: the copy's l1 norm by the stats loop at 0.
        for (std::size_t j : alive) {
          double kk = 0.0;
          group_stats(cdata.data() + cbeg[j], clen[j], 1.0, 0.0, &kk, &total[j]);
        }
        compacted = true;
        t_trace.compacted = true;
        t_trace.candidates = use_lo;
        alive_changed = true;  // the (truncated) problem changed: no early "same"
      } else if (next_ready) {
        lo.swap(lo_next);
        counted = true;
      }
    }
    // Active statistics at the current thresholds.
    bool gap_known = false;
    if (compacted) {
      parallel_ranges(alive.size(), 1, csize, [&](std::size_t b, std::size_t e) {
        for (std::size_t q = b; q < e; ++q) {
          const std::size_t j = alive[q];
          group_stats(cdata.data() + cbeg[j], clen[j], 1.0, mu[j], &k[j], &S[j]);
          if (banded) {
            k[j] += bK[j];
            S[j] += bS[j];
          }
        }
      });
      ++t_trace.compact_passes;
    } else if (g == Groups::kColumns) {
      column_pass(y, p.scale, mu.data(), k.data(), S.data(), C.data(), lo.data(), cnt.data(), lb.data(), ub.data());
      ++t_trace.full_passes;
      gap_known = true;
    } else {
      parallel_ranges(alive.size(), 1, alive.size() * len, [&](std::size_t b, std::size_t e) {
        for (std::size_t q = b; q < e; ++q) {
          const std::size_t j = alive[q];
          group_stats(y.data + j * y.cols, len, p.scale, mu[j], &k[j], &S[j]);
        }
      });
      ++t_trace.full_passes;
    }
    // One sweep over the survivors for the checks and the step's sums (they
    // were two: with columns of 100 entries the per-column sweeps of a pass
    // cost a sixth of the call, round twenty-eight). The terms are >= 0, so
    // the compensated adds are add_nonneg's, CompensatedSum's bits without
    // its branch.
    bool same = !alive_changed;
    double num = 0.0, num_c = 0.0, den = 0.0, den_c = 0.0;
    for (std::size_t j : alive) {
      // Rounding can leave mu a hair above the largest entry; the largest
      // entry is then the active set (a valid subgradient at the kink).
      if (k[j] == 0.0) {
        k[j] = 1.0;
        S[j] = p.mx[j];
        gap_known = false;
      }
      same &= k[j] == prev_k[j] && S[j] == prev_s[j];
      // The Newton step on (mu, theta): theta = (sum S/k - eta) / sum 1/k.
      add_nonneg(num, num_c, S[j] / k[j]);
      add_nonneg(den, den_c, 1.0 / k[j]);
    }
    const double next = ((num + num_c) - p.eta) / (den + den_c);
    if (same) {
      // The active sets reproduced themselves: this step is exact.
      theta = next;
      for (std::size_t j = 0; j < ng; ++j) mu_out[j] = 0.0;
      for (std::size_t j : alive) mu_out[j] = std::max((S[j] - theta) / k[j], 0.0);
      return StreamEnd::kConverged;
    }
    // Every iterate is a lower bound of theta*, rising; rounding must not
    // step it back.
    if (next > theta) theta = next;
    // The bounds cost ~24 sweeps over the groups: with short groups (wide
    // matrices) that is a pass's worth, so they are only computed for long
    // groups.
    if (g == Groups::kColumns && !compacted) {
      if (len >= kCandidateMinLen) {
        candidate_bounds(p, alive, mu.data(), k.data(), S.data(), theta, lo_next.data(), tops_ptr);
        next_ready = true;
        // Upper bounds from the gap, at theta lowered for rounding, and the
        // entries between the bounds guessed from the two counts the passes
        // made (cnt at lo, k at mu): spread evenly between them.
        up_ready = gap_known && std::is_same<T, double>::value && y.size() >= g_band_min_entries.load();
        if (up_ready) {
          if (up.empty()) {
            up.assign(ng, kInf);
            est.assign(ng, 0.0);
          }
          const double t = theta * (1.0 - 1e-9);
          for (std::size_t j : alive) {
            up[j] = gap_upper(t, S[j], k[j], lb[j], ub[j], p.s[j], p.mx[j], tops_ptr, j);
            const double l = std::max(lo[j], lo_next[j]), x = std::max(mu[j], 0.0);
            double e = cnt[j];
            if (lo[j] < kInf && x > lo[j] && up[j] < p.mx[j])
              e = std::min(cnt[j], (cnt[j] - k[j]) / (x - lo[j]) * std::max(0.0, up[j] - l) + 1.0);
            est[j] = lo[j] < kInf ? e : static_cast<double>(len);
          }
        }
      } else {
        next_ready = false;
      }
    }
    // The next thresholds, the survivors, and whether every threshold stays
    // in its gap, in one sweep (three before; the index written without a
    // branch on the test).
    std::size_t w = 0;
    bool inside = true;
    for (std::size_t j : alive) {
      const double m = (S[j] - theta) / k[j];
      prev_k[j] = k[j];
      prev_s[j] = S[j];
      const bool keep = total[j] > theta;
      mu[j] = keep ? m : kInf;
      if (!keep) {
        lo[j] = kInf;
        lo_next[j] = kInf;
      }
      alive[w] = j;
      w += keep ? 1 : 0;
      inside &= m > lb[j] && m <= ub[j];  // read only when every group is kept
    }
    alive_changed = w != alive.size();
    alive.resize(w);
    // If every new threshold lies in the gap the pass saw around the old
    // one, the next pass would find the same active sets and the same sums
    // (the same entries, added in the same order): the step just taken is
    // exact. Saves the confirming pass, with the bits it would give.
    if (gap_known && !alive_changed) {
      if (inside) {
        for (std::size_t j = 0; j < ng; ++j) mu_out[j] = 0.0;
        for (std::size_t j : alive) mu_out[j] = std::max((S[j] - next) / k[j], 0.0);
        t_trace.gap_exit = true;
        return StreamEnd::kConverged;
      }
    }
    gap_known = false;
  }
  if (alive.empty()) {
    for (std::size_t j = 0; j < ng; ++j) mu_out[j] = 0.0;
    return StreamEnd::kConverged;
  }
  return StreamEnd::kIterationCap;
}

template StreamEnd stream_thresholds<float>(const MatrixRef<float>&, Groups, const ThresholdProblem&, double*,
                                            const StopToken&);
template StreamEnd stream_thresholds<double>(const MatrixRef<double>&, Groups, const ThresholdProblem&, double*,
                                             const StopToken&);

}  // namespace bp
