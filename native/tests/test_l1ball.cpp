#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "bilevel_projection.hpp"
#include "brute.hpp"
#include "harness.hpp"
#include "run.hpp"
#include "simd/lanes_scalar.hpp"
#include "simd/lanes_sse2.hpp"

using namespace bptest;

TEST(l1_threshold_matches_sorting) {
  Rng rng(1);
  for (int trial = 0; trial < 400; ++trial) {
    std::size_t n = 1 + rng.below(trial < 200 ? 50 : 3000);
    std::vector<double> v = random_matrix(rng, n, 1, trial % 4);
    double total = 0, mx = 0;
    for (double x : v) {
      total += std::fabs(x);
      mx = std::max(mx, std::fabs(x));
    }
    if (total == 0) continue;
    double r = total * (0.001 + 0.998 * rng.uniform());
    std::vector<double> a(n);
    for (std::size_t i = 0; i < n; ++i) a[i] = std::fabs(v[i]);
    double got = bp::l1_threshold_inplace(a.data(), n, r);
    double want = brute_threshold(v, r);
    CHECK_NEAR(got, want, 1e-12 * mx);
  }
}

TEST(project_l1_ball_properties) {
  Rng rng(2);
  for (int trial = 0; trial < 300; ++trial) {
    std::size_t n = 1 + rng.below(500);
    std::vector<double> v = random_matrix(rng, n, 1, trial % 4);
    double total = 0;
    for (double x : v) total += std::fabs(x);
    double eta = total * rng.uniform() * 1.2;
    std::vector<double> x(n);
    CHECK(bp::project_l1_ball(v.data(), n, eta, x.data()) == bp::Status::kOk);
    double l1 = 0;
    for (std::size_t i = 0; i < n; ++i) {
      l1 += std::fabs(x[i]);
      CHECK(std::fabs(x[i]) <= std::fabs(v[i]));
      CHECK(x[i] == 0 || (x[i] > 0) == (v[i] > 0));
    }
    CHECK(l1 <= eta * (1 + 1e-12) + 1e-300);
    if (eta >= total) CHECK(x == v);
    // Idempotent.
    std::vector<double> x2(n);
    bp::project_l1_ball(x.data(), n, eta, x2.data());
    for (std::size_t i = 0; i < n; ++i) CHECK_NEAR(x2[i], x[i], 1e-12 * (1 + std::fabs(x[i])));
    // In place gives the same bits.
    std::vector<double> w = v;
    bp::project_l1_ball(w.data(), n, eta, w.data());
    CHECK(w == x);
  }
}

TEST(project_l1_ball_edges) {
  std::vector<double> v = {3, -1, 2};
  std::vector<double> x(3, 7.0);
  CHECK(bp::project_l1_ball(v.data(), 3, 0.0, x.data()) == bp::Status::kOk);
  CHECK(x[0] == 0 && x[1] == 0 && x[2] == 0);
  CHECK(bp::project_l1_ball(v.data(), 0, 1.0, x.data()) == bp::Status::kOk);
  // A NaN or an infinity anywhere: refused, nothing written.
  for (double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                     -std::numeric_limits<double>::infinity()}) {
    std::vector<double> w = {1, 2, bad, 4};
    std::vector<double> o(4, 9.0);
    CHECK(bp::project_l1_ball(w.data(), 4, 1.0, o.data()) == bp::Status::kNonFinite);
    CHECK(o == std::vector<double>(4, 9.0));
  }
  // Entries near the largest double: the sum overflows, the projection must not.
  std::vector<double> big = {1e308, -1.5e308, 1.7e308, 1e300};
  std::vector<double> o(4);
  CHECK(bp::project_l1_ball(big.data(), 4, 1e308, o.data()) == bp::Status::kOk);
  double l1 = 0;
  for (double q : o) {
    CHECK(std::isfinite(q));
    l1 += std::fabs(q) * 0.5;
  }
  CHECK(l1 * 2 <= 1e308 * (1 + 1e-12));
  // Subnormal entries keep their exact answer.
  std::vector<double> tiny = {4e-320, -2e-320, 1e-320};
  CHECK(bp::project_l1_ball(tiny.data(), 3, 3e-320, o.data()) == bp::Status::kOk);
  // tau = (4 + 2 - 3) / 2 = 1.5 (units of 1e-320): x = (2.5, -0.5, 0).
  CHECK_NEAR(o[0], 2.5e-320, 2e-323);
  CHECK_NEAR(o[1], -0.5e-320, 2e-323);
  CHECK(o[2] == 0.0);
}

