// The inner step of the bilevel l1,1 projection (group_l1_thresholds.cpp)
// for column groups: 8-column blocks searched in vector lanes.
//   - the block passes of every kernel table give the bytes of a sequential
//     per-lane reference (plain and compensated sums in row order, the rows
//     kept by the compacting pass);
//   - a column's threshold has the same bits alone (an n x 1 matrix) as among
//     any neighbours, at any position in its block and tile;
//   - every threshold is the sort-based one (brute.hpp) to rounding, and the
//     mass it keeps fits in the radius; the columns are built to force each
//     branch: radius 0 and sums inside the ball (no search), tiny radii next
//     to huge entries (the feasibility raise), small radii (most rows
//     dropped by the gather's raised filters and by the compacting passes),
//     radii near the sum (many mean-rule passes), ties and zeros, lanes that
//     stop long before their neighbours, partial blocks and dead lanes, lanes
//     that leave the plain passes before their set is stable (a second round
//     of the exact finish).
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <thread>
#include <vector>

#include "brute.hpp"
#include "group_l1_thresholds.hpp"
#include "harness.hpp"
#include "kernel_tables.hpp"
#include "simd/kernel_table.hpp"

using namespace bptest;
using bp::simd::KernelTable;
using bp::simd::kL1BlockLanes;

namespace {

constexpr std::size_t kLanes = kL1BlockLanes;

// The reference of one block pass: lane by lane, in row order.
struct PassRef {
  std::vector<double> rows;  // the rows kept (compacting pass) or all of them
  double sum[kLanes], count[kLanes];
};

PassRef pass_reference(const std::vector<double>& a, const double* t, bool comp, bool minus, bool compact) {
  PassRef r;
  const std::size_t n = a.size() / kLanes;
  for (std::size_t q = 0; q < kLanes; ++q) {
    double s = 0.0, e = 0.0, c = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double x = a[i * kLanes + q];
      if (!(x > t[q])) continue;
      const double term = minus ? x - t[q] : x;
      c += 1.0;
      if (comp) {
        const double next = s + term, bp = next - s;
        e += (s - (next - bp)) + (term - bp);
        s = next;
      } else {
        s += term;
      }
    }
    r.sum[q] = comp ? s + e : s;
    r.count[q] = c;
  }
  for (std::size_t i = 0; i < n; ++i) {
    bool keep = !compact;
    for (std::size_t q = 0; q < kLanes; ++q) keep = keep || a[i * kLanes + q] > t[q];
    if (keep) r.rows.insert(r.rows.end(), a.begin() + i * kLanes, a.begin() + (i + 1) * kLanes);
  }
  return r;
}

std::vector<double> random_block(Rng& rng, std::size_t n) {
  std::vector<double> a(n * kLanes);
  const double big = std::pow(10.0, rng.uniform() * 8 - 4);
  for (double& x : a) {
    switch (rng.below(4)) {
      case 0:
        x = 0.0;
        break;
      case 1:
        x = 0.5 * big;  // ties
        break;
      default:
        x = std::fabs(rng.normal()) * big;
    }
  }
  return a;
}

// One threshold per lane for a block a: +inf, 0, or about one of the
// block's entries (0.5 to 1.5 times it; about 1 when the block is empty).
void random_thresholds(Rng& rng, const std::vector<double>& a, double* t) {
  for (std::size_t l = 0; l < kLanes; ++l) {
    const std::size_t pick = rng.below(5);
    t[l] = pick == 0 ? std::numeric_limits<double>::infinity()
                     : (pick == 1 ? 0.0 : (!a.empty() ? a[rng.below(a.size())] : 1.0) * (0.5 + rng.uniform()));
  }
}

void check_block_passes(const KernelTable& k, Rng& rng) {
  for (int trial = 0; trial < 60; ++trial) {
    const std::size_t n = rng.below(70);
    const std::vector<double> a = random_block(rng, n);
    double t[kLanes];
    random_thresholds(rng, a, t);
    const struct {
      KernelTable::L1BlockPass f;
      bool comp, minus, compact;
    } passes[] = {{k.l1_block_plain, false, false, true},
                  {k.l1_block_compensated, true, false, false},
                  {k.l1_block_kept, true, true, false}};
    for (const auto& p : passes) {
      std::vector<double> work = a;
      double sum[kLanes], count[kLanes];
      const std::size_t left = p.f(work.data(), n, t, sum, count);
      const PassRef want = pass_reference(a, t, p.comp, p.minus, p.compact);
      CHECK_MSG(left * kLanes == want.rows.size(), k.name << " rows left " << left);
      // memcmp with a null pointer is undefined even for 0 bytes (n = 0 rows).
      const std::size_t bytes = std::min(left * kLanes, want.rows.size()) * 8;
      CHECK(bytes == 0 || std::memcmp(work.data(), want.rows.data(), bytes) == 0);
      CHECK(std::memcmp(sum, want.sum, sizeof sum) == 0);
      CHECK(std::memcmp(count, want.count, sizeof count) == 0);
    }
  }
}

