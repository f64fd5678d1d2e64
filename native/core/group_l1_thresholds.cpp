#include "group_l1_thresholds.hpp"

#include <algorithm>
#include <atomic>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <mutex>
#include <type_traits>

#include "apply.hpp"
#include "masked_sum_lanes.hpp"
#include "numeric.hpp"
#include "parallel.hpp"
#include "reduce.hpp"
#include "scratch.hpp"
#include "simd/kernel_table.hpp"
#include "simd/lanes_scalar.hpp"
#include "simd/lanes_sse2.hpp"

namespace bp {
namespace {

constexpr std::size_t kTileColumns = 256;  // see column_tiles

// A plain sum of k non-negative terms errs by at most (k - 1) eps times the
// sum; (sum - radius) / k thus by about eps * sum. Filters computed from such
// sums are lowered by a few times that, so that no entry that is active by a
// rounding error is dropped (a lower filter keeps more candidates, never
// changes the result).
inline double lowered(double bound, double sum) {
  return bound - (4.0 * DBL_EPSILON * sum + DBL_TRUE_MIN);
}

// The passes over a group's candidates are the inner loops of the whole
// projection (every candidate is read by each of them), so they run on the
// baseline vector lanes (simd/target.hpp; one build, so every machine of an
// architecture gets the same bits). A sum over the entries above a filter
// adds x masked by (x > t), with no branch: the comparison is as good as
// random.
using L = simd::Lanes<double, simd::Baseline>;
using V = L::V;
constexpr std::size_t kStep = 2 * L::kWidth;  // two independent accumulators

inline double lane_total(V v) {
  double lanes[L::kWidth];
  L::store(lanes, v);
  double t = 0.0;
  for (double x : lanes) t += x;
  return t;
}

struct MaskedSum {
  double sum;
  std::size_t count;
};

// Sum (plain, in double) and count of the x > t of a[0, k).
MaskedSum plain_masked_sum(const double* a, std::size_t k, double t) {
  const V tv = L::set1(t), one = L::set1(1.0);
  V s0 = L::zero(), s1 = s0, c0 = s0, c1 = s0;
  std::size_t i = 0;
  for (; i + kStep <= k; i += kStep) {
    const V x0 = L::load(a + i), x1 = L::load(a + i + L::kWidth);
    const V m0 = L::gt(x0, tv), m1 = L::gt(x1, tv);
    s0 = L::add(s0, L::bit_and(m0, x0));
    s1 = L::add(s1, L::bit_and(m1, x1));
    c0 = L::add(c0, L::bit_and(m0, one));
    c1 = L::add(c1, L::bit_and(m1, one));
  }
  double sum = lane_total(L::add(s0, s1)), count = lane_total(L::add(c0, c1));
  for (; i < k; ++i) {
    const double keep = a[i] > t ? 1.0 : 0.0;
    sum += a[i] * keep;
    count += keep;
  }
  return {sum, static_cast<std::size_t>(count)};
}

// The same, compensated (the lanes of masked_sum_lanes, then the lanes'
// sums and errors, chain by chain, added with a Neumaier sum): as accurate
// as one Neumaier sum. With kMinus, the sum of x - t instead (the mass kept
// above t).
template <bool kMinus>
MaskedSum compensated_masked_sum(const double* a, std::size_t k, double t) {
  const MaskedSumLanes lanes = masked_sum_lanes(a, k, t, kMinus ? t : 0.0);
  constexpr std::size_t W = MaskedSumLanes::kWidth;
  CompensatedSum total;
  for (std::size_t h = 0; h < 2; ++h) {
    for (std::size_t l = 0; l < W; ++l) total.add(lanes.sum[h * W + l]);
    for (std::size_t l = 0; l < W; ++l) total.add(lanes.err[h * W + l]);
  }
  double count = 0.0;
  for (double c : lanes.count) count += c;
  for (std::size_t i = lanes.end; i < k; ++i) {
    if (a[i] > t) {
      total.add(kMinus ? a[i] - t : a[i]);
      count += 1.0;
    }
  }
  return {total.value(), static_cast<std::size_t>(count)};
}

// Two valid lower bounds of a group's threshold lambda (radius < sum): the
// largest entry alone, max - radius (were lambda below it, that entry alone
// would exceed the radius), and every entry active, (sum - radius) / len.
double start_filter(double max_scaled, double sum, double radius, std::size_t len) {
  const double single = below(max_scaled - radius);
  const double every = lowered((sum - radius) / static_cast<double>(len), sum);
  return std::max(single, every);
}

// The filter of a group raised, during the gather, to the bound of the
// candidates kept so far: (sum - radius) / count is a lower bound of the
// threshold for any subset of the group. At a small radius it climbs to
// near the threshold within a few rows where the starting filter is weak.
// Every kRaiseRows entries of a group (counted from its first entry, so the
// same in any tiling), to keep the division off the per-entry path.
constexpr std::size_t kRaiseRows = 8;

// The column tiles' gather raises its lanes' filters every kGatherRows rows
// instead (one kernel call per block and window of rows): each call loads
// and stores its 8 lanes' state and divides, which at 8 rows a call was a
// large share of the gather's work. The filters only decide which rows are
// copied and where the passes start; the search ends on the set of the
// exact threshold either way, summed in row order, so the thresholds move
// only where rounding leaves that set in doubt (the same bytes on the
// 300-case hash set for 8, 16 and 32 rows). Timings: docs/bilevel-l11.md.
constexpr std::size_t kGatherRows = 16;

inline double raised(double filter, double kept_sum, std::size_t count, double radius) {
  if (count == 0) return filter;
  const double b = lowered((kept_sum - radius) / static_cast<double>(count), kept_sum);
  return b > filter ? b : filter;
}

// std::nextafter(x, +inf) for x > 0, without the library call where x is
// finite (one ulp up is the next bit pattern; the largest double steps to
// +inf, as nextafter does): it ran for every lane of every round.
inline double next_up(double x) {
  if (!(x < std::numeric_limits<double>::infinity())) return std::nextafter(x, INFINITY);
  std::uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  ++bits;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

// A threshold estimate (sum - radius) / count moved up by one ulp. The
// division rounds to nearest, so half the time it lands below the exact
// quotient, and then the mass kept above it exceeds the radius by a rounding
// error and the feasibility raise needs another pass. For a block of 8
// columns that was nearly every block (912 of 1000 at 1000 x 8000 gauss,
// r = 0.5; 9525 of 10000 at 100 x 80000 gauss, r = 0.1), since any one lane
// triggers the pass; one ulp up cut it to 179 and 117. The threshold stays
// within the accuracy the raise itself gives (it too steps up by an ulp or
// more), and the raise still guarantees the radius. Zero and below are left
// alone (such a threshold is clipped to zero).
inline double rounded_up(double tau) {
  return tau > 0.0 ? next_up(tau) : tau;
}

// The exact finish from an estimate tau of the threshold, a[0, k) holding
// every active entry: the threshold of the set above tau from a compensated
// sum, until the set is stable; then raised until the mass kept above it
// fits in the radius (when the radius is tiny next to the entries, tau's
// rounding error can exceed the radius itself), as l1_threshold_inplace does.
double exact_finish(const double* a, std::size_t k, double radius, double tau) {
  MaskedSum above{0.0, 0};
  for (int round = 0; round < 64; ++round) {
    const MaskedSum in = compensated_masked_sum<false>(a, k, tau);
    if (in.count == 0) break;
    CompensatedSum r;
    r.add(in.sum);
    r.add(-radius);
    tau = rounded_up(r.value() / static_cast<double>(in.count));
    above = compensated_masked_sum<true>(a, k, tau);
    if (above.count == in.count) break;
  }
  for (int round = 0; round < 64; ++round) {
    const double excess = above.sum - radius;
    if (!(excess > 0.0) || above.count == 0) break;
    const double next = tau + excess / static_cast<double>(above.count);
    tau = next > tau ? next : std::nextafter(tau, INFINITY);
    above = compensated_masked_sum<true>(a, k, tau);
  }
  return tau > 0.0 ? tau : 0.0;
}

// The threshold of the l1 ball of `radius` for the candidates a[0, k): every
// entry of the group above lambda is among them (they are all the entries
// above a lower bound t of lambda), and s is their plain sum. `a` is scratch.
//
// First, passes of the mean rule from below: for any set S holding every
// active entry, (sum_S - radius) / |S| is a lower bound of lambda and at
// least the bound S was filtered with, so each pass keeps the entries above
// the new bound until the bound stops rising. The passes are vectorised
// and have no division per entry; the list is not compacted (it shrinks
// little: most candidates are active). Then exact_finish.
double list_threshold(const double* a, std::size_t k, double radius, double t, double s) {
  if (k == 0) return t > 0.0 ? t : 0.0;  // only by a rounding error in a degenerate group
  double rho = (s - radius) / static_cast<double>(k);
  std::size_t count = k;
  for (int pass = 0; pass < 64; ++pass) {
    // Filtered a hair below the bound (see lowered()); the set stops
    // shrinking once no entry is left between the old and the new bound.
    const MaskedSum in = plain_masked_sum(a, k, std::max(t, lowered(rho, s)));
    if (in.count == 0 || in.count == count) break;
    count = in.count;
    s = in.sum;
    const double next = (s - radius) / static_cast<double>(count);
    if (!(next > rho)) break;
    rho = next;
  }
  return exact_finish(a, k, radius, rho);
}

// The decision that needs no entry: +inf (radius 0: the group is zero), 0
// (the group fits in its ball), or NaN when the group must be searched.
// Written as selects: the column tiles take it once per column, where which
// columns are searched is as good as random (see column_tiles' decisions).
inline double trivial_threshold(double radius, double sum) {
  const bool positive = radius > 0.0, fits = sum <= radius;
  return !positive ? std::numeric_limits<double>::infinity() : fits ? 0.0 : std::numeric_limits<double>::quiet_NaN();
}

// With groups = columns the matrix is read in tiles of whole 8-column blocks
// (one cache line of doubles): each row's slice of a block is appended, as
// |y| * scale in double, to that block's stretch of a buffer laid out
// [block][row][8] (only the rows that may hold an active entry: see
// column_tiles). Every pass of a block's search then reads one line per row
// from the cache and serves its 8 columns with the same vector lanes, with no
// gather, branch or scatter: lane q adds column q's entries one by one in row
// order, so each column's sums (plain and compensated) are sequential sums in
// index order, the same bits whatever the vector width, the tiling, the
// neighbouring columns or the thread count. The tile is as wide as fits in
// kTileBytes, at most kTileColumns (a row's slice is a stride away from the
// previous one, and wider slices share that cost); on 8000 x 1000, 2 MiB (32
// columns) beat 512 KiB (8 columns, within L2) and 4 MiB. Counted in the
// buffer's own entries: a float buffer (column_tiles) takes twice the
// columns in the same bytes (64 at 8000 rows, four lines a row slice as
// for doubles; its 32 columns measured 3 to 15% slower at 8000 x 1000).
constexpr std::size_t kBlock = simd::kL1BlockLanes;
constexpr std::size_t kTileBytes = std::size_t(2) << 20;

std::size_t block_tile_width(std::size_t rows, std::size_t entry_bytes) {
  const std::size_t fit = kTileBytes / (std::max<std::size_t>(rows, 1) * entry_bytes) / kBlock * kBlock;
  return std::min(std::max(kBlock, fit), kTileColumns);
}

constexpr double kInf = std::numeric_limits<double>::infinity();

// The thresholds of one block's live columns (live[q]), a holding the
// block's n rows of 8 entries, t the starting filters (valid lower bounds),
// r the radii. The same steps as list_threshold then exact_finish, lane by
// lane: a lane stops where the scalar search would, and its values are never
// touched again, so that its result does not depend on its neighbours.
// The passes run on the best lanes of the CPU (the same bits on all).
//
// The gather made the first pass: a holds n rows, every row of the block
// with an entry above its lane's filter at the time (so every row with an
// active entry), t the lanes' final filters, and sum0/cnt0 the plain sum and
// count of the entries each lane kept (a superset of its active entries, all
// above t: their mean rule is a lower bound of the threshold).
// A lane leaves the plain passes once a pass dropped at most 1/kSettledShare
// of its candidates: its bound has nearly stopped rising, and the next plain
// pass would most often only confirm the set (3 to 5 plain passes a block,
// the last of which dropped nothing). The exact finish starts from the lower
// bound rho either way and loops until the set above its estimate is stable,
// so the threshold is the same (the stable set is that of the exact
// threshold); only the number of passes moves. Counted per call at
// 1000 x 8000 gauss r = 0.5: plain passes 3062 -> 1000, exact rounds 1000 ->
// 1062 (a round is two heavier passes); 100 x 80000 uniform r = 0.5: 26168 ->
// 10007 and 10000 -> 10014; 8000 x 1000 sparse r = 0.5: 491 -> 243 and
// 125 -> 229 (there it is a wash). 16 instead of 4 kept every extra round
// away but saved only one plain pass in four.
constexpr double kSettledShare = 4.0;

// Tests only (group_l1_prove_stable_sets): with the proofs off, every lane
// takes the kept pass, as before they existed. Relaxed, and read per lane:
// a test must not switch it while a call runs.
std::atomic<bool> g_no_proofs{false};
inline bool no_proofs() {
  return g_no_proofs.load(std::memory_order_relaxed);
}

// The trace of the last call made on this thread (tests; see
// group_l1_thresholds.hpp), as the top-list trace is kept: thread_local, so
// that calls on other threads (async work, other tests) leave it alone. The
// call's workers add their counts to it under a lock when each ends (once
// per worker); the caller waits for them all before it returns.
thread_local GroupL1Trace t_trace;

// For a lane whose set is stable (no entry between the compensated pass's
// filter and its estimate tau, so the entries above tau are the cnt entries
// that pass summed): by how much the mass kept above tau may exceed the
// radius, from that pass alone; at most 0 proves that it fits, and then
// neither the kept pass (which would sum x - tau over those entries only to
// start the feasibility raise) nor the raise is needed. (That pass was
// about a sixth of bilevel_l11's time, one a block, where any one of the 8
// lanes needed it.) +inf where the bounds below do not hold.
//
// What must fit is the written mass, the sum of the doubles fl(x - tau),
// each at most (x - tau)(1 + eps/2): so at most T (1 + eps/2), T the exact
// mass S - cnt * tau, S the exact sum of the entries. The pass's two chains
// give s + e, which differs from S only by the plain sum of the chains' n
// exact two-sum errors, each at most eps/2 * s (the entries are >= 0): at
// most n^2 eps^2 s / 4 in all. cnt * tau is split exactly into two doubles
// (tau's leading 26 significant bits and its other 27, times cnt < 2^26), so
// M = r - s - e + cnt * tau, summed with Neumaier's compensation, is the
// exact r - (s + e) + cnt * tau to within eps |M| + 10 eps^2 of the terms'
// magnitudes. Each bound is taken below with slack (2x and more), and
// r - T >= eps/2 * r is asked for the roundings of the write; T <= r then
// holds with every error against it, whatever the kept pass would have
// computed.
inline double kept_mass_shortfall(double s, double e, double cnt, double tau, double r, std::size_t n) {
  constexpr double eps = DBL_EPSILON;
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  if (!(cnt < 67108864.0) || !(static_cast<double>(n) < 67108864.0)) return kInfinity;  // cnt, n < 2^26
  // Inside these, the halves and their products neither overflow nor
  // underflow, so each product below is exact.
  if (!(tau > 1e-200) || !(tau < 1e200) || !(r > 0.0)) return kInfinity;
  // tau's 26 leading significant bits and the rest (27 bits, exact): by
  // masking, not Veltkamp's product, which a compiler may contract.
  std::uint64_t bits;
  std::memcpy(&bits, &tau, sizeof bits);
  bits &= ~((std::uint64_t(1) << 27) - 1);
  double hi;
  std::memcpy(&hi, &bits, sizeof hi);
  const double lo = tau - hi;
  CompensatedSum m;
  m.add(r);
  m.add(-s);
  m.add(-e);
  m.add(cnt * hi);
  m.add(cnt * lo);
  const double margin = m.value();
  const double nd = static_cast<double>(n);
  const double terms = r + std::fabs(s) + std::fabs(e) + cnt * std::fabs(hi) + cnt * std::fabs(lo);
  const double err = 2.0 * eps * std::fabs(margin) + 16.0 * eps * eps * terms + nd * nd * eps * eps * std::fabs(s);
  return (err + 0.51 * eps * r) - margin;
}

// A stable lane's estimate, proved to keep at most the radius: tau itself,
// or tau raised by the shortfall's worth (the raise's own step, by a bound
// instead of a pass: up by about eps r / cnt, half an ulp of a typical kept
// entry) while the set stays the same (below `low`, the smallest entry
// above the filter); NaN when neither is proved.
inline double proved_threshold(double s, double e, double cnt, double tau, double r, std::size_t n, double low) {
  const double need = kept_mass_shortfall(s, e, cnt, tau, r, n);
  if (need <= 0.0) return tau;
  if (!(need < std::numeric_limits<double>::infinity())) return std::numeric_limits<double>::quiet_NaN();
  // fl(tau + d) + one ulp >= tau + d, and d >= need / cnt.
  const double up = next_up(tau + need * (1.0 + 4.0 * DBL_EPSILON) / cnt);
  if (up < low && kept_mass_shortfall(s, e, cnt, up, r, n) <= 0.0) return up;
  return std::numeric_limits<double>::quiet_NaN();
}

// One lane of lane_estimates_scalar.
inline void lane_estimate(double sum, double err, double count, double r, double low, double high, std::size_t n,
                          double* tau, double* proved) {
  CompensatedSum excess;
  // From the chains' parts, not their rounded sum: that rounding (half an
  // ulp of the sum, against one of tau times cnt) took the margin rounded_up
  // gives, and with it most proofs, in about half the lanes.
  excess.add(sum);
  excess.add(err);
  excess.add(-r);
  *tau = rounded_up(excess.value() / count);
  // Proved stable (no entry between tau and the pass's filter, on either
  // side: tau lands an ulp or two below the filter about as often as above)
  // and inside the radius: no kept pass, no raise (see kept_mass_shortfall).
  *proved = !(high <= *tau && *tau < low) ? std::numeric_limits<double>::quiet_NaN()
                                          : proved_threshold(sum, err, count, *tau, r, n, low);
}

}  // namespace

void lane_estimates_scalar(const double* sum, const double* err, const double* count, const double* r,
                           const double* low, const double* high, std::size_t n, double* tau, double* proved) {
  for (std::size_t q = 0; q < simd::kL1BlockLanes; ++q)
    lane_estimate(sum[q], err[q], count[q], r[q], low[q], high[q], n, tau + q, proved + q);
}

namespace {

// Tests only (group_l1_vector_lanes): off makes the exact finish take the
// scalar lane loop. Relaxed, read per round.
std::atomic<bool> g_no_vector_lanes{false};

// The three block passes over a buffer of element B: the kernel table's
// double loops, or (for a float matrix, where the table has them) its float
// loops, which give the same bits from half the bytes (l1_block_avx512.hpp).
template <class B>
struct BlockPasses {
  std::size_t (*plain)(B* a, std::size_t n, const double* t, double* sum, double* count);
  void (*comp_gap)(const B* a, std::size_t n, const double* t, double* sum, double* err, double* count, double* low,
                   double* high);
  std::size_t (*kept)(B* a, std::size_t n, const double* t, double* sum, double* count);
  // comp_gap for lanes whose sums are exact (see exact_float_sums); null
  // for the double buffer.
  void (*exact_gap)(const B* a, std::size_t n, const double* t, double* sum, double* err, double* count, double* low,
                    double* high);
};
inline BlockPasses<double> block_passes(const simd::KernelTable& k, double*) {
  return {k.l1_block_plain, k.l1_block_comp_gap, k.l1_block_kept, nullptr};
}
inline BlockPasses<float> block_passes(const simd::KernelTable& k, float*) {
  return {k.l1_float_plain, k.l1_float_comp_gap, k.l1_float_kept, k.l1_float_exact_gap};
}

// Tests only (group_l1_exact_float_sums): off makes the float buffer's
// search take the compensated pass always. Relaxed, read per pass.
std::atomic<bool> g_no_exact_sums{false};

// Whether every partial sum of the compensated-gap pass at thresholds th is
// exact, for the float buffer (entries are floats |y|, scale 1): then that
// pass's error chain stays +0 and the plain running sum is its sum, bit for
// bit (l1_float_exact_gap). A lane's entries above th[q] > 0 are floats at
// least 2^e, e = ilogb(th[q]) (>= -126: normal floats), so each is a
// multiple of 2^(e - 23), and so is every partial sum of them; such a
// multiple is a double exactly while it is at most 2^53 times that unit,
// 2^(e + 30). The partial sums are at most the column's l1 norm, of which
// bound[q] is an upper bound (the norm with room for its rounding). Lanes
// that are not searched (th +inf) sum nothing. On the grid's data every
// lane passes (at 8000 rows, the norm over th is about 10^4 to 10^5, against
// 2^30); the test fails only for thresholds below about 10^-9 of the
// column's norm.
//
// 2^e is th with its significand cleared (th a positive normal double), and
// 2^(e + 30) that times 2^30 (exact; +inf only for th above 2^993, where no
// float lies above th and nothing is summed). Bit operations, not ilogb and
// ldexp: on 100-row blocks those calls cost about what the pass saves.
inline bool exact_float_sums(const double* th, const double* bound) {
  for (std::size_t q = 0; q < simd::kL1BlockLanes; ++q) {
    if (th[q] == std::numeric_limits<double>::infinity()) continue;
    if (!(th[q] >= static_cast<double>(FLT_MIN))) return false;  // e >= -126; NaN and th <= 0 fail too
    std::uint64_t bits;
    std::memcpy(&bits, &th[q], sizeof bits);
    bits &= ~((std::uint64_t(1) << 52) - 1);  // the sign (0) and the exponent
    double unit;
    std::memcpy(&unit, &bits, sizeof unit);
    if (!(bound[q] <= unit * 0x1p30)) return false;
  }
  return true;
}

template <class B>
void block_thresholds(const BlockPasses<B>& k, B* a, std::size_t n, const double* t, const double* r, const bool* live,
                      const double* sum0, const double* cnt0, const double* bound, double* lambda,
                      GroupL1Trace& trace) {
  // Zeroed: the branch-free loops below read every lane, live or not.
  double filt[kBlock], sum[kBlock], cnt[kBlock], rho[kBlock] = {}, s[kBlock] = {}, count[kBlock] = {};
  bool go[kBlock], fin[kBlock];
  std::copy(sum0, sum0 + kBlock, sum);
  std::copy(cnt0, cnt0 + kBlock, cnt);
  for (std::size_t q = 0; q < kBlock; ++q) {
    filt[q] = t[q];
    go[q] = fin[q] = false;
    if (!live[q]) continue;
    if (cnt[q] == 0.0) {  // only by a rounding error in a degenerate group
      lambda[q] = t[q] > 0.0 ? t[q] : 0.0;
      continue;
    }
    s[q] = sum[q];
    count[q] = cnt[q];
    rho[q] = (s[q] - r[q]) / count[q];
    go[q] = fin[q] = true;
  }
  // Passes of the mean rule from below (see list_threshold).
  for (int pass = 0; pass < 64 && std::find(go, go + kBlock, true) != go + kBlock; ++pass) {
    // A lane that stopped keeps its last filter (its rows must stay), a dead
    // lane has none.
    for (std::size_t q = 0; q < kBlock; ++q) filt[q] = go[q] ? std::max(t[q], lowered(rho[q], s[q])) : filt[q];
    n = k.plain(a, n, filt, sum, cnt);
    ++trace.plain_passes;
    // Without branches: each lane's outcome is as good as random, and on
    // short columns (100 rows) the mispredicted branches of this loop cost
    // about as much as the pass. A lane moves on when its set shrank (not
    // to nothing), and goes on while its bound rises and it dropped more
    // than 1/kSettledShare of its candidates. Dead and stopped lanes
    // compute values they never keep (a division by a zero count included).
    for (std::size_t q = 0; q < kBlock; ++q) {
      const bool moved = go[q] && cnt[q] != 0.0 && cnt[q] != count[q];
      const double dropped = count[q] - cnt[q];
      const double next = (sum[q] - r[q]) / cnt[q];
      const bool rises = moved && next > rho[q];
      count[q] = moved ? cnt[q] : count[q];
      s[q] = moved ? sum[q] : s[q];
      rho[q] = rises ? next : rho[q];
      go[q] = rises && !(dropped * kSettledShare <= cnt[q]);  // see kSettledShare
    }
  }
  // The exact finish (see exact_finish), lane by lane.
  double tau[kBlock], in_sum[kBlock], in_cnt[kBlock], ab_sum[kBlock], ab_cnt[kBlock], th[kBlock];
  bool check[kBlock];
  for (std::size_t q = 0; q < kBlock; ++q) {
    tau[q] = rho[q];
    ab_sum[q] = ab_cnt[q] = 0.0;
    go[q] = fin[q];
  }
  double in_err[kBlock], low[kBlock], high[kBlock];
  const simd::KernelTable::L1LaneEstimates lanes =
      g_no_vector_lanes.load(std::memory_order_relaxed) ? nullptr : simd::kernels().l1_lane_estimates;
  for (int round = 0; round < 64 && std::find(go, go + kBlock, true) != go + kBlock; ++round) {
    for (std::size_t q = 0; q < kBlock; ++q) th[q] = go[q] ? tau[q] : kInf;
    const bool exact =
        k.exact_gap != nullptr && !g_no_exact_sums.load(std::memory_order_relaxed) && exact_float_sums(th, bound);
    (exact ? k.exact_gap : k.comp_gap)(a, n, th, in_sum, in_err, in_cnt, low, high);
    ++trace.compensated_passes;
    trace.exact_passes += exact ? 1 : 0;
    bool kept_pass = false;
    // Every lane's estimate and proof at once where the table has the
    // vector loop (on 100-row blocks, this arithmetic lane by lane cost
    // more than the passes); only the lanes still going are read.
    double est[kBlock], prf[kBlock];
    if (lanes != nullptr) lanes(in_sum, in_err, in_cnt, r, low, high, n, est, prf);
    for (std::size_t q = 0; q < kBlock; ++q) {
      check[q] = false;
      if (!go[q]) continue;
      if (in_cnt[q] == 0.0) {
        go[q] = false;
        continue;
      }
      if (lanes == nullptr) lane_estimate(in_sum[q], in_err[q], in_cnt[q], r[q], low[q], high[q], n, est + q, prf + q);
      tau[q] = est[q];
      const double proved = no_proofs() ? std::numeric_limits<double>::quiet_NaN() : prf[q];
      if (proved == proved) {
        trace.bound_raises += proved != tau[q] ? 1 : 0;
        tau[q] = proved;
        ab_sum[q] = 0.0;
        ab_cnt[q] = in_cnt[q];
        go[q] = false;
        ++trace.proved;
        continue;
      }
      if (!(high[q] <= tau[q] && tau[q] < low[q])) {
        ++trace.unstable;
        // An entry lies between the filter and tau, so the kept pass would
        // count a set other than this pass's, and the lane would go round
        // again: it goes round without that pass (the next compensated pass
        // recomputes everything the kept pass gives). Its kept mass is only
        // read if the next pass finds no entry above tau (then it is 0 with
        // a count of 0, as the kept pass would have found). On the last
        // round, and with the proofs off, the kept pass runs as before.
        if (!no_proofs() && round + 1 < 64) {
          ab_sum[q] = ab_cnt[q] = 0.0;
          continue;
        }
      }
      check[q] = kept_pass = true;
    }
    if (!kept_pass) continue;
    ++trace.kept_passes;
    for (std::size_t q = 0; q < kBlock; ++q) th[q] = check[q] ? tau[q] : kInf;
    k.kept(a, n, th, sum, cnt);
    for (std::size_t q = 0; q < kBlock; ++q) {
      if (!check[q]) continue;
      ab_sum[q] = sum[q];
      ab_cnt[q] = cnt[q];
      if (cnt[q] == in_cnt[q]) go[q] = false;
    }
  }
  // Raised until the mass kept above tau fits in the radius.
  for (std::size_t q = 0; q < kBlock; ++q) go[q] = fin[q];
  for (int round = 0; round < 64; ++round) {
    bool any = false;
    for (std::size_t q = 0; q < kBlock; ++q) {
      th[q] = kInf;
      if (!go[q]) continue;
      const double excess = ab_sum[q] - r[q];
      if (!(excess > 0.0) || ab_cnt[q] == 0.0) {
        go[q] = false;
        continue;
      }
      const double next = tau[q] + excess / ab_cnt[q];
      tau[q] = next > tau[q] ? next : std::nextafter(tau[q], INFINITY);
      th[q] = tau[q];
      any = true;
    }
    if (!any) break;
    ++trace.raise_passes;
    k.kept(a, n, th, sum, cnt);
    for (std::size_t q = 0; q < kBlock; ++q) {
      if (!go[q]) continue;
      ab_sum[q] = sum[q];
      ab_cnt[q] = cnt[q];
    }
  }
  for (std::size_t q = 0; q < kBlock; ++q)
    if (fin[q]) lambda[q] = tau[q] > 0.0 ? tau[q] : 0.0;
}

// The gather's kernel (simd/loops-inl.hpp) for the element type.
inline std::size_t gather_rows(const simd::KernelTable& k, const double* src, std::size_t stride, std::size_t rows,
                               std::size_t ahead, std::size_t width, double scale, double* dst, std::size_t kept,
                               double* t, const double* r, double* sum, double* count) {
  return k.l1_block_gather_f64(src, stride, rows, ahead, width, scale, dst, kept, t, r, sum, count);
}
inline std::size_t gather_rows(const simd::KernelTable& k, const float* src, std::size_t stride, std::size_t rows,
                               std::size_t ahead, std::size_t width, double scale, double* dst, std::size_t kept,
                               double* t, const double* r, double* sum, double* count) {
  return k.l1_block_gather_f32(src, stride, rows, ahead, width, scale, dst, kept, t, r, sum, count);
}
// Into a float buffer: only with scale 1 (column_tiles), so the floats are |y| exactly.
inline std::size_t gather_rows(const simd::KernelTable& k, const float* src, std::size_t stride, std::size_t rows,
                               std::size_t ahead, std::size_t width, double, float* dst, std::size_t kept, double* t,
                               const double* r, double* sum, double* count) {
  return k.l1_float_gather(src, stride, rows, ahead, width, dst, kept, t, r, sum, count);
}

// The gather's state for one block: per lane the filter, the plain sum and
// count of the entries kept above it; and the rows written so far.
struct BlockGather {
  double t[kBlock], s[kBlock], c[kBlock], r[kBlock], u[kBlock];
  std::size_t rows;
};

// The buffer holds B: double, or float for a float matrix whose sums need no
// scale where the table has the float-buffer loops (see column_tiles).
template <class B, class T>
void column_tiles_in(const MatrixRef<T>& y, double scale, const double* radius, const double* mx, const double* sum,
                     double* lambda) {
  const std::size_t n = y.rows, m = y.cols;
  const std::size_t w = block_tile_width(n, sizeof(B));
  const simd::KernelTable& kt = simd::kernels();
  const BlockPasses<B> passes = block_passes(kt, static_cast<B*>(nullptr));
  GroupL1Trace total;
  std::mutex total_lock;
  parallel_ranges((m + w - 1) / w, 1, y.size(), [&](std::size_t t0, std::size_t t1) {
    // The tile buffer: taken on first use (at a small radius no tile may
    // have a live column) and left uninitialised (every candidate is written
    // before it is read). Zeroing a large buffer per call, on top of the
    // zeroed pages the system gives a block that large, cost 3 to 15% of
    // bilevel_l11 on 8000 x 1000, one thread (the most at eta = 1, where few
    // groups are searched).
    ScratchBuffer<B> buf;
    ScratchVector<BlockGather> state(w / kBlock);
    GroupL1Trace trace;
    for (std::size_t tile = t0; tile < t1; ++tile) {
      const std::size_t c0 = tile * w, width = std::min(w, m - c0);
      const std::size_t blocks = (width + kBlock - 1) / kBlock;
      // Only the blocks with a column whose threshold needs its entries are
      // read: at a small radius most groups are zero.
      bool live[kTileColumns];
      std::size_t lb[kTileColumns / kBlock], nlb = 0;
      // Without branches on the columns' decisions (trivial_threshold's):
      // on 100-row columns at a small radius which columns are searched is
      // as good as random, and its mispredictions were about a third of this
      // loop's time (docs/bilevel-float32.md). The decisions first; the
      // filters only for a block with a searched column (at eta = 1 most
      // blocks have none), computed by every lane and kept by the searched.
      for (std::size_t k = 0; k < blocks; ++k) {
        bool any = false;
        BlockGather& g = state[k];
        const std::size_t valid = std::min(kBlock, width - k * kBlock);
        for (std::size_t q = 0; q < kBlock; ++q) {
          g.t[q] = kInf;
          g.r[q] = g.u[q] = 0.0;
          g.s[q] = g.c[q] = 0.0;
          live[k * kBlock + q] = false;
        }
        for (std::size_t q = 0; q < valid; ++q) {
          const std::size_t j = c0 + k * kBlock + q;
          const double t = trivial_threshold(radius[j], sum[j]);
          const bool search = std::isnan(t);
          lambda[j] = t;
          live[k * kBlock + q] = search;
          any |= search;
        }
        if (any) {
          for (std::size_t q = 0; q < valid; ++q) {
            const std::size_t j = c0 + k * kBlock + q;
            const bool search = live[k * kBlock + q];
            const double rj = radius[j], sj = sum[j];
            const double filter = start_filter(mx[j] * scale, sj, rj, n);
            g.t[q] = search ? filter : kInf;
            g.r[q] = search ? rj : 0.0;
            g.u[q] = search ? sj * (1.0 + 0x1p-20) : 0.0;  // above the l1 norm whatever its rounding (exact_float_sums)
          }
        }
        g.rows = 0;
        if (any) lb[nlb++] = k;
      }
      if (nlb == 0) continue;
      B* const b = buf.ensure(w * n);
      // Each live block's rows are appended to its stretch of the buffer,
      // branch-free: every row is written, and kept (the count moves on)
      // only when one of its entries is above its lane's filter. The lanes'
      // filters are raised every kGatherRows rows (counted from the first
      // row, the same in any tiling) to the bound of what they kept: at a
      // small radius they climb near the threshold within a few rows, and
      // most rows are dropped. The rows' slices are a stride apart, often
      // across pages, where the hardware prefetcher does not follow: they are
      // prefetched ahead.
      for (std::size_t i0 = 0; i0 < n; i0 += kGatherRows) {
        const std::size_t i1 = std::min(n, i0 + kGatherRows);
        for (std::size_t p = 0; p < nlb; ++p) {
          const std::size_t k = lb[p];
          BlockGather& g = state[k];
          g.rows = gather_rows(kt, y.data + i0 * m + c0 + k * kBlock, m, i1 - i0, n - i0, width - k * kBlock, scale,
                               b + k * n * kBlock, g.rows, g.t, g.r, g.s, g.c);  // raises g.t as raised() does
        }
      }
      for (std::size_t p = 0; p < nlb; ++p) {
        const std::size_t k = lb[p];
        const BlockGather& g = state[k];
        double lam[kBlock] = {};  // only live lanes are read; zeroed for the compiler's flow analysis
        block_thresholds(passes, b + k * n * kBlock, g.rows, g.t, g.r, live + k * kBlock, g.s, g.c, g.u, lam, trace);
        for (std::size_t q = 0; q < kBlock; ++q)
          if (live[k * kBlock + q]) lambda[c0 + k * kBlock + q] = lam[q] / scale;
      }
    }
    const std::lock_guard<std::mutex> hold(total_lock);
    total += trace;
  });
  t_trace = total;  // on the calling thread
}

// A float matrix's |y| are floats, and its sums never need a scale (a float
// is below 2^128, so a sum of fewer than 2^800 of them is finite): its
// buffer can hold floats, where the table has the loops for them. The
// thresholds are the same bits either way (tests: group_l1_float_buffer).
std::atomic<bool> g_no_float_buffer{false};

template <class T>
void column_tiles(const MatrixRef<T>& y, double scale, const double* radius, const double* mx, const double* sum,
                  double* lambda) {
  if constexpr (std::is_same_v<T, float>) {
    if (scale == 1.0 && simd::kernels().l1_float_gather != nullptr &&
        !g_no_float_buffer.load(std::memory_order_relaxed)) {
      column_tiles_in<float>(y, scale, radius, mx, sum, lambda);
      return;
    }
  }
  column_tiles_in<double>(y, scale, radius, mx, sum, lambda);
}

template <class T>
void row_groups(const MatrixRef<T>& y, double scale, const double* radius, const double* mx, const double* sum,
                double* lambda) {
  const std::size_t m = y.cols;
  parallel_ranges(y.rows, 1, y.size(), [&](std::size_t r0, std::size_t r1) {
    ScratchVector<double> buf(m);
    for (std::size_t i = r0; i < r1; ++i) {
      lambda[i] = trivial_threshold(radius[i], sum[i]);
      if (lambda[i] == lambda[i]) continue;
      double t = start_filter(mx[i] * scale, sum[i], radius[i], m);
      const T* r = y.data + i * m;
      double* const b = buf.data();
      std::size_t c = 0;
      double kept = 0.0;
      for (std::size_t j0 = 0; j0 < m; j0 += kRaiseRows) {
        const std::size_t j1 = std::min(m, j0 + kRaiseRows);
        for (std::size_t j = j0; j < j1; ++j) {
          const double a = std::fabs(static_cast<double>(r[j])) * scale;
          const bool keep = a > t;
          b[c] = a;
          c += keep ? 1 : 0;
          kept += a * static_cast<double>(keep);
        }
        t = raised(t, kept, c, radius[i]);
      }
      lambda[i] = list_threshold(b, c, radius[i], t, kept) / scale;
    }
  });
}

}  // namespace

template <class T>
void group_l1_thresholds(const MatrixRef<T>& y, Groups g, double scale, const double* radius, const double* mx,
                         const double* sum, double* lambda) {
  if (y.size() == 0) {
    const std::size_t ng = group_count(y.rows, y.cols, g);
    for (std::size_t j = 0; j < ng; ++j) lambda[j] = radius[j] > 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
    return;
  }
  if (g == Groups::kColumns) {
    column_tiles(y, scale, radius, mx, sum, lambda);  // sets this thread's trace
  } else {
    row_groups(y, scale, radius, mx, sum, lambda);
  }
}

GroupL1Trace last_group_l1_trace() {
  return t_trace;
}

void group_l1_prove_stable_sets(bool on) {
  g_no_proofs.store(!on, std::memory_order_relaxed);
}

bool group_l1_exact_float_sums(bool on) {
  g_no_exact_sums.store(!on, std::memory_order_relaxed);
  return simd::kernels().l1_float_exact_gap != nullptr;
}

bool group_l1_vector_lanes(bool on) {
  g_no_vector_lanes.store(!on, std::memory_order_relaxed);
  return simd::kernels().l1_lane_estimates != nullptr;
}

bool group_l1_float_buffer(bool on) {
  g_no_float_buffer.store(!on, std::memory_order_relaxed);
  return simd::kernels().l1_float_gather != nullptr;
}

template <class T>
std::size_t project_groups_l1(const MatrixRef<T>& y, Groups g, const double* radii, const double* mx, const double* sum,
                              T* out) {
  ScratchVector<double> lambda(group_count(y.rows, y.cols, g));
  group_l1_thresholds(y, g, 1.0, radii, mx, sum, lambda.data());
  return apply_groups<ShrinkMap<T>>(y, g, lambda.data(), mx, out);
}

template <class T>
Status project_groups_l1_checked(const MatrixRef<T>& y, Groups g, const double* radii, T* out,
                                 std::size_t* zero_groups) {
  const std::size_t ng = group_count(y.rows, y.cols, g);
  ScratchVector<double> mx(ng), sum(ng);
  const bool no_nan = group_max_sum<true>(y, g, 1.0, mx.data(), sum.data());
  const double big = max_of(mx.data(), ng);
  if (!no_nan || !is_finite(big)) return Status::kNonFinite;
  if (is_finite(max_of(sum.data(), ng))) {
    *zero_groups = project_groups_l1(y, g, radii, mx.data(), sum.data(), out);
    return Status::kOk;
  }
  const double scale = overflow_guard_scale(big, static_cast<double>(y.size()));
  group_max_sum<true>(y, g, scale, mx.data(), sum.data());
  ScratchVector<double> r(ng), lambda(ng);
  for (std::size_t j = 0; j < ng; ++j) r[j] = radii[j] * scale;
  group_l1_thresholds(y, g, scale, r.data(), mx.data(), sum.data(), lambda.data());
  *zero_groups = apply_groups<ShrinkMap<T>>(y, g, lambda.data(), mx.data(), out);
  return Status::kOk;
}

template void group_l1_thresholds<float>(const MatrixRef<float>&, Groups, double, const double*, const double*,
                                         const double*, double*);
template void group_l1_thresholds<double>(const MatrixRef<double>&, Groups, double, const double*, const double*,
                                          const double*, double*);
template std::size_t project_groups_l1<float>(const MatrixRef<float>&, Groups, const double*, const double*,
                                              const double*, float*);
template std::size_t project_groups_l1<double>(const MatrixRef<double>&, Groups, const double*, const double*,
                                               const double*, double*);
template Status project_groups_l1_checked<float>(const MatrixRef<float>&, Groups, const double*, float*, std::size_t*);
template Status project_groups_l1_checked<double>(const MatrixRef<double>&, Groups, const double*, double*,
                                                  std::size_t*);

}  // namespace bp
