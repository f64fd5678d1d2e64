#include <limits>
#include <vector>

#include "brute.hpp"
#include "harness.hpp"
#include "run.hpp"

using namespace bptest;

namespace {

// The paper's Algorithms 1-3 written out naively.
std::vector<double> brute_bilevel(Method method, const std::vector<double>& y, std::size_t n, std::size_t m, bool rows,
                                  double eta, std::vector<double>* radii) {
  std::size_t ng = rows ? n : m, len = rows ? m : n;
  std::vector<double> gn(ng);
  for (std::size_t g = 0; g < ng; ++g) {
    std::vector<double> v = group_of(y, n, m, rows, g);
    double mx = 0, s = 0, q = 0;
    for (double x : v) {
      mx = std::max(mx, std::fabs(x));
      s += std::fabs(x);
      q += x * x;
    }
    gn[g] = method == Method::kBilevelL1Inf ? mx : method == Method::kBilevelL11 ? s : std::sqrt(q);
  }
  double total = 0;
  for (double v : gn) total += v;
  std::vector<double> x = y;
  radii->assign(ng, 0);
  if (eta >= total) {
    *radii = gn;
    return x;
  }
  double tau = brute_threshold(gn, eta);
  for (std::size_t g = 0; g < ng; ++g) {
    double u = std::max(gn[g] - tau, 0.0);
    (*radii)[g] = u;
    std::vector<double> v = group_of(y, n, m, rows, g);
    double lam = method == Method::kBilevelL11 ? (u > 0 ? brute_threshold(v, u) : 1e300) : 0;
    for (std::size_t k = 0; k < len; ++k) {
      double a = v[k], r;
      if (method == Method::kBilevelL1Inf)
        r = std::min(std::max(a, -u), u);
      else if (method == Method::kBilevelL11)
        r = a > lam ? a - lam : (a < -lam ? a + lam : 0.0);
      else
        r = gn[g] > 0 ? a * (u / gn[g]) : 0.0;
      at(x, m, rows, g, k) = r;
    }
  }
  return x;
}

const Method kBilevel[] = {Method::kBilevelL1Inf, Method::kBilevelL11, Method::kBilevelL12};

bp::NormKind own_norm(Method m) {
  return m == Method::kBilevelL1Inf ? bp::NormKind::kL1Inf
         : m == Method::kBilevelL11 ? bp::NormKind::kL11
                                    : bp::NormKind::kL12;
}

}  // namespace

TEST(bilevel_matches_naive_algorithms) {
  Rng rng(11);
  for (int trial = 0; trial < 300; ++trial) {
    std::size_t n = 1 + rng.below(40), m = 1 + rng.below(40);
    bool rows = trial % 3 == 0;
    std::vector<double> y = random_matrix(rng, n, m, trial % 5);
    for (Method method : kBilevel) {
      double nrm = norm_of(y, n, m, rows, own_norm(method));
      double eta = nrm * rng.uniform() * 1.1;
      std::vector<double> want_r;
      std::vector<double> want = brute_bilevel(method, y, n, m, rows, eta, &want_r);
      Result<double> got = run(method, y, n, m, rows, eta);
      CHECK(got.status == bp::Status::kOk);
      double scale = 0;
      for (double v : y) scale = std::max(scale, std::fabs(v));
      for (std::size_t k = 0; k < y.size(); ++k) CHECK_NEAR(got.out[k], want[k], 1e-12 * scale);
      for (std::size_t g = 0; g < want_r.size(); ++g) CHECK_NEAR(got.radii[g], want_r[g], 1e-12 * std::max(scale, nrm));
      // zeroGroups counts the groups of the output that are entirely zero.
      std::size_t zero = 0;
      for (std::size_t g = 0; g < want_r.size(); ++g) {
        bool all = true;
        for (double v : group_of(got.out, n, m, rows, g)) all = all && v == 0;
        zero += all;
      }
      CHECK(got.zero_groups == zero);
    }
  }
}

