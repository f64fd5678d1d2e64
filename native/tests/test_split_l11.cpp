// The split step of the bilevel l1,1 projection, apply_radii(kShrink), on
// its own (until now it was exercised from TypeScript only): blocks of whole
// groups must give the one-shot bytes of bilevel_l11, each group must be the
// l1-ball projection of that group (against the sort-based threshold of
// brute.hpp), in place and into a separate out alike, and bad input must be
// refused with nothing written.
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "bilevel_projection.hpp"
#include "brute.hpp"
#include "harness.hpp"

using namespace bptest;

namespace {

template <class T>
std::vector<T> random_matrix(Rng& rng, std::size_t n) {
  std::vector<T> y(n);
  const int kind = static_cast<int>(rng.below(3));
  for (auto& v : y) {
    if (kind == 0)
      v = static_cast<T>(rng.normal());
    else if (kind == 1)
      v = rng.uniform() < 0.7 ? T(0) : static_cast<T>(rng.normal());  // many ties at zero
    else
      v = static_cast<T>(rng.normal() * std::pow(10.0, rng.uniform() * 6 - 3));  // wide range
  }
  return y;
}

template <class T>
bool same_bytes(const T* a, const T* b, std::size_t n) {
  return std::memcmp(a, b, n * sizeof(T)) == 0;
}

// Copies columns [c0, c1) of a row-major n x m matrix into their own n x
// (c1 - c0) matrix (a process that holds those columns only), or back.
template <class T>
std::vector<T> columns_of(const std::vector<T>& y, std::size_t n, std::size_t m, std::size_t c0, std::size_t c1) {
  std::vector<T> b(n * (c1 - c0));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = c0; j < c1; ++j) b[i * (c1 - c0) + j - c0] = y[i * m + j];
  return b;
}

// One random matrix and radius, split into 2 or 3 blocks of whole groups
// (column blocks when the groups are columns, row blocks when they are
// rows): block norms (exact for whole groups), the outer step on them, then
// apply_radii(kShrink) block by block, half of the blocks in place.
template <class T>
void check_blocks(Rng& rng, bool rows) {
  const std::size_t n = 1 + rng.below(50), m = 1 + rng.below(50);
  const std::size_t ng = rows ? n : m, len = rows ? m : n;
  std::vector<T> y = random_matrix<T>(rng, n * m);
  const bp::Groups g = rows ? bp::Groups::kRows : bp::Groups::kColumns;
  const bp::MatrixRef<T> whole{y.data(), n, m};
  double total = 0;
  CHECK(bp::mixed_norm(whole, g, bp::NormKind::kL11, &total) == bp::Status::kOk);
  const double fractions[] = {0.0, 1e-6, 0.05, rng.uniform(), 0.999, 1.5};
  const double eta = total * fractions[rng.below(6)];
  std::vector<T> one(n * m);
  std::vector<double> one_radii(ng);
  bp::ProjectionResult res;
  CHECK(bp::bilevel_l11(whole, g, eta, one.data(), one_radii.data(), &res) == bp::Status::kOk);

  std::vector<std::size_t> cut{0, ng};
  if (ng > 1) cut.insert(cut.begin() + 1, 1 + rng.below(ng - 1));
  if (cut[1] > 1 && rng.uniform() < 0.5) cut.insert(cut.begin() + 1, 1 + rng.below(cut[1] - 1));
  std::vector<double> norms(ng);
  std::vector<std::vector<T>> blocks;
  for (std::size_t k = 0; k + 1 < cut.size(); ++k) {
    blocks.push_back(rows ? std::vector<T>(y.begin() + cut[k] * m, y.begin() + cut[k + 1] * m)
                          : columns_of(y, n, m, cut[k], cut[k + 1]));
    const std::size_t w = cut[k + 1] - cut[k];
    const bp::MatrixRef<T> b{blocks[k].data(), rows ? w : n, rows ? m : w};
    CHECK(bp::group_norms(b, g, bp::GroupNormKind::kL1, norms.data() + cut[k]) == bp::Status::kOk);
  }
  std::vector<double> radii(ng);
  double tau = 0;
  CHECK(bp::bilevel_radii(norms.data(), ng, eta, radii.data(), &tau) == bp::Status::kOk);
  CHECK(same_bytes(radii.data(), one_radii.data(), ng));

  std::vector<T> out(n * m);
  for (std::size_t k = 0; k + 1 < cut.size(); ++k) {
    const std::size_t w = cut[k + 1] - cut[k];
    const bp::MatrixRef<T> b{blocks[k].data(), rows ? w : n, rows ? m : w};
    const bool in_place = rng.uniform() < 0.5;
    std::vector<T> sep(blocks[k].size());
    T* dst = in_place ? blocks[k].data() : sep.data();
    std::size_t zero = 0;
    CHECK(bp::apply_radii(b, g, bp::ApplyKind::kShrink, radii.data() + cut[k], nullptr, nullptr, dst, &zero) ==
          bp::Status::kOk);
    for (std::size_t i = 0; i < (rows ? w : n); ++i)
      for (std::size_t j = 0; j < (rows ? m : w); ++j)
        out[rows ? (cut[k] + i) * m + j : i * m + cut[k] + j] = dst[i * (rows ? m : w) + j];
  }
  CHECK(same_bytes(out.data(), one.data(), n * m));

  // Each group against the sort-based threshold, for the radius it got: the
  // kept mass within a few ulps of the radius, never more than rounding
  // above it, and the entries those of the soft threshold.
  std::vector<double> yd(y.begin(), y.end()), od(out.begin(), out.end());
  const double ulp = std::numeric_limits<T>::epsilon();
  for (std::size_t j = 0; j < ng; ++j) {
    const std::vector<double> v = group_of(yd, n, m, rows, j), o = group_of(od, n, m, rows, j);
    double l1 = 0, kept = 0, big = 0;
    for (std::size_t k = 0; k < len; ++k) {
      l1 += std::fabs(v[k]);
      kept += std::fabs(o[k]);
      big = std::max(big, std::fabs(v[k]));
    }
    if (radii[j] == 0.0) {
      for (double x : o) CHECK(x == 0.0);
      continue;
    }
    const double lam = brute_threshold(v, radii[j]);
    for (std::size_t k = 0; k < len; ++k) {
      const double want = std::copysign(std::max(std::fabs(v[k]) - lam, 0.0), v[k]);
      CHECK_NEAR(o[k], want, 8 * ulp * big + 1e-300);
      CHECK(o[k] == 0.0 || std::signbit(o[k]) == std::signbit(v[k]));
    }
    if (l1 > radii[j]) CHECK_NEAR(kept, radii[j], 8 * ulp * (radii[j] + static_cast<double>(len) * lam) + 1e-300);
  }
}

}  // namespace

