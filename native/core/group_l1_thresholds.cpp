#include "group_l1_thresholds.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>

#include "apply.hpp"
#include "numeric.hpp"
#include "parallel.hpp"
#include "reduce.hpp"
#include "scratch.hpp"
#include "simd/lanes_scalar.hpp"
#include "simd/lanes_sse2.hpp"
#include "stream_store.hpp"

namespace bp {
namespace {

// With groups = columns the matrix is read in tiles of W columns: the rows'
// W-wide slices are streamed and each live column's candidates appended to
// its own contiguous stretch of one buffer of W * rows doubles, so that each
// column's threshold is solved while its candidates are still in the cache.
// Wide tiles pay: a row's slice is a stride away from the previous one (a
// new page, a TLB miss, no hardware prefetch), and that cost is shared by the
// slice's entries; measured on 4000 x 4000 and 8000 x 1000, 256 columns took
// two thirds of the time of 16. The buffer is capped at 16 MiB.
constexpr std::size_t kTileColumns = 256;
constexpr std::size_t kMinTile = 16;  // a whole cache line of doubles and of floats
constexpr std::size_t kMaxTileEntries = std::size_t(1) << 21;
constexpr std::size_t kAhead = 8;  // rows prefetched ahead

// The tile buffer: taken on first use (at a small radius no tile may have a
// live column) and left uninitialised (every candidate is written before it
// is read). Zeroing up to 16 MiB per call, on top of the zeroed pages the
// system gives a block that large, cost 3 to 15% of bilevel_l11 on 8000 x
// 1000, one thread (the most at eta = 1, where few groups are searched).
class TileBuffer {
 public:
  explicit TileBuffer(std::size_t n) : n_(n) {}
  ~TileBuffer() {
    if (p_ != nullptr) scratch::give(p_, n_ * sizeof(double));
  }
  TileBuffer(const TileBuffer&) = delete;
  TileBuffer& operator=(const TileBuffer&) = delete;
  double* get() {
    if (p_ == nullptr) p_ = static_cast<double*>(scratch::take(n_ * sizeof(double)));
    return p_;
  }

