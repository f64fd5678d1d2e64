// The exact method's column passes bound theta* and each mu_j* with chords
// that end at the first read's top-8 points of each column
// (docs/exact-stream.md, round fourteen): those points are the columns'
// largest |y| times the call's scale. Here on heavy-tailed columns long
// enough for the passes (at least 512 entries) whose lists give way, in
// float64, in float64 near the largest doubles (the call scales the data
// down, and the points with it) and in float32: every case agrees with
// 'sort', and at least one case of each kind ran the column passes. This
// catches the points in the wrong units or type where they change the
// result; a chord that is off by a few ulps may not (TopPoints rounds each
// phi value up by more than its rounding error for that reason).
#include <cmath>
#include <string>
#include <vector>

#include "exact_stream.hpp"
#include "harness.hpp"
#include "stream_checks.hpp"

using namespace bptest;

namespace {

template <class T>
std::vector<T> cauchy(Rng& rng, std::size_t n, std::size_t m, double times) {
  std::vector<T> y(n * m);
  for (T& v : y) v = static_cast<T>(times * std::tan(3.141592653589793 * (rng.uniform() - 0.5)) / 1e3);
  return y;
}

// One case (1100 x 400 at 0.5 of the l1,inf norm: the lists give way and
// six column passes run), checked against 'sort'; whether the passes ran.
template <class T>
bool runs_the_passes(double times, const char* what) {
  Rng rng(4);  // a seed whose lists give way (about one in ten here)
  const std::size_t n = 1100, m = 400;
  std::vector<T> y = cauchy<T>(rng, n, m, times);
  std::vector<double> yd(y.begin(), y.end());
  const double eta = 0.5 * l1inf_cols(yd, n, m);
  expect_stream_as_sort(y, n, m, false, eta, what);
  return bp::last_stream_trace().full_passes > 0;
}

}  // namespace

TEST(top_points_bound_the_passes_of_heavy_columns_in_every_type_and_scale) {
  CHECK_MSG(runs_the_passes<double>(1.0, "float64"), "float64: the column passes did not run");
  // Entries up to about 1e305: the call works on y times a scale below 1.
  CHECK_MSG(runs_the_passes<double>(1e300, "float64 near the largest doubles"),
            "float64 near the largest doubles: the column passes did not run");
  CHECK_MSG(runs_the_passes<float>(1.0, "float32"), "float32: the column passes did not run");
}
