// The first read's low lists (simd/low_lists.hpp) and the survivors solved
// from them (few_groups_thresholds, docs/exact-stream.md round thirty):
// the read keeps exactly the nonzeros below each column's bound and leaves
// its maxima, sums and counts as they were; the solve that skips reading the
// listed survivors again agrees with 'sort', whatever the thread count, also
// when some survivors are not settled by their lists and are gathered.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "exact_stream.hpp"
#include "harness.hpp"
#include "reduce.hpp"
#include "run.hpp"
#include "stream_checks.hpp"

using namespace bptest;

namespace {

std::vector<double> sparse_normal(Rng& rng, std::size_t n, std::size_t m, double density) {
  std::vector<double> y(n * m, 0.0);
  for (double& v : y)
    if (rng.uniform() < density) v = rng.normal();
  return y;
}

// The lists' sparse data (density 0.1); with `mixed`, column 0 also holds
// 1e-7 in its zero entries of the first 1900 rows (its other entries grown
// by a tenth), so that its list ends far below its threshold: it is gathered.
std::vector<double> sparse_with_tiny_column(Rng& rng, std::size_t n, std::size_t m, bool mixed) {
  std::vector<double> y = sparse_normal(rng, n, m, 0.1);
  if (mixed)
    for (std::size_t i = 0; i < n; ++i) {
      double& v = y[i * m];
      v = v != 0.0 ? 1.1 * v : (i < 1900 ? 1e-7 : 0.0);
    }
  return y;
}

}  // namespace

// Columns of 8-slot lists, half starting at a bound of 0.5 and half at
// +inf, over 1003 rows (a tail of three single rows) and 213 columns (a
// masked tail of five, past the read's 64-column grain): each list holds every nonzero |y| below its final
// bound and nothing else, and the maxima, sums and counts are the bytes of
// the read without lists.
TEST(low_lists_hold_every_nonzero_below_their_bound) {
  if (!bp::has_column_low_lists()) return;  // no AVX-512F: the method reads without lists
  Rng rng(281);
  const std::size_t n = 1003, m = 213, cap = 8;
  std::vector<double> y = sparse_normal(rng, n, m, 0.3);
  const bp::MatrixRef<double> ref{y.data(), n, m};
  std::vector<double> mx(m), s(m), nz(m), mx2(m), s2(m), nz2(m), vals(m * cap), bound(m);
  std::vector<std::uint32_t> cnt(m, 0);
  for (std::size_t j = 0; j < m; ++j) bound[j] = j % 2 ? 0.5 : std::numeric_limits<double>::infinity();
  const bp::simd::LowLists lists{cap, vals.data(), cnt.data(), bound.data()};
  CHECK(bp::column_max_sum_count(ref, mx.data(), s.data(), nz.data()));
  CHECK(bp::column_max_sum_count_low(ref, mx2.data(), s2.data(), nz2.data(), lists));
  CHECK(mx == mx2 && s == s2 && nz == nz2);
  for (std::size_t j = 0; j < m; ++j) {
    std::vector<double> want, got(vals.begin() + j * cap, vals.begin() + j * cap + cnt[j]);
    for (std::size_t i = 0; i < n; ++i) {
      const double a = std::fabs(y[i * m + j]);
      if (a > 0.0 && a < bound[j]) want.push_back(a);
    }
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    // The odd columns' bounds start at 0.5, the even ones' at +inf: about 300
    // nonzeros each against 8 slots, so every list halved and its bound fell.
    CHECK_MSG(got == want && cnt[j] < cap && (j % 2 ? bound[j] <= 0.5 : std::isfinite(bound[j])),
              "column " << j << ": listed " << got.size() << ", below the bound " << want.size());
  }
}

