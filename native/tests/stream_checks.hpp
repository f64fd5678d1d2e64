// Checks shared by the tests of the streaming exact method and its
// strategies (test_exact_stream, test_exact_start, test_topk): the l1,inf
// norm of a row-major matrix with groups = columns, agreement with 'sort',
// and the same bytes at any thread count.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "exact_stream.hpp"
#include "harness.hpp"
#include "parallel.hpp"
#include "run.hpp"

namespace bptest {

inline double l1inf_cols(const std::vector<double>& y, std::size_t n, std::size_t m) {
  double s = 0;
  for (std::size_t j = 0; j < m; ++j) {
    double mx = 0;
    for (std::size_t i = 0; i < n; ++i) mx = std::max(mx, std::fabs(y[i * m + j]));
    s += mx;
  }
  return s;
}

// 'stream' against 'sort' on the same problem: every entry within 1e-12 of
// max |y| (1e-6 for float data: the result is rounded to float), every
// threshold within 1e-12 of it (thresholds are doubles either way), and the
// same zero groups.
template <class T>
void expect_stream_as_sort(const std::vector<T>& y, std::size_t n, std::size_t m, bool rows, double eta,
                           const std::string& what) {
  Result<T> a = run(Method::kStream, y, n, m, rows, eta);
  Result<T> b = run(Method::kSort, y, n, m, rows, eta);
  CHECK(a.status == bp::Status::kOk && b.status == bp::Status::kOk);
  double scale = 0;
  for (T v : y) scale = std::max(scale, std::fabs(static_cast<double>(v)));
  double worst_out = 0, worst_radius = 0;
  for (std::size_t k = 0; k < y.size(); ++k)
    worst_out = std::max(worst_out, std::fabs(static_cast<double>(a.out[k]) - static_cast<double>(b.out[k])));
  for (std::size_t g = 0; g < a.radii.size(); ++g)
    worst_radius = std::max(worst_radius, std::fabs(a.radii[g] - b.radii[g]));
  const double tol = sizeof(T) == 4 ? 1e-6 : 1e-12;
  CHECK_MSG(worst_out <= tol * scale,
            what << ": stream and sort differ by " << worst_out << " (scale " << scale << ")");
  CHECK_MSG(worst_radius <= 1e-12 * scale,
            what << ": stream and sort thresholds differ by " << worst_radius << " (scale " << scale << ")");
  CHECK_MSG(a.zero_groups == b.zero_groups, what << ": zero groups " << a.zero_groups << " vs " << b.zero_groups);
}

// 'stream' at one thread and at three gives the same bytes (each column is
// summed in row order by one thread). Returns what `trace` (a last-call
// trace getter, such as bp::last_topk_trace) reports for the one-thread call,
// for the caller to check which strategy ran; `one`, if given, receives that
// call's result.
template <class Trace>
Trace expect_thread_free(const std::vector<double>& y, std::size_t n, std::size_t m, double eta,
                         const std::string& what, Trace (*trace)(), Result<double>* one = nullptr) {
  const unsigned before = bp::set_thread_limit(1);
  Result<double> first = run(Method::kStream, y, n, m, false, eta);
  const Trace tr = trace();
  bp::set_thread_limit(3);
  Result<double> three = run(Method::kStream, y, n, m, false, eta);
  bp::set_thread_limit(before);
  CHECK_MSG(first.out == three.out && first.radii == three.radii, what << ": depends on the thread count");
  if (one != nullptr) *one = std::move(first);
  return tr;
}

inline bp::StreamTrace expect_stream_thread_free(const std::vector<double>& y, std::size_t n, std::size_t m, double eta,
                                                 const std::string& what) {
  return expect_thread_free(y, n, m, eta, what, &bp::last_stream_trace);
}

}  // namespace bptest