 private:
  std::size_t n_;
  double* p_ = nullptr;
};

std::size_t tile_width(std::size_t rows, std::size_t cols) {
  const std::size_t cap = kMaxTileEntries / std::max<std::size_t>(rows, 1) / kMinTile * kMinTile;
  return std::min(std::max(kMinTile, std::min(kTileColumns, cap)), cols);
}

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

// The same, compensated (Knuth's two-sum in every lane, then the lanes'
// sums and errors added with a Neumaier sum): as accurate as one Neumaier
// sum. With kMinus, the sum of x - t instead (the mass kept above t).
template <bool kMinus>
MaskedSum compensated_masked_sum(const double* a, std::size_t k, double t) {
  const V tv = L::set1(t), one = L::set1(1.0);
  V s[2] = {L::zero(), L::zero()}, e[2] = {L::zero(), L::zero()}, c[2] = {L::zero(), L::zero()};
  std::size_t i = 0;
  for (; i + kStep <= k; i += kStep) {
    for (int h = 0; h < 2; ++h) {
      const V x = L::load(a + i + h * L::kWidth);
      const V m = L::gt(x, tv);
      const V term = L::bit_and(m, kMinus ? L::sub(x, tv) : x);
      const V sum = L::add(s[h], term);
      const V bp = L::sub(sum, s[h]);
      e[h] = L::add(e[h], L::add(L::sub(s[h], L::sub(sum, bp)), L::sub(term, bp)));
      s[h] = sum;
      c[h] = L::add(c[h], L::bit_and(m, one));
    }
  }
  CompensatedSum total;
  double lanes[L::kWidth];
  for (int h = 0; h < 2; ++h) {
    L::store(lanes, s[h]);
    for (double x : lanes) total.add(x);
    L::store(lanes, e[h]);
    for (double x : lanes) total.add(x);
  }
  double count = lane_total(L::add(c[0], c[1]));
  for (; i < k; ++i) {
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

inline double raised(double filter, double kept_sum, std::size_t count, double radius) {
  if (count == 0) return filter;
  const double b = lowered((kept_sum - radius) / static_cast<double>(count), kept_sum);
  return b > filter ? b : filter;
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
    tau = r.value() / static_cast<double>(in.count);
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
inline double trivial_threshold(double radius, double sum) {
  if (!(radius > 0.0)) return std::numeric_limits<double>::infinity();
  if (sum <= radius) return 0.0;
  return std::numeric_limits<double>::quiet_NaN();
}

template <class T>
void column_tiles(const MatrixRef<T>& y, double scale, const double* radius, const double* mx, const double* sum,
                  double* lambda) {
  const std::size_t n = y.rows, m = y.cols;
  const std::size_t w = tile_width(n, m);
  const std::size_t tiles = (m + w - 1) / w;
  parallel_ranges(tiles, 1, y.size(), [&](std::size_t t0, std::size_t t1) {
    TileBuffer buf(w * n);
    ScratchVector<double> filter(w), kept_sum(w);
    ScratchVector<std::size_t> count(w), live(w);
    double* const f = filter.data();
    double* const ks = kept_sum.data();
    std::size_t* const cnt = count.data();
    for (std::size_t tile = t0; tile < t1; ++tile) {
      const std::size_t c0 = tile * w, width = std::min(w, m - c0);
      // Only the columns whose threshold needs their entries are read: at a
      // small radius most groups are zero and most tiles hold a few live
      // columns, or none.
      std::size_t nl = 0;
      for (std::size_t q = 0; q < width; ++q) {
        const std::size_t j = c0 + q;
        lambda[j] = trivial_threshold(radius[j], sum[j]);
        if (lambda[j] == lambda[j]) continue;
        f[nl] = start_filter(mx[j] * scale, sum[j], radius[j], n);
        cnt[nl] = 0;
        ks[nl] = 0.0;
        live[nl++] = q;
      }
      if (nl == 0) continue;
      double* const b = buf.get();
      const std::size_t* const lv = live.data();
      const bool dense = nl == width;
      // Branch-free appends: every entry is written, and kept (the count
      // moves on) only when above the column's filter. After row i a count
      // is at most i + 1, so a write never leaves its column's stretch.
      // The rows' slices are a stride apart, often across pages, where the
      // hardware prefetcher does not follow: they are prefetched ahead.
      // Four rows per step: each column's count and sum are loaded and
      // stored once per four entries (stores, not arithmetic, bound this
      // loop). The sums still add the entries one by one in row order.
      for (std::size_t i0 = 0; i0 < n; i0 += kRaiseRows) {
        const std::size_t i1 = std::min(n, i0 + kRaiseRows);
        for (std::size_t i = i0 + kAhead; i < std::min(n, i1 + kAhead); ++i) {
          const T* r = y.data + i * m + c0;
          if (dense)
            prefetch_range(r, width * sizeof(T));
          else
            for (std::size_t p = 0; p < nl; ++p) prefetch_range(r + lv[p], 1);
        }
        std::size_t i = i0;
        for (; i + 4 <= i1; i += 4) {
          const T* r0 = y.data + i * m + c0;
          const T *r1 = r0 + m, *r2 = r1 + m, *r3 = r2 + m;
          for (std::size_t p = 0; p < nl; ++p) {
            const std::size_t q = dense ? p : lv[p];
            const double a0 = std::fabs(static_cast<double>(r0[q])) * scale;
            const double a1 = std::fabs(static_cast<double>(r1[q])) * scale;
            const double a2 = std::fabs(static_cast<double>(r2[q])) * scale;
            const double a3 = std::fabs(static_cast<double>(r3[q])) * scale;
            const double fp = f[p];
            const bool k0 = a0 > fp, k1 = a1 > fp, k2 = a2 > fp, k3 = a3 > fp;
            double* col = b + p * n;
            std::size_t c = cnt[p];
            col[c] = a0;
            c += k0 ? 1 : 0;
            col[c] = a1;
            c += k1 ? 1 : 0;
            col[c] = a2;
            c += k2 ? 1 : 0;
            col[c] = a3;
            c += k3 ? 1 : 0;
            cnt[p] = c;
            ks[p] = (((ks[p] + a0 * static_cast<double>(k0)) + a1 * static_cast<double>(k1)) +
                     a2 * static_cast<double>(k2)) +
                    a3 * static_cast<double>(k3);
          }
        }
        for (; i < i1; ++i) {
          const T* r = y.data + i * m + c0;
          for (std::size_t p = 0; p < nl; ++p) {
            const double a = std::fabs(static_cast<double>(r[dense ? p : lv[p]])) * scale;
            const bool keep = a > f[p];
            b[p * n + cnt[p]] = a;
            cnt[p] += keep ? 1 : 0;
            ks[p] += a * static_cast<double>(keep);
          }
        }
        for (std::size_t p = 0; p < nl; ++p) f[p] = raised(f[p], ks[p], cnt[p], radius[c0 + lv[p]]);
      }
      for (std::size_t p = 0; p < nl; ++p) {
        const std::size_t j = c0 + lv[p];
        lambda[j] = list_threshold(b + p * n, cnt[p], radius[j], f[p], ks[p]) / scale;
      }
    }
  });
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
  if (g == Groups::kColumns)
    column_tiles(y, scale, radius, mx, sum, lambda);
  else
    row_groups(y, scale, radius, mx, sum, lambda);
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
