#include "l1ball.hpp"

#include <algorithm>
#include <cmath>
#include <new>
#include <type_traits>

#include "apply.hpp"
#include "masked_sum_lanes.hpp"
#include "numeric.hpp"
#include "simd/kernel_table.hpp"
#include "simd/lanes_scalar.hpp"
#include "simd/lanes_sse2.hpp"

namespace bp {
namespace {

// A threshold and the entries that can still be active: a[0, survivors)
// holds every entry above tau (and possibly a few at or just below it).
struct Threshold {
  double tau;
  std::size_t survivors;
};

// masked_sum_lanes, through the table where its lanes are the table's four
// (SSE2's two chains of two): the same bits in fewer instructions with AVX2.
MaskedSumLanes masked_lanes(const double* v, std::size_t n, double t, double shift) {
  if constexpr (MaskedSumLanes::kLanes == 4) {
    MaskedSumLanes r;
    r.end = simd::kernels().l1_masked_sum4(v, n, t, shift, r.sum, r.err, r.count);
    return r;
  } else {
    return masked_sum_lanes(v, n, t, shift);
  }
}

// The sum of v[i] - shift over the v[i] above t, and their count, as
// accurate as a compensated sum (the lanes of masked_sum_lanes, then their
// sums and errors added lane by lane).
CompensatedSum accurate_sum_above(const double* v, std::size_t n, double t, double shift, std::size_t* count) {
  const MaskedSumLanes lanes = masked_lanes(v, n, t, shift);
  CompensatedSum r;
  std::size_t c = 0;
  for (std::size_t l = 0; l < MaskedSumLanes::kLanes; ++l) {
    r.add(lanes.sum[l]);
    r.comp += lanes.err[l];
    c += static_cast<std::size_t>(lanes.count[l]);
  }
  for (std::size_t i = lanes.end; i < n; ++i) {
    if (v[i] > t) {
      r.add(v[i] - shift);
      ++c;
    }
  }
  *count = c;
  return r;
}

// The end of every route to the threshold: the entries of v[0, nv) above
// `first` are every candidate (nothing outside them exceeds rho, and
// rho <= tau up to rounding), possibly with a few at or just below tau.
Threshold settle(double* v, std::size_t nv, double rho, double radius, double first = -INFINITY) {
  // rho carries the rounding of every incremental update; recompute the
  // threshold of the final set from a compensated sum, and re-check the set
  // against it (a tie can flip under rounding). The list v[0, nv) is every
  // candidate (nothing outside it exceeds rho <= tau) and is not compacted:
  // an entry that falls out at one round may be back above tau at the next,
  // when rounding moves tau down again.
  double tau = rho;
  std::size_t active = nv;
  // The mass above tau (and the count of active entries) is what both the
  // re-check and the feasibility guard below need: one pass serves both.
  CompensatedSum mass;
  bool mass_known = false;
  for (int round = 0; round < 8 && active > 0; ++round) {
    std::size_t count = 0;
    CompensatedSum s = accurate_sum_above(v, nv, round == 0 ? first : tau, 0.0, &count);
    if (count == 0) break;
    s.add(-radius);
    tau = s.value() / static_cast<double>(count);
    mass = accurate_sum_above(v, nv, tau, tau, &active);
    mass_known = true;
    if (active == count) break;
  }
  // Feasibility in floating point: when the radius is tiny next to the
  // entries, tau's rounding error (relative to the entries) can exceed the
  // radius itself. Raise tau until the mass of every candidate above it fits.
  for (int round = 0; round < 64; ++round) {
    if (!mass_known) mass = accurate_sum_above(v, nv, tau, tau, &active);
    mass_known = false;
    const CompensatedSum& s = mass;
    double excess = s.value() - radius;
    if (!(excess > 0.0) || active == 0) break;
    double step = excess / static_cast<double>(active);
    double next = tau + step;
    tau = next > tau ? next : std::nextafter(tau, INFINITY);
  }
  return {tau > 0.0 ? tau : 0.0, active};
}

// Condat's online filter leaves the candidates in a[0, v_end): the ones it
// set aside ("v tilde") in [0, vt_end) and the current list v in
// [vt_end, v_end), with rho the running lower bound of the threshold. This
// finishes the algorithm in place.
Threshold condat_finish(double* a, std::size_t vt_end, std::size_t v_end, double rho, double radius) {
  // Set-aside elements that still exceed rho rejoin v: compact them to the
  // front, then slide v down behind them (both moves go leftwards, so the
  // buffer never grows).
  std::size_t nv = v_end - vt_end;
  std::size_t w = 0;
  for (std::size_t i = 0; i < vt_end; ++i) {
    double y = a[i];
    if (y > rho) {
      a[w++] = y;
      ++nv;
      rho += (y - rho) / static_cast<double>(nv);
    }
  }
  std::copy(a + vt_end, a + v_end, a + w);
  double* v = a;
  // Drop elements that fell below rho until the list is stable.
  for (;;) {
    std::size_t before = nv;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < nv; ++i) {
      double y = v[i];
      if (y > rho) {
        v[kept++] = y;
      } else {
        // Removing y raises the mean-based threshold of the remaining list.
        std::size_t left = kept + (nv - i - 1);
        if (left > 0) rho += (rho - y) / static_cast<double>(left);
      }
    }
    nv = kept;
    if (nv == before) break;
  }
  return settle(v, nv, rho, radius);
}

// The first (online) pass of Condat's algorithm over values produced by `get`.
// Output layout as documented on condat_finish.
template <class Get>
Threshold condat_filter(std::size_t n, double radius, double* buf, Get get) {
  std::size_t vt_end = 0, v_end = 1;
  double y0 = get(0);
  buf[0] = y0;
  double rho = y0 - radius;
  for (std::size_t i = 1; i < n; ++i) {
    double y = get(i);
    if (y > rho) {
      double cand = rho + (y - rho) / static_cast<double>(v_end - vt_end + 1);
      if (cand > y - radius) {
        rho = cand;
        buf[v_end++] = y;
      } else {
        // y alone gives a better bound than v plus y: set v aside, restart.
        vt_end = v_end;
        buf[v_end++] = y;
        rho = y - radius;
      }
    }
  }
  return condat_finish(buf, vt_end, v_end, rho, radius);
}

struct Kept {
  double sum;  // plain sum of the kept entries
  std::size_t count;
};

// Keeps the entries of a[0, n) above t at its front, in order, and sums them.
// Branch-free: whether an entry is kept is data, not control flow, so that
// nothing mispredicts when half the entries go; the four entries of a step are
// all read before any is written, and a write never passes the read position.
Kept keep_above(double* a, std::size_t n, double t) {
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  std::size_t w = 0, i = 0;
  for (; i + 4 <= n; i += 4) {
    const double x0 = a[i], x1 = a[i + 1], x2 = a[i + 2], x3 = a[i + 3];
    const bool k0 = x0 > t, k1 = x1 > t, k2 = x2 > t, k3 = x3 > t;
    s0 += k0 ? x0 : 0.0;
    s1 += k1 ? x1 : 0.0;
    s2 += k2 ? x2 : 0.0;
    s3 += k3 ? x3 : 0.0;
    a[w] = x0;
    w += k0 ? 1 : 0;
    a[w] = x1;
    w += k1 ? 1 : 0;
    a[w] = x2;
    w += k2 ? 1 : 0;
    a[w] = x3;
    w += k3 ? 1 : 0;
  }
  for (; i < n; ++i) {
    const double x = a[i];
    const bool k = x > t;
    s0 += k ? x : 0.0;
    a[w] = x;
    w += k ? 1 : 0;
  }
  return {(s0 + s1) + (s2 + s3), w};
}

// The plain sum and count of the entries of a[0, n) above t, without moving
// them: a pass that only reads, four independent chains of baseline vector
// lanes (two doubles each with SSE2). With Copy it also copies a into dst and
// keeps the largest entry and a finiteness probe (x - x, NaN exactly for a
// NaN or an infinity) of what it reads: the copy's pass of bilevel_radii then
// gives the threshold its first sum too, with the very operations of the
// pass without Copy (the same bits). Store = false keeps the largest entry
// and the probe without the copy (bilevel_radii at eta = 0).
template <bool Copy, bool Store = Copy>
Kept sum_above_impl(const double* a, std::size_t n, double t, double* dst, double* largest, bool* finite) {
  using L = simd::Lanes<double, simd::Baseline>;
  constexpr std::size_t W = L::kWidth;
  double sum = 0.0;
  std::size_t c = 0, i = 0;
  const auto tv = L::set1(t), one = L::set1(1.0);
  auto s0 = L::zero(), s1 = s0, s2 = s0, s3 = s0, c0 = s0, c1 = s0;
  auto x0 = s0, x1 = s0, p0 = s0, p1 = s0;  // Copy: maxima and probes
  for (; i + 4 * W <= n; i += 4 * W) {
    const auto a0 = L::load(a + i), a1 = L::load(a + i + W);
    const auto a2 = L::load(a + i + 2 * W), a3 = L::load(a + i + 3 * W);
    if constexpr (Copy) {
      if constexpr (Store) {
        L::store(dst + i, a0);
        L::store(dst + i + W, a1);
        L::store(dst + i + 2 * W, a2);
        L::store(dst + i + 3 * W, a3);
      }
      x0 = L::max(L::max(x0, a0), a1);
      x1 = L::max(L::max(x1, a2), a3);
      p0 = L::add(p0, L::add(L::sub(a0, a0), L::sub(a1, a1)));
      p1 = L::add(p1, L::add(L::sub(a2, a2), L::sub(a3, a3)));
    }
    const auto m0 = L::gt(a0, tv), m1 = L::gt(a1, tv);
    const auto m2 = L::gt(a2, tv), m3 = L::gt(a3, tv);
    s0 = L::add(s0, L::bit_and(m0, a0));
    s1 = L::add(s1, L::bit_and(m1, a1));
    s2 = L::add(s2, L::bit_and(m2, a2));
    s3 = L::add(s3, L::bit_and(m3, a3));
    // Counts in double (exact below 2^53): a true lane masks in 1.0.
    c0 = L::add(c0, L::add(L::bit_and(m0, one), L::bit_and(m1, one)));
    c1 = L::add(c1, L::add(L::bit_and(m2, one), L::bit_and(m3, one)));
  }
  double sl[W], cl[W];
  L::store(sl, L::add(L::add(s0, s1), L::add(s2, s3)));
  L::store(cl, L::add(c0, c1));
  for (std::size_t l = 0; l < W; ++l) {
    sum += sl[l];
    c += static_cast<std::size_t>(cl[l]);
  }
  double big = 0.0, probe = 0.0;
  if constexpr (Copy) {
    double xl[W], pl[W];
    L::store(xl, L::max(x0, x1));
    L::store(pl, L::add(p0, p1));
    for (std::size_t l = 0; l < W; ++l) {
      big = xl[l] > big ? xl[l] : big;
      probe += pl[l];
    }
  }
  for (; i < n; ++i) {
    const bool k = a[i] > t;
    sum += k ? a[i] : 0.0;
    c += k ? 1 : 0;
    if constexpr (Copy) {
      if constexpr (Store) dst[i] = a[i];
      big = a[i] > big ? a[i] : big;
      probe += a[i] - a[i];
    }
  }
  if constexpr (Copy) {
    *largest = big;
    *finite = probe == probe;
  }
  return {sum, c};
}

// sum_above_impl without the copy; through the table where the baseline's
// four chains of lanes are the table's eight (SSE2): the same bits.
Kept sum_above(const double* a, std::size_t n, double t) {
  using L = simd::Lanes<double, simd::Baseline>;
  constexpr std::size_t W = L::kWidth;
  if constexpr (4 * W == 8) {
    double sl[8], cl[8];
    std::size_t i = simd::kernels().l1_sum_above(a, n, t, sl, cl);
    double sum = 0.0, cnt = 0.0;
    for (std::size_t l = 0; l < W; ++l) {
      sum += (sl[l] + sl[W + l]) + (sl[2 * W + l] + sl[3 * W + l]);
      cnt += (cl[l] + cl[W + l]) + (cl[2 * W + l] + cl[3 * W + l]);
    }
    std::size_t c = static_cast<std::size_t>(cnt);
    for (; i < n; ++i) {
      const bool k = a[i] > t;
      sum += k ? a[i] : 0.0;
      c += k ? 1 : 0;
    }
    return {sum, c};
  } else {
    return sum_above_impl<false>(a, n, t, nullptr, nullptr, nullptr);
  }
}

// After this many passes the pivot iteration hands over to the online
// filter, whose cost does not depend on how the entries are spread.
constexpr int kMaxPivotPasses = 48;

// known_sum, when given, is sum_above(a, k, -INFINITY).sum, computed by the
// caller's copy pass (l1_copy_sum).
Threshold threshold_inplace(double* a, std::size_t k, double radius, const double* known_sum = nullptr) {
  if (k == 0) return {0.0, 0};
  // Inside the ball: tau = 0. Deciding it up front also keeps the running
  // bounds below away from -radius: with a radius near DBL_MAX they would
  // overflow. A plain sum decides unless the radius lies within its error
  // bound (k ulps of the sum, with room to spare); then the compensated sum
  // does, as it always did.
  double sum = known_sum != nullptr ? *known_sum : sum_above(a, k, -INFINITY).sum;
  const double slack = 2.0 * static_cast<double>(k) * DBL_EPSILON * sum;
  if (!is_finite(sum) || !(radius < sum - slack || radius > sum + slack)) {
    CompensatedSum total;
    for (std::size_t i = 0; i < k; ++i) total.add(a[i]);
    if (total.value() <= radius) return {0.0, k};
    if (!is_finite(sum)) return condat_filter(k, radius, a, [a](std::size_t i) { return a[i]; });
  } else if (sum <= radius) {
    return {0.0, k};
  }
  // Pivot iteration: the threshold of any set that holds every active entry
  // is at most tau (an inactive entry adds at most tau to the sum it
  // averages), so entries at or below it are inactive and go; the threshold of
  // what is left is higher, until nothing goes. The filter t sits below the
  // computed threshold by a bound of its rounding (plain sums: a few ulps of
  // the sum, and one subnormal for the division), so that an entry active by
  // a hair is never lost; settle() finishes on the candidates with a
  // compensated sum. A pass only reads (near-equal entries, the common case
  // of group norms, drop few per pass); the candidates are compacted, branch-
  // free, once they are at most half of what is swept.
  std::size_t n = k;      // a[0, n): the entries swept
  std::size_t count = k;  // the candidates: the entries of a[0, n) above t
  double t = -INFINITY;
  for (int pass = 0; pass < kMaxPivotPasses; ++pass) {
    const double tau = (sum - radius) / static_cast<double>(count);
    const double next = tau - ((sum + radius) * 0x1p-50 + DBL_TRUE_MIN);
    const Kept kept = sum_above(a, n, next);
    if (kept.count == count) return settle(a, n, tau, radius, next);
    t = next;
    count = kept.count;
    sum = kept.sum;
    if (count <= n / 2) n = keep_above(a, n, t).count;
  }
  // Spread so that each pass drops few entries: the online filter finishes
  // on the candidates left (their threshold is the whole vector's).
  n = keep_above(a, n, t).count;
  return condat_filter(n, radius, a, [a](std::size_t i) { return a[i]; });
}

inline unsigned nan_bit(double x) {
  return x != x ? 1u : 0u;
}

// The per-block test of the scan: is any |v[k]| of the block above t (so the
// block may hold an active entry)? It also keeps, across blocks, the largest
// |v| and a NaN probe. This runs over every entry of the vector, so it keeps
// its running values in vector registers instead of reducing each block; it
// runs once per 64 entries, too often for an indirect call, so it uses the
// baseline lanes directly (simd/target.hpp). The probe is an OR of "unordered"
// compare masks, not a running sum: a sum's add latency, chained every
// iteration, made the scan twice as slow as a read pass.
template <class T>
struct BlockScan {
  using L = simd::Lanes<T, simd::Baseline>;
  using V = typename L::V;
  static constexpr std::size_t kStep = 2 * L::kWidth;  // two independent maxima per iteration
  V best = L::zero(), probe = L::zero();
  T tail_best = 0, tail_probe = 0;
  bool any_above(const T* v, std::size_t len, double t) {
    if (len % kStep != 0) return tail(v, len, t);
    const V sign = L::set1(T(-0.0));
    V m0 = L::zero(), m1 = m0;
    for (std::size_t k = 0; k < len; k += kStep) {
      const V a0 = L::and_not(sign, L::load(v + k)), a1 = L::and_not(sign, L::load(v + k + L::kWidth));
      m0 = L::max(m0, a0);
      m1 = L::max(m1, a1);
      probe = L::bit_or(probe, L::unordered(a0, a1));
    }
    const V m = L::max(m0, m1);
    best = L::max(best, m);
    if constexpr (std::is_same_v<T, double>) return L::any(L::gt(m, L::set1(t)));
    return static_cast<double>(L::max_lane(m)) > t;  // compared in double: t need not be a float
  }
  bool tail(const T* v, std::size_t len, double t) {
    T bm = 0;
    for (std::size_t k = 0; k < len; ++k) {
      const T a = std::fabs(v[k]);
      bm = bm > a ? bm : a;
      tail_probe += a;  // NaN exactly when an entry is (entries are >= 0: no inf - inf)
    }
    tail_best = tail_best > bm ? tail_best : bm;
    return static_cast<double>(bm) > t;
  }
  double max_abs() const {
    const T b = L::max_lane(best);
    return static_cast<double>(b > tail_best ? b : tail_best);
  }
  bool nan() const { return L::any(probe) || tail_probe != tail_probe; }
};

}  // namespace