TEST(bilevel_properties) {
  Rng rng(12);
  for (int trial = 0; trial < 200; ++trial) {
    std::size_t n = 1 + rng.below(60), m = 1 + rng.below(60);
    bool rows = trial % 2 == 0;
    std::vector<double> y = random_matrix(rng, n, m, trial % 5);
    for (Method method : kBilevel) {
      bp::NormKind kind = own_norm(method);
      double nrm = norm_of(y, n, m, rows, kind);
      double eta = nrm * rng.uniform();
      Result<double> p = run(method, y, n, m, rows, eta);
      CHECK(p.status == bp::Status::kOk);
      // Feasible.
      CHECK(norm_of(p.out, n, m, rows, kind) <= eta * (1 + 1e-12) + 1e-300);
      // Sign kept, magnitude never grows.
      for (std::size_t k = 0; k < y.size(); ++k) {
        CHECK(std::fabs(p.out[k]) <= std::fabs(y[k]));
        CHECK(p.out[k] == 0 || (p.out[k] > 0) == (y[k] > 0));
      }
      // The paper's identities (18), (24), (27): ||Y - P|| + ||P|| = ||Y||.
      std::vector<double> res(y.size());
      for (std::size_t k = 0; k < y.size(); ++k) res[k] = y[k] - p.out[k];
      double lhs = norm_of(res, n, m, rows, kind) + norm_of(p.out, n, m, rows, kind);
      CHECK_NEAR(lhs, nrm, 1e-12 * nrm);
      // Idempotent.
      Result<double> q = run(method, p.out, n, m, rows, eta);
      double scale = 0;
      for (double v : y) scale = std::max(scale, std::fabs(v));
      for (std::size_t k = 0; k < y.size(); ++k) CHECK_NEAR(q.out[k], p.out[k], 1e-12 * scale);
      // Groups as rows of y are groups as columns of y transposed.
      std::vector<double> yt(y.size());
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < m; ++j) yt[j * n + i] = y[i * m + j];
      Result<double> t = run(method, yt, m, n, !rows, eta);
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < m; ++j) CHECK_NEAR(t.out[j * n + i], p.out[i * m + j], 1e-12 * scale);
      // In place.
      std::vector<double> w = y;
      bp::ProjectionResult pr;
      bp::MatrixRef<double> wr{w.data(), n, m};
      bp::Groups g = rows ? bp::Groups::kRows : bp::Groups::kColumns;
      std::vector<double> rad(rows ? n : m);
      if (method == Method::kBilevelL1Inf) bp::bilevel_l1inf(wr, g, eta, w.data(), rad.data(), &pr);
      if (method == Method::kBilevelL11) bp::bilevel_l11(wr, g, eta, w.data(), rad.data(), &pr);
      if (method == Method::kBilevelL12) bp::bilevel_l12(wr, g, eta, w.data(), rad.data(), &pr);
      CHECK(w == p.out);
    }
  }
}

TEST(bilevel_trivial_radii) {
  Rng rng(13);
  std::vector<double> y = random_matrix(rng, 7, 9, 1);
  for (Method method : kBilevel) {
    Result<double> z = run(method, y, 7, 9, false, 0.0);
    CHECK(z.status == bp::Status::kOk);
    CHECK(z.zero_groups == 9);
    for (double v : z.out) CHECK(v == 0);
    for (double v : z.radii) CHECK(v == 0);
    double nrm = norm_of(y, 7, 9, false, own_norm(method));
    Result<double> id = run(method, y, 7, 9, false, nrm * 1.5);
    CHECK(id.out == y);
    CHECK(id.zero_groups == 0);
    // Empty matrices: nothing to do, every (empty) group is zero.
    std::vector<double> e;
    Result<double> em = run(method, e, 0, 4, false, 1.0);
    CHECK(em.status == bp::Status::kOk);
    CHECK(em.radii.size() == 4 && em.zero_groups == 4);
    Result<double> em2 = run(method, e, 3, 0, false, 1.0);
    CHECK(em2.status == bp::Status::kOk && em2.radii.empty() && em2.zero_groups == 0);
  }
}