// A column built to force one branch of the search (see the file comment);
// returns its entries and the radius to project it on.
std::vector<double> column_of_kind(Rng& rng, std::size_t n, int kind, double* radius) {
  std::vector<double> v(n);
  double l1 = 0.0;
  for (double& x : v) {
    switch (kind) {
      case 0:  // normal
      case 1:
        x = rng.normal();
        break;
      case 2:  // sparse, ties at zero
        x = rng.uniform() < 0.8 ? 0.0 : rng.normal();
        break;
      case 3:  // huge entries, tiny radius: the feasibility raise
        x = (1.0 + rng.uniform()) * 1e12;
        break;
      case 4:  // ties
        x = rng.uniform() < 0.5 ? 2.0 : -2.0;
        break;
      case 6:  // sparser, mid radius: lanes leave the plain passes unsettled
        x = rng.uniform() < 0.9 ? 0.0 : rng.normal();
        break;
      case 7:  // tiny entries: too small for the proof of a stable set
        x = rng.normal() * 1e-205;
        break;
      default:  // heavy tails
        x = std::tan(3.14159 * (rng.uniform() - 0.5));
    }
    l1 += std::fabs(x);
  }
  const double fractions[] = {0.5, 1e-3, 0.3, 1e-14, 0.9, 0.05, 0.5, 0.5};
  *radius = kind == 1 ? l1 * (0.97 + 0.03 * rng.uniform()) : l1 * fractions[kind] * (0.5 + rng.uniform());
  if (rng.below(12) == 0) *radius = 0.0;                         // no search: zero group
  if (rng.below(12) == 0) *radius = l1 * (1.0 + rng.uniform());  // no search: inside the ball
  return v;
}

template <class T>
void thresholds_of(const std::vector<T>& y, std::size_t n, std::size_t m, const std::vector<double>& radius,
                   std::vector<double>& lambda) {
  std::vector<double> mx(m, 0.0), sum(m, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < m; ++j) {
      const double a = std::fabs(static_cast<double>(y[i * m + j]));
      mx[j] = std::max(mx[j], a);
      sum[j] += a;
    }
  lambda.assign(m, -1.0);
  bp::group_l1_thresholds(bp::MatrixRef<T>{y.data(), n, m}, bp::Groups::kColumns, 1.0, radius.data(), mx.data(),
                          sum.data(), lambda.data());
}

template <class T>
void check_columns(Rng& rng, std::size_t n, std::size_t m, int only_kind = -1) {
  std::vector<T> y(n * m);
  std::vector<double> radius(m);
  for (std::size_t j = 0; j < m; ++j) {
    const int kind = only_kind >= 0 ? only_kind : static_cast<int>(rng.below(6));
    const std::vector<double> v = column_of_kind(rng, n, kind, &radius[j]);
    for (std::size_t i = 0; i < n; ++i) y[i * m + j] = static_cast<T>(v[i]);
  }
  std::vector<double> lambda;
  thresholds_of(y, n, m, radius, lambda);
  const double eps = std::numeric_limits<double>::epsilon();
  for (std::size_t j = 0; j < m; ++j) {
    std::vector<T> col(n);
    std::vector<double> v(n);
    double l1 = 0.0, big = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      col[i] = y[i * m + j];
      v[i] = std::fabs(static_cast<double>(col[i]));
      l1 += v[i];
      big = std::max(big, v[i]);
    }
    // Alone: the same bits.
    std::vector<double> alone;
    thresholds_of(col, n, 1, std::vector<double>{radius[j]}, alone);
    CHECK_MSG(std::memcmp(&alone[0], &lambda[j], sizeof(double)) == 0,
              "column " << j << " of " << m << ": " << alone[0] << " alone, " << lambda[j] << " among others");
    if (radius[j] == 0.0) {
      CHECK(lambda[j] == std::numeric_limits<double>::infinity());
      continue;
    }
    if (l1 <= radius[j]) {
      CHECK(lambda[j] == 0.0);
      continue;
    }
    // Against the sort-based threshold, and inside the ball.
    const double want = brute_threshold(v, radius[j]);
    CHECK_NEAR(lambda[j], want, 16 * eps * big + 1e-300);
    // The kept mass, summed in two doubles (Neumaier) so that the check's
    // own rounding stays below the tolerance.
    double kept = 0.0, err = 0.0, count = 0.0;
    for (double a : v) {
      const double d = std::max(a - lambda[j], 0.0), t = kept + d;
      err += std::fabs(kept) >= d ? (kept - t) + d : (d - t) + kept;
      kept = t;
      count += d > 0.0 ? 1.0 : 0.0;
    }
    kept += err;
    CHECK_NEAR(kept, radius[j], 16 * eps * (radius[j] + count * lambda[j]) + 1e-300);
  }
}