TEST(project_l1_ball_float) {
  Rng rng(3);
  for (int trial = 0; trial < 100; ++trial) {
    std::size_t n = 1 + rng.below(400);
    std::vector<double> v = random_matrix(rng, n, 1, trial % 4);
    std::vector<float> f(n), x(n);
    std::vector<double> vd(n);
    for (std::size_t i = 0; i < n; ++i) {
      f[i] = static_cast<float>(v[i]);
      vd[i] = f[i];
    }
    double total = 0;
    for (double q : vd) total += std::fabs(q);
    double eta = total * 0.3;
    CHECK(bp::project_l1_ball(f.data(), n, eta, x.data()) == bp::Status::kOk);
    double tau = brute_threshold(vd, eta);
    for (std::size_t i = 0; i < n; ++i) {
      double want = vd[i] > tau ? vd[i] - tau : (vd[i] < -tau ? vd[i] + tau : 0.0);
      CHECK_NEAR(static_cast<double>(x[i]), want, 1e-6 * (1 + std::fabs(want)));
    }
  }
}

TEST(project_l1_ball_radius_below_resolution) {
  // eta is far below the entry's ulp: a - eta rounds back to a. The result
  // must still be inside the ball (here: 0), not the input.
  std::vector<double> v = {2.8374237576570533e-180};
  std::vector<double> x(1, 7.0);
  CHECK(bp::project_l1_ball(v.data(), 1, 5e-324, x.data()) == bp::Status::kOk);
  CHECK(std::fabs(x[0]) <= 5e-324);
  // Same through the sampled scan of a long vector.
  std::vector<double> w(100000, 1.0), y(100000);
  w[500] = 3.0;
  CHECK(bp::project_l1_ball(w.data(), w.size(), 1e-300, y.data()) == bp::Status::kOk);
  double l1 = 0;
  for (double q : y) l1 += std::fabs(q);
  CHECK(l1 <= 1e-300);
}

TEST(project_l1_ball_radius_of_two_ulps_with_near_ties) {
  // Four entries within three ulps of 10 and a radius of two ulps: the
  // threshold's re-check once dropped the two middle entries while tau was a
  // hair too high, then let tau fall back and checked feasibility on the
  // shortened list only, keeping four ulps of mass (found by the property
  // tests: bilevel l1,inf of a matrix whose group maxima were these).
  const double c = 9.99999999999999, u = std::nextafter(c, 20.0) - c;
  std::vector<double> v = {c + u, c + 2 * u, c + u, c};
  std::vector<double> x(v.size());
  CHECK(bp::project_l1_ball(v.data(), v.size(), 2 * u, x.data()) == bp::Status::kOk);
  double l1 = 0;
  for (double q : x) l1 += std::fabs(q);
  CHECK_MSG(l1 <= 2 * u, l1);
  CHECK(x[1] > 0.0);  // the largest entry stays
}

TEST(project_l1_ball_long_vectors_match_sorting) {
  // Long enough to exercise the sampled lower bound, block skipping and the
  // periodic re-tightening of the scan.
  Rng rng(4);
  for (int trial = 0; trial < 12; ++trial) {
    std::size_t n = 5000 + rng.below(200000);
    std::vector<double> v(n);
    for (double& x : v)
      x = trial % 3 == 0 ? rng.uniform() : trial % 3 == 1 ? rng.normal() : std::tan(3.0 * (rng.uniform() - 0.5));
    double total = 0, mx = 0;
    for (double x : v) {
      total += std::fabs(x);
      mx = std::max(mx, std::fabs(x));
    }
    double eta = trial % 2 ? 1.0 : total * 0.3;
    std::vector<double> x(n);
    CHECK(bp::project_l1_ball(v.data(), n, eta, x.data()) == bp::Status::kOk);
    double tau = brute_threshold(v, eta);
    for (std::size_t i = 0; i < n; i += 37) {
      double want = v[i] > tau ? v[i] - tau : (v[i] < -tau ? v[i] + tau : 0.0);
      CHECK_NEAR(x[i], want, 1e-12 * mx);
    }
    std::vector<float> f(n), xf(n);
    for (std::size_t i = 0; i < n; ++i) f[i] = static_cast<float>(v[i]);
    CHECK(bp::project_l1_ball(f.data(), n, eta, xf.data()) == bp::Status::kOk);
    double l1 = 0;
    for (float q : xf) l1 += std::fabs(static_cast<double>(q));
    CHECK(l1 <= eta * (1 + 1e-12));
  }
}

