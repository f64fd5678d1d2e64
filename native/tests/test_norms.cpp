#include <vector>

#include "brute.hpp"
#include "harness.hpp"
#include "run.hpp"

using namespace bptest;

TEST(norms_by_hand) {
  // [[1, -2], [3, 0.5]] : columns (1,3) and (-2,0.5).
  std::vector<double> y = {1, -2, 3, 0.5};
  CHECK(norm_of(y, 2, 2, false, bp::NormKind::kL1Inf) == 5.0);
  CHECK(norm_of(y, 2, 2, false, bp::NormKind::kL11) == 6.5);
  CHECK_NEAR(norm_of(y, 2, 2, false, bp::NormKind::kL12), std::sqrt(10.0) + std::sqrt(4.25), 1e-15);
  CHECK(norm_of(y, 2, 2, false, bp::NormKind::kLInf1) == 4.0);
  CHECK(norm_of(y, 2, 2, true, bp::NormKind::kL1Inf) == 5.0);
  CHECK(norm_of(y, 2, 2, true, bp::NormKind::kLInf1) == 3.5);
  std::vector<double> e;
  CHECK(norm_of(e, 0, 3, false, bp::NormKind::kL12) == 0.0);
}

TEST(norms_random_against_long_double) {
  Rng rng(31);
  for (int trial = 0; trial < 100; ++trial) {
    std::size_t n = 1 + rng.below(50), m = 1 + rng.below(50);
    bool rows = trial % 2;
    std::vector<double> y = random_matrix(rng, n, m, trial % 5);
    Norms want = brute_norms(y, n, m, rows);
    CHECK_NEAR(norm_of(y, n, m, rows, bp::NormKind::kL1Inf), want.l1inf, 1e-13 * want.l1inf);
    CHECK_NEAR(norm_of(y, n, m, rows, bp::NormKind::kL11), want.l11, 1e-13 * want.l11);
    CHECK_NEAR(norm_of(y, n, m, rows, bp::NormKind::kL12), want.l12, 1e-13 * want.l12);
    CHECK_NEAR(norm_of(y, n, m, rows, bp::NormKind::kLInf1), want.linf1, 1e-13 * want.linf1);
  }
}

TEST(l2_norms_neither_overflow_nor_underflow) {
  // Two entries of 1e308: the sum of squares overflows, the norm does not.
  std::vector<double> big = {1e308, 1e308};
  CHECK_NEAR(norm_of(big, 2, 1, false, bp::NormKind::kL12), std::sqrt(2.0) * 1e308, 1e293);
  // Subnormal entries: their squares underflow to zero, the norm does not.
  std::vector<double> tiny = {3e-320, 4e-320};
  CHECK_NEAR(norm_of(tiny, 2, 1, false, bp::NormKind::kL12), 5e-320, 1e-323);
  CHECK_NEAR(norm_of(tiny, 1, 2, true, bp::NormKind::kL12), 5e-320, 1e-323);
  std::vector<double> mid = {3e-160, 4e-160};
  CHECK_NEAR(norm_of(mid, 2, 1, false, bp::NormKind::kL12), 5e-160, 1e-174);
  // Mixed: one huge group, one subnormal group.
  std::vector<double> mixed = {1e308, 3e-320, 1e308, 4e-320};
  double r = norm_of(mixed, 2, 2, false, bp::NormKind::kL12);
  CHECK(std::isfinite(r));
  CHECK_NEAR(r, std::sqrt(2.0) * 1e308, 1e293);
  // A norm whose true value exceeds the largest double is +Infinity, not NaN.
  std::vector<double> over = {1.7e308, 1.7e308};
  CHECK(norm_of(over, 2, 1, false, bp::NormKind::kL11) == std::numeric_limits<double>::infinity());
  std::vector<float> f = {3e38f, 3e38f, 1e-45f, 1e-45f};
  // Float input: columns (3e38, 1e-45) twice; squares are taken in double.
  CHECK_NEAR(norm_of(f, 2, 2, false, bp::NormKind::kL12), 2.0 * static_cast<double>(f[0]), 1e24);
}