// The gather kernel of every table against a sequential reference: the rows
// kept (every row written, kept when an entry is above its lane's filter),
// |y| * scale, zeros past a partial block's width, and per lane the plain sum
// and count of the entries above the filter, added in row order onto what
// sum and count held; then each filter raised to the mean-rule bound of what
// its lane kept, (sum - r) / count lowered by 4 eps sum + the smallest
// subnormal, where that is higher and the lane kept anything. Float and double entries, strides wider than a block,
// every width from 1 to 8, rows appended after rows already kept.
template <class T>
void check_gather(const KernelTable& k, Rng& rng) {
  for (std::size_t width = 1; width <= kLanes; ++width) {
    for (std::size_t rows : {0, 1, 7, 20}) {
      const std::size_t stride = width + rng.below(12), kept0 = rng.below(3);
      std::vector<T> y(rows * stride + kLanes);
      for (T& v : y) v = rng.below(5) == 0 ? T(0) : static_cast<T>(rng.normal());
      double t[kLanes], r[kLanes], sum[kLanes], count[kLanes], ws[kLanes], wc[kLanes], wt[kLanes];
      for (std::size_t q = 0; q < kLanes; ++q) {
        t[q] = rng.below(4) == 0 ? std::numeric_limits<double>::infinity() : std::fabs(rng.normal());
        r[q] = rng.below(3) == 0 ? 0.0 : rng.uniform() * 3.0;
        ws[q] = sum[q] = rng.uniform();
        wc[q] = count[q] = static_cast<double>(rng.below(3));
      }
      const double scale = rng.below(2) == 0 ? 1.0 : 0.25;
      std::vector<double> got((kept0 + rows + 1) * kLanes, 7.0), want = got;
      std::size_t w = kept0;
      for (std::size_t i = 0; i < rows; ++i) {
        bool any = false;
        for (std::size_t q = 0; q < kLanes; ++q) {
          const double x = q < width ? std::fabs(static_cast<double>(y[i * stride + q])) * scale : 0.0;
          want[w * kLanes + q] = x;
          if (x > t[q]) {
            any = true;
            ws[q] += x;
            wc[q] += 1.0;
          }
        }
        w += any ? 1 : 0;
      }
      for (std::size_t q = 0; q < kLanes; ++q) {
        const double b = (ws[q] - r[q]) / wc[q] - (4.0 * DBL_EPSILON * ws[q] + DBL_TRUE_MIN);
        wt[q] = wc[q] > 0.0 && b > t[q] ? b : t[q];
      }
      std::size_t n;
      if constexpr (sizeof(T) == 8) {
        n = k.l1_block_gather_f64(y.data(), stride, rows, rows, width, scale, got.data(), kept0, t, r, sum, count);
      } else {
        n = k.l1_block_gather_f32(y.data(), stride, rows, rows, width, scale, got.data(), kept0, t, r, sum, count);
      }
      CHECK_MSG(n == w, k.name << " gather kept " << n << " want " << w);
      // Rows past the kept ones may hold a dropped row: only the kept compare.
      CHECK(std::memcmp(got.data() + kept0 * kLanes, want.data() + kept0 * kLanes, (w - kept0) * kLanes * 8) == 0);
      CHECK(std::memcmp(sum, ws, sizeof sum) == 0);
      CHECK(std::memcmp(count, wc, sizeof count) == 0);
      CHECK_MSG(std::memcmp(t, wt, sizeof t) == 0, k.name << " gather filters, width " << width << " rows " << rows);
    }
  }
}

// The filter bound where 4 eps sum underflows: sums near 2^-1020 make
// 4 eps sum + the smallest subnormal round differently when the compiler fuses
// the two into one multiply-add (the build turns contraction off:
// CMakeLists.txt). Every table must give the unfused bits.
void check_gather_subnormal(const KernelTable& k) {
  double y[kLanes], t[kLanes] = {}, r[kLanes] = {}, sum[kLanes] = {}, count[kLanes] = {}, want[kLanes];
  for (std::size_t q = 0; q < kLanes; ++q) {
    y[q] = std::ldexp(5.0 + 16.0 * static_cast<double>(q), -1025);
    const double b = y[q] / 1.0 - (4.0 * DBL_EPSILON * y[q] + DBL_TRUE_MIN);
    want[q] = b > 0.0 ? b : 0.0;
  }
  double rows[kLanes];
  const std::size_t n = k.l1_block_gather_f64(y, kLanes, 1, 1, kLanes, 1.0, rows, 0, t, r, sum, count);
  CHECK(n == 1);
  CHECK_MSG(std::memcmp(t, want, sizeof t) == 0, k.name << " gather filters on subnormal sums");
}

// The compensated pass with its chains apart and each lane's gap around t
// (l1_block_comp_gap) against the sequential reference: s and e of the
// two-sum chain (s + e is the compensated pass's sum), the count, the
// smallest entry above t (+inf if none) and the largest at or below it (+0
// if none).
void check_comp_gap(const KernelTable& k, Rng& rng) {
  for (int trial = 0; trial < 60; ++trial) {
    const std::size_t n = rng.below(70);
    const std::vector<double> a = random_block(rng, n);
    double t[kLanes];
    random_thresholds(rng, a, t);
    double ws[kLanes], we[kLanes], wc[kLanes], wl[kLanes], wh[kLanes];
    for (std::size_t q = 0; q < kLanes; ++q) {
      double s = 0.0, e = 0.0, c = 0.0, low = std::numeric_limits<double>::infinity(), high = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        const double x = a[i * kLanes + q];
        if (!(x > t[q])) {
          high = std::max(high, x);
          continue;
        }
        const double next = s + x, bp = next - s;
        e += (s - (next - bp)) + (x - bp);
        s = next;
        c += 1.0;
        low = std::min(low, x);
      }
      ws[q] = s;
      we[q] = e;
      wc[q] = c;
      wl[q] = low;
      wh[q] = high;
    }
    double sum[kLanes], err[kLanes], count[kLanes], low[kLanes], high[kLanes], comp[kLanes], ccount[kLanes];
    k.l1_block_comp_gap(a.data(), n, t, sum, err, count, low, high);
    CHECK_MSG(std::memcmp(sum, ws, sizeof sum) == 0, k.name << " comp_gap sum, rows " << n);
    CHECK(std::memcmp(err, we, sizeof err) == 0);
    CHECK(std::memcmp(count, wc, sizeof count) == 0);
    CHECK(std::memcmp(low, wl, sizeof low) == 0);
    CHECK(std::memcmp(high, wh, sizeof high) == 0);
    // s + e has the bits of the compensated pass's sum.
    std::vector<double> work = a;
    k.l1_block_compensated(work.data(), n, t, comp, ccount);
    for (std::size_t q = 0; q < kLanes; ++q) {
      const double both = sum[q] + err[q];
      CHECK(std::memcmp(&both, &comp[q], sizeof both) == 0);
    }
  }
}