// Sparse normal data at a radius of 8e-4 of ||Y||_{1,inf} (the grid's
// sparse eta = 1 in small): most survivors' thresholds lie below their
// lists' bounds, so they are not read again. Column 0 may also hold 1900
// entries of 1e-7, so its list ends far below its threshold: it is gathered.
TEST(low_lists_settle_the_survivors_of_sparse_data_at_small_radii) {
  if (!bp::has_column_low_lists()) return;
  Rng rng(282);
  const std::size_t n = 2048, m = 256;
  for (int mixed = 0; mixed < 2; ++mixed) {
    std::vector<double> y = sparse_with_tiny_column(rng, n, m, mixed != 0);
    const double eta = 8e-4 * l1inf_cols(y, n, m);
    const std::string what = mixed ? "mixed" : "sparse";
    expect_stream_as_sort(y, n, m, false, eta, what);
    Result<double> one;
    const bp::StreamTrace tr = expect_thread_free(y, n, m, eta, what, &bp::last_stream_trace, &one);
    const std::size_t alive = m - one.zero_groups;
    CHECK_MSG(
        tr.nonzeros && tr.gathered && !tr.low_fallback && tr.low_settled > 0,
        what << ": gathered " << tr.gathered << ", settled " << tr.low_settled << ", fallback " << tr.low_fallback);
    // Most survivors settled by their lists (the strongest may not be: the
    // lists start at eta / 16, a guess); where column 0 holds the tiny
    // entries it is alive and gathered.
    CHECK_MSG(2 * tr.low_settled > alive && (!mixed || (one.radii[0] > 0.0 && tr.low_gathered >= 1)),
              what << ": settled " << tr.low_settled << ", gathered " << tr.low_gathered << " of " << alive
                   << " alive, mu_0 " << one.radii[0]);
  }
}

// The fallback: a listed column whose threshold passes its bound (forced
// here for every one by the test hook) solves the call again with every
// survivor gathered, and the answer is still 'sort''s at any thread count.
TEST(low_lists_fall_back_to_the_gather) {
  if (!bp::has_column_low_lists()) return;
  Rng rng(285);
  const std::size_t n = 2048, m = 256;
  std::vector<double> y = sparse_normal(rng, n, m, 0.1);
  const double eta = 8e-4 * l1inf_cols(y, n, m);
  const bool previous = bp::set_stream_low_fallback(true);
  expect_stream_as_sort(y, n, m, false, eta, "forced fallback");
  const bp::StreamTrace tr = expect_stream_thread_free(y, n, m, eta, "forced fallback");
  bp::set_stream_low_fallback(previous);
  CHECK_MSG(tr.nonzeros && tr.gathered && tr.low_fallback, "fallback " << tr.low_fallback);
}

// The float read's lists (float_count_avx512.cpp): the same check on float
// data, with bounds that are not floats (0.3, between two floats: the lanes
// compare with the bound rounded up) and some entries equal to a float
// bound (0.5, not below it): each list holds every nonzero |y| below its
// final bound, widened, and the maxima, sums and counts are the bytes of
// the float read without lists.
TEST(float_low_lists_hold_every_nonzero_below_their_bound) {
  if (!bp::has_column_low_lists<float>()) return;
  Rng rng(283);
  const std::size_t n = 1003, m = 37, cap = 8;
  std::vector<float> y(n * m, 0.0f);
  for (std::size_t k = 0; k < y.size(); ++k)
    if (rng.uniform() < 0.3) y[k] = k % 11 == 0 ? 0.5f : static_cast<float>(rng.normal());
  const bp::MatrixRef<float> ref{y.data(), n, m};
  std::vector<double> mx(m), s(m), nz(m), mx2(m), s2(m), nz2(m), vals(m * cap), bound(m);
  std::vector<std::uint32_t> cnt(m, 0);
  for (std::size_t j = 0; j < m; ++j)
    bound[j] = j % 3 == 0 ? 0.3 : j % 3 == 1 ? 0.5 : std::numeric_limits<double>::infinity();
  const bp::simd::LowLists lists{cap, vals.data(), cnt.data(), bound.data()};
  CHECK(bp::column_max_sum_count(ref, mx.data(), s.data(), nz.data()));
  CHECK(bp::column_max_sum_count_low(ref, mx2.data(), s2.data(), nz2.data(), lists));
  CHECK(mx == mx2 && s == s2 && nz == nz2);
  for (std::size_t j = 0; j < m; ++j) {
    std::vector<double> want, got(vals.begin() + j * cap, vals.begin() + j * cap + cnt[j]);
    for (std::size_t i = 0; i < n; ++i) {
      const double a = std::fabs(static_cast<double>(y[i * m + j]));
      if (a > 0.0 && a < bound[j]) want.push_back(a);
    }
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    const double start = j % 3 == 0 ? 0.3 : j % 3 == 1 ? 0.5 : std::numeric_limits<double>::infinity();
    CHECK_MSG(got == want && cnt[j] < cap && bound[j] <= start,
              "float column " << j << ": listed " << got.size() << ", below the bound " << want.size());
  }  // A NaN is reported (at scale 1 the read tests the sums, not each entry).
  y[517 * m + 29] = std::numeric_limits<float>::quiet_NaN();
  std::fill(cnt.begin(), cnt.end(), 0u);
  CHECK(!bp::column_max_sum_count_low(ref, mx2.data(), s2.data(), nz2.data(), lists));
  CHECK(!bp::column_max_sum_count(ref, mx2.data(), s2.data(), nz2.data()));
}

