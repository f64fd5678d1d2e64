// radius_for_keep against the kernels themselves: on random matrices with
// distinct group norms, each projection at the returned radius keeps exactly
// k groups, and a radius 1e-9 larger keeps more.
#include <cmath>
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