// A matrix y of columns of one kind (column_of_kind), with the proofs of
// stable sets on or off: the thresholds and the trace.
bp::GroupL1Trace thresholds_with_proofs(Rng rng, std::size_t n, std::size_t m, int kind, bool proofs,
                                        std::vector<double>& y, std::vector<double>& lambda,
                                        std::vector<double>& radius) {
  y.assign(n * m, 0.0);
  radius.assign(m, 0.0);
  for (std::size_t j = 0; j < m; ++j) {
    const std::vector<double> v = column_of_kind(rng, n, kind, &radius[j]);
    for (std::size_t i = 0; i < n; ++i) y[i * m + j] = v[i];
  }
  bp::group_l1_prove_stable_sets(proofs);
  thresholds_of(y, n, m, radius, lambda);
  const bp::GroupL1Trace trace = bp::last_group_l1_trace();
  bp::group_l1_prove_stable_sets(true);
  return trace;
}

// With the proofs, a lane's threshold is the estimate the kept pass would
// have confirmed, or one raised by a bound instead of by a pass: each within
// a few ulps of the largest entry of the other (both within rounding of the
// sort-based threshold, see check_columns). Returns the trace with the
// proofs on.
bp::GroupL1Trace check_proofs(int kind, std::size_t n) {
  std::vector<double> y, on, off, radius;
  const std::size_t m = 48;
  const bp::GroupL1Trace a = thresholds_with_proofs(Rng(1480 + kind), n, m, kind, true, y, on, radius);
  const bp::GroupL1Trace b = thresholds_with_proofs(Rng(1480 + kind), n, m, kind, false, y, off, radius);
  CHECK(b.proved == 0);
  CHECK(b.kept_passes > 0);
  CHECK_MSG(a.kept_passes <= b.kept_passes, "kind " << kind << ": " << a.kept_passes << " > " << b.kept_passes);
  for (std::size_t j = 0; j < m; ++j) {
    // The written mass, the doubles |y| - lambda summed exactly (in two
    // doubles, Neumaier: the terms are >= 0 and few), fits in the radius.
    double kept = 0.0, err = 0.0, big = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double x = std::fabs(y[i * m + j]), d = x > on[j] ? x - on[j] : 0.0, t = kept + d;
      err += kept >= d ? (kept - t) + d : (d - t) + kept;
      kept = t;
      big = std::max(big, x);
    }
    if (radius[j] > 0.0)
      CHECK_MSG(kept + err <= radius[j],
                "kind " << kind << " column " << j << " keeps " << kept + err << " > " << radius[j]);
    if (on[j] == off[j]) continue;
    CHECK_MSG(std::fabs(on[j] - off[j]) <= 4 * std::numeric_limits<double>::epsilon() * big,
              "kind " << kind << " column " << j << ": " << on[j] << " with proofs, " << off[j] << " without");
  }
  return a;
}

}  // namespace

TEST(group_l1_comp_gap_pass_is_the_same_bytes_on_every_table) {
  for (const KernelTable* k : tables()) {
    Rng rng(1479);
    check_comp_gap(*k, rng);
  }
}

// Each branch forced: normal columns are proved in every block (no kept
// pass at all); tiny entries (below the range where the product cnt * tau
// splits exactly) never are, so their blocks take the kept pass; taller
// normal columns have lanes that leave the plain passes with an entry
// between the filter and the estimate (not stable: a second round, without
// the kept pass). Every kind: the thresholds with and without proofs agree.
TEST(group_l1_stable_set_proofs_against_the_kept_pass) {
  const bp::GroupL1Trace normal = check_proofs(0, 700);
  CHECK(normal.proved > 0 && normal.unstable == 0 && normal.kept_passes == 0);
  const bp::GroupL1Trace tiny = check_proofs(7, 700);
  CHECK(tiny.proved == 0 && tiny.kept_passes > 0);
  const bp::GroupL1Trace tall = check_proofs(0, 3000);
  CHECK(tall.proved > 0 && tall.unstable > 0);
  std::size_t bound_raises = 0;
  for (int kind : {1, 2, 3, 4, 5, 6}) bound_raises += check_proofs(kind, 700).bound_raises;
  CHECK(bound_raises > 0);  // some lanes proved only after the raise by a bound
}