// The float solve from the lists (few_groups_thresholds with a float copy):
// the same sparse data as above in floats, against 'sort', the same bytes
// at one thread and at three, most survivors settled, and the column of
// tiny entries gathered.
TEST(float_low_lists_settle_the_survivors_of_sparse_data_at_small_radii) {
  if (!bp::has_column_low_lists<float>()) return;
  Rng rng(284);
  const std::size_t n = 2048, m = 256;
  for (int mixed = 0; mixed < 2; ++mixed) {
    std::vector<double> yd = sparse_with_tiny_column(rng, n, m, mixed != 0);
    std::vector<float> y(yd.begin(), yd.end());
    std::vector<double> back(y.begin(), y.end());
    const double eta = 8e-4 * l1inf_cols(back, n, m);
    const std::string what = mixed ? "float mixed" : "float sparse";
    expect_stream_as_sort(y, n, m, false, eta, what);
    const unsigned before = bp::set_thread_limit(1);
    Result<float> one = run(Method::kStream, y, n, m, false, eta);
    const bp::StreamTrace tr = bp::last_stream_trace();
    bp::set_thread_limit(3);
    Result<float> three = run(Method::kStream, y, n, m, false, eta);
    bp::set_thread_limit(before);
    CHECK_MSG(one.out == three.out && one.radii == three.radii, what << ": depends on the thread count");
    const std::size_t alive = m - one.zero_groups;
    CHECK_MSG(
        tr.nonzeros && tr.gathered && !tr.low_fallback && tr.low_settled > 0,
        what << ": gathered " << tr.gathered << ", settled " << tr.low_settled << ", fallback " << tr.low_fallback);
    CHECK_MSG(2 * tr.low_settled > alive && (!mixed || (one.radii[0] > 0.0 && tr.low_gathered >= 1)),
              what << ": settled " << tr.low_settled << ", gathered " << tr.low_gathered << " of " << alive
                   << " alive, mu_0 " << one.radii[0]);
  }
}