// The write pass skips the blocks the scan found at or below tau: every byte
// must still be sign(v) * max(|v| - tau, 0), for sparse and dense results,
// lengths on and off the block size, below and above the sample, in place,
// and large enough for streaming stores (16 MB).
template <class T>
void check_sparse_write(std::size_t n, double eta_fraction, int kind, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<T> v(n);
  double total = 0;
  for (T& x : v) {
    const double u = kind == 0 ? rng.uniform() : (kind == 1 ? rng.normal() : std::tan(3.0 * (rng.uniform() - 0.5)));
    x = static_cast<T>(u);
    total += std::fabs(static_cast<double>(x));
  }
  const double eta = total * eta_fraction;
  std::vector<T> out(n, T(-7)), inplace = v;
  CHECK(bp::project_l1_ball(v.data(), n, eta, out.data()) == bp::Status::kOk);
  CHECK(bp::project_l1_ball(inplace.data(), n, eta, inplace.data()) == bp::Status::kOk);
  CHECK(std::memcmp(out.data(), inplace.data(), n * sizeof(T)) == 0);
  // Recover tau from any nonzero output (|x| = |v| - tau), then check every entry.
  double tau = -1;
  std::size_t nonzero = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (out[i] != T(0)) {
      ++nonzero;
      if (tau < 0) tau = std::fabs(static_cast<double>(v[i])) - std::fabs(static_cast<double>(out[i]));
    }
  }
  CHECK(nonzero > 0);
  std::size_t bad = 0;
  double l1 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double a = static_cast<double>(v[i]);
    const double want = a > tau ? a - tau : (a < -tau ? a + tau : 0.0);
    const double got = static_cast<double>(out[i]);
    l1 += std::fabs(got);
    // float results are the double value rounded toward zero: one ulp of slack.
    const double tol = (sizeof(T) == 4 ? 1.2e-7 : 1e-15) * std::max(1.0, std::fabs(a)) + 1e-12 * std::fabs(tau);
    if (!(std::fabs(got - want) <= tol) || std::signbit(got) != (got != 0 && a < 0)) ++bad;
  }
  CHECK_MSG(bad == 0, "entries off the soft threshold: " + std::to_string(bad) + " of " + std::to_string(n));
  CHECK(l1 <= eta * (1 + 1e-12));
}

TEST(project_l1_ball_sparse_write_pass) {
  for (std::size_t n : {std::size_t(100), std::size_t(4095), std::size_t(4097), std::size_t(64 * 1000 + 17)}) {
    for (int kind = 0; kind < 3; ++kind) {
      check_sparse_write<double>(n, 1e-4, kind, 10 + n + kind);  // a few survivors: most blocks skipped
      check_sparse_write<double>(n, 0.5, kind, 20 + n + kind);   // dense: most blocks live
      check_sparse_write<float>(n, 1e-4, kind, 30 + n + kind);
    }
  }
  // Streaming stores (>= 16 MB of output), sparse and dense.
  check_sparse_write<double>((std::size_t(1) << 21) + 5, 1e-6, 0, 41);
  check_sparse_write<double>((std::size_t(1) << 21) + 5, 0.3, 1, 42);
  check_sparse_write<float>((std::size_t(1) << 22) + 3, 1e-6, 0, 43);
}

namespace {

// A sum kept as an unevaluated pair hi + lo (an error-free two-sum at each
// add): about 106 bits on every platform, and under valgrind too, which runs
// long double arithmetic in 64 bits.
struct TwoDouble {
  double hi = 0, lo = 0;
  void add(double x) {
    const double s = hi + x, z = s - hi;
    lo += (hi - (s - z)) + (x - z);
    hi = s;
  }
  double value() const { return hi + lo; }
};

// The mass above tau minus the radius, each term x - tau added as x and -tau:
// what the threshold promises to keep at or below 0.
double excess_mass(const std::vector<double>& a, double tau, double r) {
  TwoDouble m;
  for (double x : a) {
    if (x > tau) {
      m.add(x);
      m.add(-tau);
    }
  }
  m.add(-r);
  return m.value();
}

double total_of(const std::vector<double>& a) {
  TwoDouble t;
  for (double x : a) t.add(x);
  return t.value();
}

// The threshold by sorting, with its prefix sums and their difference from
// the radius kept in two doubles (brute.hpp's reference uses long double,
// which is not wider than double everywhere).
double sorted_threshold(std::vector<double> a, double r) {
  std::sort(a.begin(), a.end(), std::greater<double>());
  TwoDouble prefix;
  for (std::size_t k = 0; k < a.size(); ++k) {
    prefix.add(a[k]);
    TwoDouble d = prefix;
    d.add(-r);
    const double t = d.value() / static_cast<double>(k + 1);
    if (k + 1 == a.size() || t >= a[k + 1]) return std::max(t, 0.0);
  }
  return 0.0;
}

double threshold_of(std::vector<double> a, double r) {
  return bp::l1_threshold_inplace(a.data(), a.size(), r);
}

}  // namespace