TEST(group_l1_gather_is_the_same_bytes_on_every_table) {
  for (const KernelTable* k : tables()) {
    Rng rng(1473);
    check_gather<double>(*k, rng);
    check_gather<float>(*k, rng);
    check_gather_subnormal(*k);
  }
}

TEST(group_l1_block_passes_are_the_same_bytes_on_every_table) {
  for (const KernelTable* k : tables()) {
    Rng rng(1471);
    check_block_passes(*k, rng);
  }
}

// Shapes across partial blocks (m not a multiple of 8), several tiles (up to
// 256 columns each, fewer for tall matrices) and the every-8-rows raise.
TEST(group_l1_column_thresholds_alone_and_among_others_against_sort) {
  Rng rng(1472);
  const std::size_t shapes[][2] = {{1, 1}, {1, 9}, {7, 3}, {8, 8}, {9, 17}, {33, 40}, {64, 300}, {200, 13}, {600, 30}};
  for (const auto& s : shapes) {
    check_columns<double>(rng, s[0], s[1]);
    check_columns<float>(rng, s[0], s[1]);
  }
  // Tall enough that a tile is narrower than 256 columns.
  check_columns<double>(rng, 9000, 35);
}

// Lanes that leave the plain passes with a set that is not yet stable
// (kSettledShare), so that the exact finish needs a second round: sparse
// columns at half their l1 norm do that often.
TEST(group_l1_column_thresholds_after_an_unsettled_plain_exit_against_sort) {
  Rng rng(1473);
  check_columns<double>(rng, 3000, 40, 6);
  check_columns<float>(rng, 3000, 40, 6);
}

// The float-buffer loops (AVX-512F, where the CPU has them: l1_block_avx512)
// against the double loops of the same table on the same values: a float
// block's entries widened to double give the double loops' input, and every
// output (sums, errors, counts, gaps, filters, the rows kept) must have the
// same bits. Skipped where the table has no float loops.
TEST(group_l1_float_buffer_loops_give_the_double_loops_bits) {
  bool ran = false;
  for (const KernelTable* k : tables()) {
    if (k->l1_float_plain == nullptr) continue;
    ran = true;
    Rng rng(1481);
    for (int trial = 0; trial < 80; ++trial) {
      const std::size_t n = rng.below(70);
      std::vector<double> a = random_block(rng, n);
      std::vector<float> af(a.size());
      for (std::size_t i = 0; i < a.size(); ++i) {
        af[i] = static_cast<float>(a[i]);
        a[i] = static_cast<double>(af[i]);
      }
      double t[kLanes];
      random_thresholds(rng, a, t);
      // The plain (compacting) and kept passes.
      const KernelTable::L1BlockPass dpass[] = {k->l1_block_plain, k->l1_block_kept};
      const KernelTable::L1FloatPass fpass[] = {k->l1_float_plain, k->l1_float_kept};
      for (int p = 0; p < 2; ++p) {
        std::vector<double> wd = a;
        std::vector<float> wf = af;
        double ds[kLanes], dc[kLanes], fs[kLanes], fc[kLanes];
        const std::size_t dl = dpass[p](wd.data(), n, t, ds, dc), fl = fpass[p](wf.data(), n, t, fs, fc);
        CHECK_MSG(dl == fl, k->name << " float pass " << p << " rows left " << fl << " want " << dl);
        for (std::size_t i = 0; i < std::min(dl, fl) * kLanes; ++i) CHECK(static_cast<double>(wf[i]) == wd[i]);
        CHECK_MSG(std::memcmp(ds, fs, sizeof ds) == 0, k->name << " float pass " << p << " sums, rows " << n);
        CHECK(std::memcmp(dc, fc, sizeof dc) == 0);
      }
      // The compensated pass with its gap.
      double d[5][kLanes], f[5][kLanes];
      k->l1_block_comp_gap(a.data(), n, t, d[0], d[1], d[2], d[3], d[4]);
      k->l1_float_comp_gap(af.data(), n, t, f[0], f[1], f[2], f[3], f[4]);
      CHECK_MSG(std::memcmp(d, f, sizeof d) == 0, k->name << " float comp_gap, rows " << n);
    }
    // The gather: every width, rows appended after rows already kept.
    for (std::size_t width = 1; width <= kLanes; ++width) {
      for (std::size_t rows : {0, 1, 7, 20, 40}) {
        const std::size_t stride = width + rng.below(12), kept0 = rng.below(3);
        std::vector<float> y(rows * stride + kLanes);
        for (float& v : y)
          v = rng.below(5) == 0 ? (rng.below(2) == 0 ? 0.0f : -0.0f) : static_cast<float>(rng.normal());
        double t0[kLanes], r[kLanes], s0[kLanes], c0[kLanes];
        for (std::size_t q = 0; q < kLanes; ++q) {
          t0[q] = rng.below(4) == 0 ? std::numeric_limits<double>::infinity() : std::fabs(rng.normal()) * 0.5;
          r[q] = rng.below(3) == 0 ? 0.0 : rng.uniform() * 3.0;
          s0[q] = rng.uniform();
          c0[q] = static_cast<double>(rng.below(3));
        }
        double dt[kLanes], ds[kLanes], dc[kLanes], ft[kLanes], fs[kLanes], fc[kLanes];
        std::copy(t0, t0 + kLanes, dt);
        std::copy(t0, t0 + kLanes, ft);
        std::copy(s0, s0 + kLanes, ds);
        std::copy(s0, s0 + kLanes, fs);
        std::copy(c0, c0 + kLanes, dc);
        std::copy(c0, c0 + kLanes, fc);
        std::vector<double> gd((kept0 + rows + 1) * kLanes, 7.0);
        std::vector<float> gf(gd.size(), 7.0f);
        const std::size_t nd =
            k->l1_block_gather_f32(y.data(), stride, rows, rows, width, 1.0, gd.data(), kept0, dt, r, ds, dc);
        const std::size_t nf = k->l1_float_gather(y.data(), stride, rows, rows, width, gf.data(), kept0, ft, r, fs, fc);
        CHECK_MSG(nd == nf, k->name << " float gather kept " << nf << " want " << nd);
        for (std::size_t i = kept0 * kLanes; i < std::min(nd, nf) * kLanes; ++i) {
          const double w = static_cast<double>(gf[i]);
          CHECK(std::memcmp(&w, &gd[i], sizeof w) == 0);
        }
        CHECK(std::memcmp(dt, ft, sizeof dt) == 0);
        CHECK(std::memcmp(ds, fs, sizeof ds) == 0);
        CHECK(std::memcmp(dc, fc, sizeof dc) == 0);
      }
    }
  }
  if (!ran) std::printf("  (skipped here: no kernel table has %s)\n", "the float-buffer l1,1 loops (AVX-512F)");
}