TEST(bilevel_refuses_non_finite_without_writing) {
  for (Method method : kBilevel) {
    for (double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
      for (bool rows : {false, true}) {
        std::vector<double> y = {1, 2, 3, 4, 5, bad};
        Result<double> r = run(method, y, 2, 3, rows, 1.0);
        CHECK(r.status == bp::Status::kNonFinite);
        for (double v : r.out) CHECK(v == -12345);
      }
    }
  }
}

TEST(bilevel_extreme_magnitudes) {
  // Entries near the largest double and subnormal entries: outputs finite,
  // feasible, and the l2 norms exact.
  std::vector<double> y = {1.7e308, -1.2e308, 1e308, 3e-320, -1e-321, 2e-310, 1.5e308, 1e308, 0.5};
  for (Method method : kBilevel) {
    for (bool rows : {false, true}) {
      double nrm = norm_of(y, 3, 3, rows, own_norm(method));
      double eta = 1e308;
      Result<double> r = run(method, y, 3, 3, rows, eta);
      CHECK(r.status == bp::Status::kOk);
      for (double v : r.out) CHECK(std::isfinite(v));
      for (double v : r.radii) CHECK(std::isfinite(v));
      double after = norm_of(r.out, 3, 3, rows, own_norm(method));
      CHECK_MSG(after <= eta * (1 + 1e-12), after << " norm before " << nrm);
    }
  }
  // A column of subnormals alone.
  std::vector<double> t = {3e-320, 4e-320};
  Result<double> r = run(Method::kBilevelL12, t, 2, 1, false, 1e-320);
  CHECK(r.status == bp::Status::kOk);
  CHECK_NEAR(r.radii[0], 1e-320, 1e-323);
  CHECK_NEAR(r.out[0], 0.6e-320, 2e-323);
  CHECK_NEAR(r.out[1], 0.8e-320, 2e-323);
}

TEST(bilevel_float_matches_double) {
  Rng rng(14);
  for (int trial = 0; trial < 60; ++trial) {
    std::size_t n = 1 + rng.below(50), m = 1 + rng.below(50);
    std::vector<double> y = random_matrix(rng, n, m, trial % 5);
    std::vector<float> f(y.size());
    for (std::size_t k = 0; k < y.size(); ++k) {
      f[k] = static_cast<float>(y[k]);
      y[k] = f[k];
    }
    for (Method method : kBilevel) {
      double eta = norm_of(y, n, m, false, own_norm(method)) * 0.4;
      Result<double> d = run(method, y, n, m, false, eta);
      Result<float> s = run(method, f, n, m, false, eta);
      double scale = 0;
      for (double v : y) scale = std::max(scale, std::fabs(v));
      for (std::size_t k = 0; k < y.size(); ++k) CHECK_NEAR(static_cast<double>(s.out[k]), d.out[k], 1e-6 * scale);
      for (std::size_t g = 0; g < m; ++g) CHECK(s.radii[g] == d.radii[g]);
    }
  }
}

TEST(bilevel_l11_subnormal_column_with_the_smallest_radius) {
  // Found by fuzz_bilevel: the inner lower bound tau / len rounded up to the
  // entries themselves, every entry was filtered out, and the projection
  // returned y. The result must be inside the ball of radius 5e-324.
  const double a = 0x0.3070707000104p-1022;
  std::vector<double> y = {a, a};
  Result<double> r = run(Method::kBilevelL11, y, 2, 1, false, 0x0.0000000000001p-1022);
  CHECK(r.status == bp::Status::kOk);
  CHECK(std::fabs(r.out[0]) + std::fabs(r.out[1]) <= 0x0.0000000000001p-1022);
  for (Method m : {Method::kBilevelL1Inf, Method::kBilevelL12, Method::kNewton, Method::kSort}) {
    Result<double> q = run(m, y, 2, 1, false, 0x0.0000000000001p-1022);
    CHECK(q.status == bp::Status::kOk);
    CHECK(std::max(std::fabs(q.out[0]), std::fabs(q.out[1])) <= 0x0.0000000000001p-1022);
  }
}