double l1_threshold_inplace(double* a, std::size_t k, double radius) {
  return threshold_inplace(a, k, radius).tau;
}

L1CopySum l1_copy_sum(const double* src, std::size_t k, double* dst) {
  L1CopySum r{0.0, 0.0, true};
  r.sum = dst != nullptr ? sum_above_impl<true>(src, k, -INFINITY, dst, &r.largest, &r.finite).sum
                         : sum_above_impl<true, false>(src, k, -INFINITY, nullptr, &r.largest, &r.finite).sum;
  return r;
}

double l1_threshold_inplace_summed(double* a, std::size_t k, double radius, double sum) {
  return threshold_inplace(a, k, radius, &sum).tau;
}

template <class T>
L1Scan l1_threshold_scan(const T* v, std::size_t n, double radius, double scale, ScratchVector<double>& buf,
                         ScratchVector<std::uint64_t>* live) {
  constexpr std::size_t kSample = 4096, kBlock = kL1Block;
  static_assert(kSample % kBlock == 0, "the sample ends on a block boundary");
  L1Scan r{0.0, 0.0, false};
  // The sample's blocks count as live; a later block is live when it held an
  // entry above the filter of its time, which never exceeds the final tau.
  if (live != nullptr) {
    const std::size_t blocks = (n + kBlock - 1) / kBlock;
    live->assign((blocks + 63) / 64, 0);
    for (std::size_t b = 0; b < std::min(n, kSample) / kBlock + (n < kSample && n % kBlock != 0 ? 1 : 0); ++b) {
      (*live)[b / 64] |= std::uint64_t(1) << (b % 64);
    }
  }
  unsigned nan = 0;
  // An exact threshold of a subset is a lower bound of the whole vector's:
  // start from the first kSample entries' threshold.
  const std::size_t first = std::min(n, kSample);
  buf.resize(std::max<std::size_t>(2 * kSample, first + kBlock));
  std::size_t size = 0;
  for (std::size_t i = 0; i < first; ++i) {
    double a = std::fabs(static_cast<double>(v[i])) * scale;
    r.max_abs = r.max_abs > a ? r.max_abs : a;
    nan |= nan_bit(a);
    buf[size++] = a;
  }
  // tau_lb: the best exact threshold of a subset so far (a lower bound of
  // tau). The filter t sits a hair below it (see below()), and so does what
  // the buffer keeps, so that no entry active by a rounding error is lost.
  double tau_lb = 0.0, t = 0.0;
  ScratchVector<double> work;
  auto tighten = [&] {
    work.assign(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(size));
    const double tau = threshold_inplace(work.data(), size, radius).tau;
    if (tau > tau_lb) tau_lb = tau;
    t = below(tau_lb);
    std::size_t kept = 0;
    for (std::size_t k = 0; k < size; ++k) {
      if (buf[k] > t) buf[kept++] = buf[k];
    }
    size = kept;
  };
  tighten();
  std::size_t cap = std::max(2 * size, kSample);
  BlockScan<T> scan;
  for (std::size_t i = first; i < n; i += kBlock) {
    const std::size_t len = std::min(kBlock, n - i);
    // scale is a power of two: comparing |v| with t / scale is exact.
    if (!scan.any_above(v + i, len, t / scale)) continue;  // nothing here can be active
    if (live != nullptr) (*live)[i / kBlock / 64] |= std::uint64_t(1) << (i / kBlock % 64);
    if (buf.size() < size + len) buf.resize(2 * (size + len));
    double* d = buf.data() + size;
    std::size_t c = 0;
    for (std::size_t k = 0; k < len; ++k) {  // branch-free compaction
      double a = std::fabs(static_cast<double>(v[i + k])) * scale;
      d[c] = a;
      c += a > t ? 1 : 0;
    }
    size += c;
    if (size > cap) {
      tighten();  // the candidates' threshold is a better lower bound
      cap = std::max(2 * size, kSample);
    }
  }
  r.nan = nan != 0 || scan.nan();
  const double rest = scan.max_abs() * scale;
  r.max_abs = r.max_abs > rest ? r.max_abs : rest;
  // tau_lb stays a valid lower bound even when rounding leaves the final
  // threshold below it (a radius far below the entries' resolution).
  const double last = threshold_inplace(buf.data(), size, radius).tau;
  r.tau = last > tau_lb ? last : tau_lb;
  return r;
}