// Each branch forced on float matrices: the column search with the float
// buffer and with the double buffer gives the same bits for every column
// kind (column_of_kind), partial blocks, several tiles and tall columns.
TEST(group_l1_float_buffer_and_double_buffer_give_the_same_thresholds) {
  Rng rng(1482);
  const std::size_t shapes[][2] = {{1, 9}, {9, 17}, {64, 300}, {600, 30}, {3000, 20}};
  for (const auto& s : shapes) {
    const std::size_t n = s[0], m = s[1];
    for (int kind = 0; kind < 8; ++kind) {
      std::vector<float> y(n * m);
      std::vector<double> radius(m);
      for (std::size_t j = 0; j < m; ++j) {
        const std::vector<double> v = column_of_kind(rng, n, kind, &radius[j]);
        for (std::size_t i = 0; i < n; ++i) y[i * m + j] = static_cast<float>(v[i]);
      }
      std::vector<double> with, without;
      bp::group_l1_float_buffer(true);
      thresholds_of(y, n, m, radius, with);
      bp::group_l1_float_buffer(false);
      thresholds_of(y, n, m, radius, without);
      bp::group_l1_float_buffer(true);
      CHECK_MSG(std::memcmp(with.data(), without.data(), m * sizeof(double)) == 0,
                "float buffer against double buffer, " << n << " x " << m << " kind " << kind);
    }
  }
  // The switch reaches the float loops wherever the table has them.
  CHECK(bp::group_l1_float_buffer(true) == (bp::simd::kernels().l1_float_gather != nullptr));
}

// The trace is the last call's on the calling thread: a call on another
// thread (with its own, different trace) leaves this thread's as it was.
TEST(group_l1_trace_is_per_thread) {
  std::vector<double> y, lambda, radius;
  const bp::GroupL1Trace mine = thresholds_with_proofs(Rng(1483), 700, 48, 0, true, y, lambda, radius);
  CHECK(mine.proved > 0 && mine.compensated_passes > 0);
  bp::GroupL1Trace theirs;
  std::thread other([&] {
    std::vector<double> y2, lambda2, radius2;
    theirs = thresholds_with_proofs(Rng(1484), 700, 16, 7, true, y2, lambda2, radius2);
  });
  other.join();
  CHECK(theirs.proved != mine.proved || theirs.compensated_passes != mine.compensated_passes);
  const bp::GroupL1Trace now = bp::last_group_l1_trace();
  CHECK(now.proved == mine.proved && now.compensated_passes == mine.compensated_passes &&
        now.plain_passes == mine.plain_passes && now.kept_passes == mine.kept_passes);
}