TEST(split_l11_blocks_of_whole_groups_give_the_one_shot_bytes) {
  Rng rng(1411);
  for (int trial = 0; trial < 300; ++trial) {
    check_blocks<double>(rng, trial % 2 == 0);
    check_blocks<float>(rng, trial % 2 == 1);
  }
}

// Wider than one tile of the column path (256 columns) and taller than its
// row-block refresh, so that several tiles and partial tiles are crossed.
TEST(split_l11_crosses_tiles) {
  Rng rng(1412);
  for (int trial = 0; trial < 4; ++trial) check_blocks<double>(rng, false);
  const std::size_t n = 37, m = 600;
  std::vector<double> y = random_matrix<double>(rng, n * m);
  double total = 0;
  const bp::MatrixRef<double> whole{y.data(), n, m};
  CHECK(bp::mixed_norm(whole, bp::Groups::kColumns, bp::NormKind::kL11, &total) == bp::Status::kOk);
  std::vector<double> one(n * m), radii(m), norms(m);
  bp::ProjectionResult res;
  CHECK(bp::bilevel_l11(whole, bp::Groups::kColumns, 0.3 * total, one.data(), radii.data(), &res) == bp::Status::kOk);
  std::vector<double> out(n * m);
  std::size_t zero = 0;
  CHECK(bp::apply_radii(whole, bp::Groups::kColumns, bp::ApplyKind::kShrink, radii.data(), nullptr, nullptr, out.data(),
                        &zero) == bp::Status::kOk);
  CHECK(same_bytes(out.data(), one.data(), n * m));
  CHECK(zero == res.zero_groups);
}

// A NaN or infinity anywhere: kNonFinite, y untouched, and nothing written
// to a separate out.
TEST(split_l11_refuses_non_finite_and_writes_nothing) {
  for (const bool in_place : {false, true}) {
    for (const std::size_t bad : {std::size_t(0), std::size_t(5), std::size_t(599)}) {
      const std::size_t rows = 6, cols = 100;
      std::vector<double> y(rows * cols), radii(cols, 0.5);
      for (std::size_t k = 0; k < y.size(); ++k) y[k] = std::sin(double(k));
      y[bad] = bad == 5 ? -INFINITY : NAN;
      const std::vector<double> before = y;
      std::vector<double> sep(y.size(), 7.0);
      double* out = in_place ? y.data() : sep.data();
      std::size_t zero = 0;
      CHECK(bp::apply_radii(bp::MatrixRef<double>{y.data(), rows, cols}, bp::Groups::kColumns, bp::ApplyKind::kShrink,
                            radii.data(), nullptr, nullptr, out, &zero) == bp::Status::kNonFinite);
      CHECK(std::memcmp(y.data(), before.data(), y.size() * sizeof(double)) == 0);
      if (!in_place)
        for (double x : sep) CHECK(x == 7.0);
    }
  }
}

// Radii from elsewhere on a group whose l1 norm overflows a double: solved
// in scaled units, finite, and the kept mass at its radius.
TEST(split_l11_group_whose_l1_norm_overflows) {
  const std::size_t n = 4;
  std::vector<double> y = {1e308, -1.5e308, 1.7e308, 1e308};
  const double radius[1] = {1e308};
  std::vector<double> out(n);
  std::size_t zero = 9;
  CHECK(bp::apply_radii(bp::MatrixRef<double>{y.data(), n, 1}, bp::Groups::kColumns, bp::ApplyKind::kShrink, radius,
                        nullptr, nullptr, out.data(), &zero) == bp::Status::kOk);
  CHECK(zero == 0);
  // Scaled by 2^-4 the brute threshold is representable: compare there.
  std::vector<double> scaled(n);
  for (std::size_t k = 0; k < n; ++k) scaled[k] = std::ldexp(y[k], -4);
  const double lam = std::ldexp(brute_threshold(scaled, std::ldexp(radius[0], -4)), 4);
  double kept = 0;
  for (std::size_t k = 0; k < n; ++k) {
    CHECK(std::isfinite(out[k]));
    CHECK_NEAR(out[k], std::copysign(std::max(std::fabs(y[k]) - lam, 0.0), y[k]), 1e-14 * 1.7e308);
    kept += std::ldexp(std::fabs(out[k]), -4);
  }
  CHECK_NEAR(std::ldexp(kept, 4), radius[0], 1e-14 * radius[0]);
}