// The listed solve without the AVX-512F read: the lists (and the counts,
// maxima and sums) built here by hand, through add_to_low_list in row order
// as both reads file them, and handed to stream_thresholds in a
// ThresholdProblem. The tests above return early on a CPU without AVX-512F,
// where no read fills lists; this one runs everywhere, so the solve from the
// lists (few_groups_thresholds, docs/exact-stream.md round thirty) is
// checked against 'sort' on every CPU CI builds for.
TEST(hand_built_low_lists_settle_the_survivors_on_any_cpu) {
  Rng rng(286);
  const std::size_t n = 2048, m = 256, cap = 64;
  const std::vector<double> y = sparse_normal(rng, n, m, 0.1);
  const double eta = 8e-4 * l1inf_cols(y, n, m);
  std::vector<double> mx(m, 0.0), s(m, 0.0), nz(m, 0.0), vals(m * cap), bound(m, eta / 16.0);
  std::vector<std::uint32_t> listed(m, 0);
  const bp::simd::LowLists low{cap, vals.data(), listed.data(), bound.data()};
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < m; ++j) {
      const double a = std::fabs(y[i * m + j]);
      mx[j] = std::max(mx[j], a);
      s[j] += a;
      if (a > 0.0) nz[j] += 1.0;
      if (a > 0.0 && a < bound[j]) bp::simd::add_to_low_list(low, j, a);
    }
  const bp::ThresholdProblem p{m, n, 1.0, eta, mx.data(), s.data(), nullptr, nz.data(), &low};
  std::vector<double> mu(m, -1.0);
  const bp::MatrixRef<double> ref{y.data(), n, m};
  CHECK(bp::stream_thresholds(ref, bp::Groups::kColumns, p, mu.data(), bp::StopToken{}) == bp::StreamEnd::kConverged);
  const bp::StreamTrace tr = bp::last_stream_trace();
  Result<double> sort = run(Method::kSort, y, n, m, false, eta);
  CHECK(sort.status == bp::Status::kOk);
  double scale = 0.0, worst = 0.0;
  std::size_t alive = 0;
  for (double v : mx) scale = std::max(scale, v);
  for (std::size_t j = 0; j < m; ++j) {
    worst = std::max(worst, std::fabs(mu[j] - sort.radii[j]));
    alive += sort.radii[j] > 0.0 ? 1 : 0;
  }
  CHECK_MSG(worst <= 1e-12 * scale, "hand-built lists: thresholds differ from sort's by " << worst);
  // The lists did the work: most survivors settled from them, none failed.
  CHECK_MSG(tr.nonzeros && tr.gathered && !tr.low_fallback && 2 * tr.low_settled > alive,
            "hand-built lists: settled " << tr.low_settled << " of " << alive << " alive, gathered " << tr.low_gathered
                                         << ", fallback " << tr.low_fallback);
}

// Dense tall data at small radii (docs/exact-stream.md round thirty-nine):
// with no zeros the row sample does not count, yet the first read keeps the
// lists (the count then just the column length) and settles the survivors,
// double and float; the answer is 'sort''s at any thread count. Normal data
// at 7e-4 of the norm (within the rule's 1/512 of the 16 rows' norm): 52 of
// 128 columns survive, about half settled, half gathered (their mu_j* past
// eta / 64); where the first column's entries are 1e-7 in most rows it
// survives alone with most of its entries below any bound, and is gathered.
TEST(low_lists_settle_the_survivors_of_dense_data_at_small_radii) {
  if (!bp::has_column_low_lists()) return;
  Rng rng(286);
  const std::size_t n = 4096, m = 128;
  for (int mixed = 0; mixed < 2; ++mixed) {
    std::vector<double> y = sparse_normal(rng, n, m, 1.0);
    if (mixed)
      for (std::size_t i = 0; i < n; ++i) y[i * m] = i < 3800 ? 1e-7 * (1.0 + rng.uniform()) : 16.0 * y[i * m];
    const double eta = 7e-4 * l1inf_cols(y, n, m);
    const std::string what = mixed ? "dense mixed" : "dense";
    expect_stream_as_sort(y, n, m, false, eta, what);
    Result<double> one;
    const bp::StreamTrace tr = expect_thread_free(y, n, m, eta, what, &bp::last_stream_trace, &one);
    const std::size_t alive = m - one.zero_groups;
    CHECK_MSG(tr.nonzeros && tr.gathered && !tr.low_fallback && tr.low_settled > 0 &&
                  (!mixed || (one.radii[0] > 0.0 && tr.low_gathered >= 1)),
              what << ": nonzeros " << tr.nonzeros << ", settled " << tr.low_settled << ", gathered " << tr.low_gathered
                   << " of " << alive << " alive, fallback " << tr.low_fallback << ", mu_0 " << one.radii[0]);
    if (!bp::has_column_low_lists<float>()) continue;
    std::vector<float> yf(y.begin(), y.end());
    std::vector<double> back(yf.begin(), yf.end());
    const double etaf = 7e-4 * l1inf_cols(back, n, m);
    expect_stream_as_sort(yf, n, m, false, etaf, "float " + what);
    const unsigned before = bp::set_thread_limit(1);
    run(Method::kStream, yf, n, m, false, etaf);
    const bp::StreamTrace tf = bp::last_stream_trace();
    bp::set_thread_limit(before);
    CHECK_MSG(tf.nonzeros && tf.gathered && !tf.low_fallback && tf.low_settled > 0,
              "float " << what << ": settled " << tf.low_settled << ", fallback " << tf.low_fallback);
  }
}