// The float buffer's compensated-gap pass without the compensation
// (l1_float_exact_gap) against the compensated one on the same rows: the
// same sum, count and gap bits always, an error of +0; and where every
// partial sum is exact (entries that are multiples of 2^-10 below 2^20 in
// all), the compensated pass's error is +0 too, so every output has its
// bits. Skipped where the table has no float loops.
TEST(group_l1_exact_float_gap_gives_the_compensated_bits_where_sums_are_exact) {
  bool ran = false;
  for (const KernelTable* k : tables()) {
    if (k->l1_float_exact_gap == nullptr) continue;
    ran = true;
    Rng rng(1485);
    for (int trial = 0; trial < 80; ++trial) {
      const std::size_t n = rng.below(70);
      const bool exact = trial % 2 == 0;
      std::vector<float> af(n * kLanes);
      for (float& v : af)
        v = exact ? static_cast<float>(static_cast<double>(rng.below(1 << 14)) / 1024.0)
                  : static_cast<float>(std::fabs(rng.normal()) * std::pow(10.0, rng.uniform() * 8.0 - 4.0));
      std::vector<double> a(af.begin(), af.end());
      double t[kLanes];
      random_thresholds(rng, a, t);
      double c[5][kLanes], e[5][kLanes];
      k->l1_float_comp_gap(af.data(), n, t, c[0], c[1], c[2], c[3], c[4]);
      k->l1_float_exact_gap(af.data(), n, t, e[0], e[1], e[2], e[3], e[4]);
      CHECK_MSG(std::memcmp(c[0], e[0], sizeof c[0]) == 0, k->name << " exact gap sums, rows " << n);
      for (int o = 2; o < 5; ++o) CHECK_MSG(std::memcmp(c[o], e[o], sizeof c[o]) == 0, k->name << " output " << o);
      for (std::size_t q = 0; q < kLanes; ++q) {
        CHECK(e[1][q] == 0.0 && !std::signbit(e[1][q]));
        if (exact) CHECK_MSG(c[1][q] == 0.0 && !std::signbit(c[1][q]), k->name << " compensated error, lane " << q);
      }
    }
  }
  if (!ran) std::printf("  (skipped here: no kernel table has %s)\n", "the float-buffer l1,1 loops (AVX-512F)");
}

// The branch forced on and off: float matrices searched with the exact-sum
// pass where it is proved to apply and with the compensated pass always
// give the same thresholds, for every column kind, and for columns whose
// range defeats the proof (one entry of 1e30 next to entries near 1, and
// a radius that leaves a threshold below 1e-9 of the norm).
TEST(group_l1_exact_float_sums_on_and_off_give_the_same_thresholds) {
  Rng rng(1486);
  const std::size_t shapes[][2] = {{9, 17}, {64, 300}, {600, 30}, {3000, 20}};
  std::size_t exact_on = 0, exact_off = 0;  // passes that took the exact sums
  for (const auto& s : shapes) {
    const std::size_t n = s[0], m = s[1];
    for (int kind = 0; kind < 9; ++kind) {
      std::vector<float> y(n * m);
      std::vector<double> radius(m);
      for (std::size_t j = 0; j < m; ++j) {
        if (kind == 8) {  // wide range: the proof fails, the compensated pass runs
          double l1 = 0.0;
          for (std::size_t i = 0; i < n; ++i) {
            const float v = i == j % n ? 1e30f : static_cast<float>(1.0 + rng.uniform());
            y[i * m + j] = rng.below(2) == 0 ? v : -v;
            l1 += static_cast<double>(v);
          }
          radius[j] = l1 * (1.0 - 1e-12 * rng.uniform());
          continue;
        }
        const std::vector<double> v = column_of_kind(rng, n, kind, &radius[j]);
        for (std::size_t i = 0; i < n; ++i) y[i * m + j] = static_cast<float>(v[i]);
      }
      std::vector<double> with, without;
      bp::group_l1_exact_float_sums(true);
      thresholds_of(y, n, m, radius, with);
      exact_on += bp::last_group_l1_trace().exact_passes;
      bp::group_l1_exact_float_sums(false);
      thresholds_of(y, n, m, radius, without);
      exact_off += bp::last_group_l1_trace().exact_passes;
      bp::group_l1_exact_float_sums(true);
      CHECK_MSG(std::memcmp(with.data(), without.data(), m * sizeof(double)) == 0,
                "exact float sums on and off, " << n << " x " << m << " kind " << kind);
    }
  }
  CHECK(bp::group_l1_exact_float_sums(true) == (bp::simd::kernels().l1_float_exact_gap != nullptr));
  // The branch ran where the table has it (or the comparison above proves
  // nothing), and never when forced off.
  CHECK_MSG((exact_on > 0) == (bp::simd::kernels().l1_float_exact_gap != nullptr), "exact passes " << exact_on);
  CHECK(exact_off == 0);
}