template <class T>
Status project_l1_ball(const T* v, std::size_t n, double eta, T* out) try {
  if (n == 0) return Status::kOk;
  ScratchVector<double> buf;
  ScratchVector<std::uint64_t> live;
  L1Scan scan = l1_threshold_scan(v, n, eta, 1.0, buf, &live);
  if (scan.nan || !is_finite(scan.max_abs)) return Status::kNonFinite;
  if (eta == 0.0) {
    std::fill(out, out + n, T(0));
    return Status::kOk;
  }
  // Near 1e308 the sums inside could overflow: solve in scaled units.
  const double scale = overflow_guard_scale(scan.max_abs, static_cast<double>(n));
  if (scale != 1.0) scan = l1_threshold_scan(v, n, eta * scale, scale, buf, &live);
  const double tau = scan.tau / scale;
  if (tau == 0.0) {  // inside the ball
    if (out != v) std::copy(v, v + n, out);
    return Status::kOk;
  }
  // A projection onto a small ball is mostly zeros: the blocks the scan found
  // entirely at or below tau are written without being read again.
  apply_vector_blocks<ShrinkMap<T>>(v, n, tau, live.data(), kL1Block, out);
  return Status::kOk;
} catch (const std::bad_alloc&) {
  return Status::kOutOfMemory;
}

template L1Scan l1_threshold_scan<float>(const float*, std::size_t, double, double, ScratchVector<double>&,
                                         ScratchVector<std::uint64_t>*);
template L1Scan l1_threshold_scan<double>(const double*, std::size_t, double, double, ScratchVector<double>&,
                                          ScratchVector<std::uint64_t>*);
template Status project_l1_ball<float>(const float*, std::size_t, double, float*);
template Status project_l1_ball<double>(const double*, std::size_t, double, double*);

}  // namespace bp