TEST(l1_threshold_pivot_edges) {
  // One value: tau = a - r.
  CHECK(threshold_of({5.0}, 2.0) == 3.0);
  // All equal: every entry stays active, tau = a - r / n.
  std::vector<double> eq(1000, 0.75);
  CHECK_NEAR(threshold_of(eq, 10.0), 0.75 - 0.01, 1e-15);
  // Ties at the threshold: {3, 3, 1, 1} with r = 2: tau = 2, the ones are out.
  CHECK(threshold_of({1.0, 3.0, 1.0, 3.0}, 2.0) == 2.0);
  // Inside the ball and exactly on its boundary: 0.
  CHECK(threshold_of({0.25, 0.5, 0.25}, 1.0) == 0.0);
  CHECK(threshold_of({0.25, 0.5, 0.25}, 2.0) == 0.0);
  // Radius just below the sum: a tiny positive tau.
  std::vector<double> u(4096);
  for (std::size_t i = 0; i < u.size(); ++i) u[i] = 1.0 + static_cast<double>(i % 17) / 16.0;
  TwoDouble total;
  for (double x : u) total.add(x);
  const double r = std::nextafter(total.value(), 0.0);
  const double tau = threshold_of(u, r);
  // Every entry is active: tau = (total - r) / n, one ulp of the sum spread
  // over the entries (a sum in plain double would round these ulps away).
  total.add(-r);
  CHECK_NEAR(tau, total.value() / static_cast<double>(u.size()), 1e-20);
}

TEST(l1_threshold_pivot_extreme_scales) {
  Rng rng(21);
  for (int e : {-1070, -1040, -600, 0, 600, 1000}) {
    for (int trial = 0; trial < 20; ++trial) {
      std::size_t n = 1 + rng.below(2000);
      std::vector<double> a(n);
      for (double& x : a) x = std::ldexp(rng.uniform(), e);
      double mx = 0;
      for (double x : a) mx = std::max(mx, x);
      const double total = total_of(a);
      if (total == 0) continue;
      const double r = total * (trial % 2 == 0 ? 1e-3 : 0.5);
      if (!(r > 0)) continue;
      const double got = threshold_of(a, r), want = sorted_threshold(a, r);
      CHECK_NEAR(got, want, 1e-12 * mx + 4 * DBL_TRUE_MIN);
      CHECK_MSG(excess_mass(a, got, r) <= r * 1e-15, e << " " << n);
    }
  }
}

TEST(l1_threshold_radius_of_ulps_is_feasible) {
  // A radius of a couple of ulps of the entries, over many near-equal
  // entries: tau's rounding exceeds the radius, the guard must hold.
  Rng rng(22);
  for (int trial = 0; trial < 50; ++trial) {
    std::size_t n = 1 + rng.below(5000);
    const double c = 1.0 + rng.uniform(), u = std::nextafter(c, 4.0) - c;
    std::vector<double> a(n);
    for (double& x : a) x = c + u * static_cast<double>(rng.below(4));
    const double r = u * static_cast<double>(1 + rng.below(3));
    const double tau = threshold_of(a, r);
    CHECK_MSG(excess_mass(a, tau, r) <= 0.0, trial);
    CHECK(tau <= c + 4 * u);  // the guard may step past the largest entry: all zero
  }
}

TEST(l1_threshold_long_uniform_maxima_match_sorting) {
  // The outer step of bilevel l1,inf on a wide matrix: 1e5 column maxima of
  // uniform entries, all close to 1 (almost every one passes a filter), at
  // radii from almost nothing to almost the whole sum.
  Rng rng(23);
  const std::size_t m = 100000;
  std::vector<double> a(m);
  for (double& x : a) {
    double mx = 0;
    for (int r = 0; r < 50; ++r) mx = std::max(mx, rng.uniform());
    x = mx;
  }
  const double total = total_of(a);
  for (double f : {1e-9, 1e-3, 0.1, 0.5, 0.9, 0.999999}) {
    const double r = total * f;
    const double got = threshold_of(a, r), want = sorted_threshold(a, r);
    CHECK_NEAR(got, want, 4e-15);
    CHECK(excess_mass(a, got, r) <= r * 1e-15);
  }
  // Entries spread so that a pivot pass drops few: the hand-over to the
  // online filter.
  std::vector<double> g(m);
  for (std::size_t i = 0; i < m; ++i) g[i] = std::ldexp(1.0, -static_cast<int>(i % 60));
  const double gt = total_of(g);
  for (double f : {1e-6, 0.01, 0.5}) {
    const double r = gt * f;
    CHECK_NEAR(threshold_of(g, r), sorted_threshold(g, r), 1e-15);
  }
}