// The exact finish's lane arithmetic of every table that has the vector
// loop (l1_lane_estimates) against the scalar reference, bit for bit, on
// inputs as a compensated-gap pass gives them (sum and error of kept
// entries, their count, the gap around the filter) and on the edges of the
// proof: sets stable or not, counts near 2^26, estimates near 1e-200 and
// 1e200, zero and negative excess, radii of 0, infinities and NaN.
TEST(group_l1_lane_estimates_give_the_scalar_bits_on_every_table) {
  bool ran = false;
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  for (const KernelTable* k : tables()) {
    if (k->l1_lane_estimates == nullptr) continue;
    ran = true;
    Rng rng(1491);
    std::size_t proved = 0, raised = 0, unproved = 0;
    for (int trial = 0; trial < 20000; ++trial) {
      double s[kLanes], e[kLanes], c[kLanes], r[kLanes], lo[kLanes], hi[kLanes];
      const std::size_t n = trial % 97 == 0 ? (std::size_t(1) << 26) + rng.below(3) : 1 + rng.below(5000);
      for (std::size_t q = 0; q < kLanes; ++q) {
        const double scale = std::pow(10.0, rng.uniform() * 40.0 - 20.0);
        c[q] = static_cast<double>(1 + rng.below(trial % 3 == 0 ? 30 : 3000));
        const double mean = scale * (1.0 + rng.uniform());
        s[q] = c[q] * mean;
        e[q] = s[q] * DBL_EPSILON * (rng.uniform() - 0.5) * static_cast<double>(rng.below(4));
        r[q] = s[q] * rng.uniform();
        const double tau = (s[q] - r[q]) / c[q];
        // A gap around tau that holds it, misses it by an ulp, or is wide.
        const int gap = static_cast<int>(rng.below(4));
        lo[q] = gap == 0 ? std::nextafter(tau, inf) : tau * (1.0 + rng.uniform() * (gap == 1 ? 1e-15 : 1e-3));
        hi[q] = gap == 3 ? std::nextafter(tau, inf) : tau * (1.0 - rng.uniform() * 1e-3);
        switch (rng.below(40)) {  // the edges, now and then
          case 0:
            c[q] = 67108864.0 + static_cast<double>(rng.below(2)) - 1.0;
            break;
          case 1:
            s[q] = r[q] = 1e-200 * c[q] * (1.0 + rng.uniform());
            break;
          case 2:
            s[q] = 1e200 * c[q] * (2.0 * rng.uniform());
            break;
          case 3:
            r[q] = 0.0;
            break;
          case 4:
            r[q] = s[q] * (1.0 + rng.uniform());
            break;
          case 5:
            s[q] = inf;
            break;
          case 6:
            e[q] = nan;
            break;
          case 7:
            lo[q] = inf;
            hi[q] = 0.0;
            break;
          case 8:
            c[q] = 0.0;
            break;
          case 9:
            e[q] = -0.0;
            s[q] = 0.0;
            break;
          default:
            break;
        }
      }
      double tv[kLanes], pv[kLanes], ts[kLanes], ps[kLanes];
      k->l1_lane_estimates(s, e, c, r, lo, hi, n, tv, pv);
      bp::lane_estimates_scalar(s, e, c, r, lo, hi, n, ts, ps);
      for (std::size_t q = 0; q < kLanes; ++q) {
        CHECK_MSG(std::memcmp(&tv[q], &ts[q], sizeof(double)) == 0 || (tv[q] != tv[q] && ts[q] != ts[q]),
                  k->name << " tau, lane " << q << ": " << tv[q] << " against " << ts[q]);
        CHECK_MSG(std::memcmp(&pv[q], &ps[q], sizeof(double)) == 0 || (pv[q] != pv[q] && ps[q] != ps[q]),
                  k->name << " proved, lane " << q << ": " << pv[q] << " against " << ps[q]);
        if (ps[q] != ps[q]) {
          ++unproved;
        } else {
          ++(ps[q] == ts[q] ? proved : raised);
        }
      }
    }
    // Every outcome came up: proved at the estimate, after the raise by the
    // bound, and not proved.
    CHECK_MSG(proved > 1000 && raised > 1000 && unproved > 1000,
              "proved " << proved << ", raised " << raised << ", not proved " << unproved);
  }
  if (!ran) std::printf("  (skipped here: no kernel table has %s)\n", "the vector lane loop (AVX-512F)");
}

// The branch forced on and off: the search with the vector lane loop and
// with the scalar one gives the same thresholds and the same trace (passes,
// proofs, raises by the bound, unstable lanes) on every column kind, both
// buffers, short and tall blocks.
TEST(group_l1_vector_lanes_on_and_off_give_the_same_thresholds) {
  Rng rng(1492);
  const std::size_t shapes[][2] = {{9, 17}, {100, 300}, {700, 40}, {3000, 20}};
  for (const auto& s : shapes) {
    const std::size_t n = s[0], m = s[1];
    for (int kind = 0; kind < 9; ++kind) {
      std::vector<double> y(n * m), radius(m);
      for (std::size_t j = 0; j < m; ++j) {
        const std::vector<double> v =
            column_of_kind(rng, n, kind == 8 ? static_cast<int>(rng.below(8)) : kind, &radius[j]);
        for (std::size_t i = 0; i < n; ++i) y[i * m + j] = v[i];
      }
      std::vector<float> yf(y.begin(), y.end());
      for (int typ = 0; typ < 2; ++typ) {
        std::vector<double> with, without;
        bp::group_l1_vector_lanes(true);
        typ == 0 ? thresholds_of(y, n, m, radius, with) : thresholds_of(yf, n, m, radius, with);
        const bp::GroupL1Trace a = bp::last_group_l1_trace();
        bp::group_l1_vector_lanes(false);
        typ == 0 ? thresholds_of(y, n, m, radius, without) : thresholds_of(yf, n, m, radius, without);
        const bp::GroupL1Trace b = bp::last_group_l1_trace();
        bp::group_l1_vector_lanes(true);
        CHECK_MSG(std::memcmp(with.data(), without.data(), m * sizeof(double)) == 0,
                  "vector lanes on and off, " << n << " x " << m << " kind " << kind << " type " << typ);
        CHECK(a.proved == b.proved && a.bound_raises == b.bound_raises && a.unstable == b.unstable &&
              a.kept_passes == b.kept_passes && a.compensated_passes == b.compensated_passes &&
              a.plain_passes == b.plain_passes && a.raise_passes == b.raise_passes);
      }
    }
  }
}
