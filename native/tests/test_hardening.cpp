// Regression tests for what the fuzzers (native/fuzz) found, written so that
// they run in the ordinary harness (plain, ASan+UBSan, valgrind) without
// clang. Each names the harness and the failure it reproduces.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "bilevel_projection.hpp"
#include "harness.hpp"

using namespace bptest;

namespace {

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

template <class T>
std::vector<T> alternating(std::size_t n) {
  std::vector<T> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<T>(static_cast<double>(i % 3) - 0.5);
  return v;
}

}  // namespace

// fuzz_l1ball: projectL1Ball(v, Number.MAX_VALUE) returned all zeros for
// about one length in six (n = 6, 7, 14, 15, 19, ...), although every vector
// is inside a ball of radius DBL_MAX. In Condat's final feasibility loop
// (l1ball.cpp, condat_finish) tau is negative, about -DBL_MAX / n, and
// sum_i (v_i - tau) rounds up past DBL_MAX to +Infinity; the loop then
// raises tau to +Infinity and every entry is thresholded away.
TEST(hardening_l1_ball_radius_dbl_max_is_the_identity) {
  for (std::size_t n = 1; n <= 64; ++n) {
    const std::vector<double> v = alternating<double>(n);
    std::vector<double> out(n, -7.0);
    CHECK(bp::project_l1_ball(v.data(), n, DBL_MAX, out.data()) == bp::Status::kOk);
    CHECK_MSG(same_bits(out, v), "double, n = " << n << ": out[0] = " << out[0] << ", v[0] = " << v[0]);
    const std::vector<float> f = alternating<float>(n);
    std::vector<float> fout(n, -7.0f);
    CHECK(bp::project_l1_ball(f.data(), n, DBL_MAX, fout.data()) == bp::Status::kOk);
    CHECK_MSG(same_bits(fout, f), "float, n = " << n << ": out[0] = " << fout[0]);
  }
  // The same with entries at the top of float's range (the fuzzer's input).
  std::vector<float> big(63);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = i % 2 ? FLT_MAX : -FLT_MAX;
  std::vector<float> out(big.size(), 0.0f);
  CHECK(bp::project_l1_ball(big.data(), big.size(), DBL_MAX, out.data()) == bp::Status::kOk);
  CHECK_MSG(same_bits(out, big), "float, 63 x FLT_MAX: out[0] = " << out[0]);
}

// The routine under it: "Returns 0 when the sum does not exceed the radius".
TEST(hardening_l1_threshold_radius_dbl_max_is_zero) {
  for (std::size_t n = 1; n <= 64; ++n) {
    std::vector<double> a(n);
    for (std::size_t i = 0; i < n; ++i) a[i] = std::fabs(static_cast<double>(i % 3) - 0.5);
    const double tau = bp::l1_threshold_inplace(a.data(), n, DBL_MAX);
    CHECK_MSG(tau == 0.0, "n = " << n << ": tau = " << tau);
  }
}

// fuzz_exact: with entries large enough that the kernel works in scaled units
// (max|y| times the entry count near 2^1017, e.g. any entry near 1e308), a
// radius above ||y||_1,inf did not give the identity. exact_thresholds
// (exact.cpp) compares the sum of the group maxima p.mx, which
// group_max_sum leaves unscaled (reduce.hpp: only the sums are scaled), with
// the scaled radius p.eta = eta * scale, so the identity is missed and the
// clipping solver runs on an infeasible system: the radii come out wrong
// ({2.5e307, 1.25e308} instead of the group maxima {1e-10, 1e308}) and a
// group whose entries underflow in scaled units is zeroed.
TEST(hardening_exact_identity_with_entries_near_dbl_max) {
  struct Case {
    std::vector<double> y;
    std::size_t rows, cols;
    bool by_rows;
    double eta;
  };
  const std::vector<Case> cases = {
      {{1e-10, 1e308}, 1, 2, false, 1.5e308},
      // The fuzzer's input: a subnormal column is zeroed.
      {{0x0.0000000000004p-1022, 0x1p-126, -0.0, 0x1p+1020}, 1, 4, false, 1e308},
      {{-0x1.1ccf385ebc8ap+1023, -0x1.1ccf385ebc8ap+1023, 0x0.0000000000001p-1022, 0x0.0000000000001p-1022,
        0x0.0000000000001p-1022, -0.0, 0.0, 0x0.0000000000001p-1022},
       2,
       4,
       true,
       1.0495834287022202e+308},
  };
  for (const Case& c : cases) {
    const bp::Groups g = c.by_rows ? bp::Groups::kRows : bp::Groups::kColumns;
    const std::size_t ng = c.by_rows ? c.rows : c.cols, len = c.by_rows ? c.cols : c.rows;
    std::vector<double> mx(ng, 0.0);
    for (std::size_t j = 0; j < ng; ++j)
      for (std::size_t k = 0; k < len; ++k)
        mx[j] = std::max(mx[j], std::fabs(c.y[c.by_rows ? j * c.cols + k : k * c.cols + j]));
    for (bp::ExactMethod m : {bp::ExactMethod::kNewton, bp::ExactMethod::kSort, bp::ExactMethod::kStream}) {
      std::vector<double> out(c.y.size(), -7.0), radii(ng, -1.0);
      bp::ProjectionResult res;
      CHECK(bp::project_l1inf_exact(bp::MatrixRef<double>{c.y.data(), c.rows, c.cols}, g, c.eta, m, out.data(),
                                    radii.data(), &res) == bp::Status::kOk);
      CHECK_MSG(same_bits(out, c.y),
                "method " << static_cast<int>(m) << ": the projection is not y (out[0] = " << out[0] << ")");
      CHECK_MSG(same_bits(radii, mx),
                "method " << static_cast<int>(m) << ": radii[0] = " << radii[0] << ", the group max is " << mx[0]);
      // The prox of the same radius is 0.
      std::vector<double> prox(c.y.size(), -7.0);
      CHECK(bp::prox_linf1(bp::MatrixRef<double>{c.y.data(), c.rows, c.cols}, g, c.eta, m, prox.data(), radii.data(),
                           &res) == bp::Status::kOk);
      for (double v : prox) CHECK_MSG(v == 0.0, "the prox should be 0, has " << v);
    }
  }
}