// Norms as the bilevel projections hand them to bilevel_radii: many equal or
// near-equal values, spread ones, zeros, and some huge ones.
static std::vector<double> norm_like(Rng& rng, std::size_t n, int kind) {
  std::vector<double> a(n);
  for (auto& x : a) {
    switch (kind) {
      case 0:
        x = 0.95 + 0.05 * rng.uniform();
        break;
      case 1:
        x = std::fabs(rng.normal()) * std::pow(10.0, rng.uniform() * 6 - 3);
        break;
      case 2:
        x = rng.below(4) == 0 ? 0.0 : static_cast<double>(rng.below(5));
        break;
      default:
        x = rng.uniform() * 1e300;
        break;
    }
  }
  return a;
}

// l1_copy_sum is the first pass of l1_threshold_inplace fused with a copy:
// the copy exact, the largest entry, the finiteness of every entry, and the
// threshold started from its sum the same bits as the threshold's own, at
// every length (the lanes' tail included) and radius; with no destination,
// the same figures without the copy.
TEST(l1_copy_sum_gives_the_threshold_its_own_first_sum) {
  Rng rng(77);
  for (int trial = 0; trial < 1200; ++trial) {
    const std::size_t n = trial < 600 ? static_cast<std::size_t>(trial % 40) : 1 + rng.below(5000);
    std::vector<double> a = norm_like(rng, n, trial % 4), copy(n + 1, -1.0);
    const bp::L1CopySum s = bp::l1_copy_sum(a.data(), n, copy.data());
    CHECK(std::equal(a.begin(), a.end(), copy.begin()));  // memcmp on an empty a.data() (null) would be UB
    CHECK(copy[n] == -1.0);
    double big = 0.0, total = 0.0;
    for (double x : a) {
      big = std::max(big, x);
      total += x;
    }
    CHECK(s.finite);
    CHECK(s.largest == big);
    // Without a copy (dst null): the same largest, finiteness and sum.
    const bp::L1CopySum bare = bp::l1_copy_sum(a.data(), n, nullptr);
    CHECK(bare.finite && bare.largest == s.largest);
    CHECK_MSG(std::memcmp(&bare.sum, &s.sum, sizeof s.sum) == 0, "copy-less sum, n=" << n);
    // The sum in the threshold's own order: four chains of the baseline
    // vector's W lanes (entry i of the vector part into chain (i / W) % 4,
    // lane i % W), the chains added pairwise per lane, the lanes in turn,
    // then the tail one by one.
    {
      constexpr std::size_t W = bp::simd::Lanes<double, bp::simd::Baseline>::kWidth;
      std::vector<double> acc(4 * W, 0.0);
      std::size_t i = 0;
      for (; i + 4 * W <= n; i += 4 * W)
        for (std::size_t q = 0; q < 4 * W; ++q) acc[q] += a[i + q];
      double want = 0.0;
      for (std::size_t l = 0; l < W; ++l) want += (acc[l] + acc[W + l]) + (acc[2 * W + l] + acc[3 * W + l]);
      for (; i < n; ++i) want += a[i];
      CHECK_MSG(std::memcmp(&want, &s.sum, sizeof want) == 0, "sum, n=" << n);
    }
    if (n == 0 || !std::isfinite(total)) continue;
    for (double share : {1e-9, 0.01, 0.3, 0.9, 0.999999, 1.5}) {
      const double r = share * total;
      if (!(r > 0.0)) continue;
      std::vector<double> x1 = a, x2 = a;
      const double want = bp::l1_threshold_inplace(x1.data(), n, r);
      const double got = bp::l1_threshold_inplace_summed(x2.data(), n, r, s.sum);
      CHECK_MSG(std::memcmp(&got, &want, sizeof got) == 0, "n=" << n << " kind " << trial % 4 << " share " << share);
    }
  }
  // A NaN or an infinity anywhere (vector part or tail) is reported.
  for (std::size_t n : {1, 7, 8, 9, 64, 67}) {
    for (std::size_t at = 0; at < n; at += 3) {
      for (double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
        std::vector<double> a = norm_like(rng, n, 1), copy(n);
        a[at] = bad;
        CHECK(!bp::l1_copy_sum(a.data(), n, copy.data()).finite);
        CHECK(!bp::l1_copy_sum(a.data(), n, nullptr).finite);
      }
    }
  }
}
