// radius_for_keep against the kernels themselves: on random matrices with
// distinct group norms, each projection at the returned radius keeps exactly
// k groups, and a radius 1e-9 larger keeps more.
#include <cmath>
#include <limits>
#include <vector>

#include "bilevel_projection.hpp"
#include "harness.hpp"
#include "radius_for_keep.hpp"

using namespace bptest;

namespace {

template <class T>
std::size_t kept(const bp::MatrixRef<T>& y, bp::Groups g, bp::KeepProjection p, double eta) {
  std::vector<T> out(y.size());
  std::vector<double> radii(bp::group_count(y.rows, y.cols, g));
  bp::ProjectionResult res;
  switch (p) {
    case bp::KeepProjection::kBilevelL1Inf:
      bp::bilevel_l1inf(y, g, eta, out.data(), radii.data(), &res);
      break;
    case bp::KeepProjection::kBilevelL11:
      bp::bilevel_l11(y, g, eta, out.data(), radii.data(), &res);
      break;
    case bp::KeepProjection::kBilevelL12:
      bp::bilevel_l12(y, g, eta, out.data(), radii.data(), &res);
      break;
    case bp::KeepProjection::kExactL1Inf:
      bp::project_l1inf_exact(y, g, eta, bp::ExactMethod::kSort, out.data(), radii.data(), &res);
      break;
  }
  return radii.size() - res.zero_groups;
}

template <class T>
void check_all(std::uint64_t seed) {
  Rng rng(seed);
  const std::size_t rows = 3 + rng.below(20), cols = 3 + rng.below(20);
  std::vector<T> data(rows * cols);
  for (T& v : data) v = static_cast<T>(rng.normal());
  const bp::MatrixRef<T> y{data.data(), rows, cols};
  for (int g = 0; g < 2; ++g) {
    const auto groups = static_cast<bp::Groups>(g);
    const std::size_t ng = bp::group_count(rows, cols, groups);
    for (int p = 0; p < 4; ++p) {
      const auto proj = static_cast<bp::KeepProjection>(p);
      for (std::size_t k = 1; k < ng; ++k) {
        double eta = -1;
        CHECK(bp::radius_for_keep(y, groups, proj, k, &eta) == bp::Status::kOk);
        // The sort-based exact method is an independent check of the Newton
        // method the answer was confirmed with.
        CHECK_MSG(kept(y, groups, proj, eta) == k,
                  "projection " << p << " groups " << g << " k " << k << " eta " << eta);
        CHECK_MSG(kept(y, groups, proj, eta * (1 + 1e-9)) > k, "projection " << p << " groups " << g << " k " << k);
      }
    }
  }
}

}  // namespace

TEST(radius_for_keep_keeps_exactly_k_double) {
  for (std::uint64_t s = 1; s <= 20; ++s) check_all<double>(s);
}

TEST(radius_for_keep_keeps_exactly_k_float) {
  for (std::uint64_t s = 100; s <= 120; ++s) check_all<float>(s);
}

TEST(radius_for_keep_edges) {
  const double data[6] = {0, 1, 0, 0, 2, -3};  // column 0 is zero
  const bp::MatrixRef<double> y{data, 2, 3};
  double eta = -1;
  CHECK(bp::radius_for_keep(y, bp::Groups::kColumns, bp::KeepProjection::kBilevelL1Inf, 0, &eta) == bp::Status::kOk);
  CHECK(eta == 0.0);
  CHECK(bp::radius_for_keep(y, bp::Groups::kColumns, bp::KeepProjection::kBilevelL1Inf, 2, &eta) == bp::Status::kOk);
  CHECK(eta == 5.0);  // every non-zero column kept: the l1,inf norm
  CHECK(bp::radius_for_keep(y, bp::Groups::kColumns, bp::KeepProjection::kBilevelL11, 9, &eta) == bp::Status::kOk);
  CHECK(eta == 6.0);
  const double nan_data[2] = {1, std::nan("")};
  CHECK(bp::radius_for_keep(bp::MatrixRef<double>{nan_data, 1, 2}, bp::Groups::kColumns,
                            bp::KeepProjection::kBilevelL1Inf, 1, &eta) == bp::Status::kNonFinite);
}

// Found by hammering the public API (the README's
// promise: at most `keep` groups at the returned radius):
// - all-subnormal data: the step-down's relative step rounded to 0, so the
//   answer kept one group more (5 x 2, columns, keep 1: 2 kept);
// - entries near DBL_MAX: the breakpoint overflowed and the answer was NaN
//   (1 x 3 of about 1.3e308, keep 2);
// - all-subnormal tied data (0-3 units): the exact answer, confirmed by
//   stream and Newton only, kept one group more by sort (7 of 60000 calls).
TEST(radius_for_keep_at_the_ends_of_the_doubles) {
  const double u = std::numeric_limits<double>::denorm_min();
  const std::vector<double> tiny = {3 * u, 1 * u, 3 * u, 2 * u, 1 * u, 0, 2 * u, 0, 2 * u, 2 * u};
  const std::vector<double> huge = {1.3436684939078986e308, -1.491974036442116e308, -3.748048944398761e307};
  std::vector<bp::MatrixRef<double>> cases = {{tiny.data(), 5, 2}, {tiny.data(), 2, 5}, {huge.data(), 1, 3}};
  Rng rng(287);
  std::vector<std::vector<double>> tied(1500);
  for (auto& d : tied) {
    const std::size_t rows = 1 + rng.below(6), cols = 1 + rng.below(6);
    d.resize(rows * cols);
    for (double& v : d) v = static_cast<double>(rng.below(4)) * u;
    cases.push_back({d.data(), rows, cols});
  }
  for (const auto& y : cases)
    for (int g = 0; g < 2; ++g) {
      const auto groups = static_cast<bp::Groups>(g);
      const std::size_t ng = bp::group_count(y.rows, y.cols, groups);
      for (int p = 0; p < 4; ++p) {
        const auto proj = static_cast<bp::KeepProjection>(p);
        // k up to ng + 1: keep >= the non-zero groups returns the mixed norm,
        // past the largest double on the huge case (it returned Infinity,
        // which every projection refuses as a radius).
        for (std::size_t k = 1; k <= ng + 1; ++k) {
          double eta = -1;
          CHECK(bp::radius_for_keep(y, groups, proj, k, &eta) == bp::Status::kOk);
          CHECK_MSG(std::isfinite(eta) && eta >= 0.0, y.rows << " x " << y.cols << " projection " << p << " groups "
                                                             << g << " k " << k << " eta " << eta);
          if (std::isfinite(eta))
            CHECK_MSG(kept(y, groups, proj, eta) <= k, y.rows << " x " << y.cols << " projection " << p << " groups "
                                                              << g << " k " << k << " eta " << eta << " keeps "
                                                              << kept(y, groups, proj, eta));
        }
      }
    }
}
