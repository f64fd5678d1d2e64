#include "radius_for_keep.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <new>
#include <numeric>
#include <vector>

#include "exact.hpp"
#include "l1ball.hpp"
#include "memory_advice.hpp"
#include "numeric.hpp"
#include "reduce.hpp"

namespace bp {
namespace {

// |y| * scale over group j, gathered (a column is read with a stride).
template <class T>
void gather_group(const MatrixRef<T>& y, Groups g, std::size_t j, double scale, std::vector<double>& buf) {
  const std::size_t len = group_length(y.rows, y.cols, g);
  buf.resize(len);
  if (g == Groups::kColumns) {
    for (std::size_t i = 0; i < len; ++i) buf[i] = std::fabs(static_cast<double>(y.data[i * y.cols + j])) * scale;
  } else {
    const T* row = y.data + j * y.cols;
    for (std::size_t i = 0; i < len; ++i) buf[i] = std::fabs(static_cast<double>(row[i])) * scale;
  }
}

double compensated_total(const std::vector<double>& v) {
  CompensatedSum s;
  for (double x : v) s.add(x);
  return s.value();
}

// Groups a bilevel projection keeps at radius eta, replaying its outer level
// on the norms v it computes itself (bilevel.cpp: same passes, same scale,
// same threshold routine, same summation order): group j survives when
// v_j - tau > 0.
std::size_t bilevel_kept(const std::vector<double>& v, double scale, double eta, std::size_t nonzero,
                         std::vector<double>& scratch) {
  if (eta == 0.0) return 0;
  const double r = eta * scale;
  if (compensated_total(v) <= r) return nonzero;  // the identity
  scratch = v;
  const double tau = l1_threshold_inplace(scratch.data(), scratch.size(), r);
  return static_cast<std::size_t>(
      std::count_if(v.begin(), v.end(), [tau](double x) { return std::max(x - tau, 0.0) > 0.0; }));
}

// Groups the exact projection keeps: the larger count of the streaming
// method (the default) and the semismooth Newton on candidate lists, whose
// thresholds can differ by a rounding error at the breakpoint. (The
// sort-based method is left to the margin below the breakpoint: it costs
// O(nm log nm).) Where the breakpoint is subnormal the margin is below one
// unit and every threshold is rounded to whole units, each method its own
// way: there sort confirms too (with_sort; all-subnormal tied data kept one
// group more by sort alone).
// `out` is allocated once, uninitialised and hinted to huge pages: zeroing
// 64 MB of fresh 4 kB pages costs more than the projection itself.
template <class T>
Status exact_kept(const MatrixRef<T>& y, Groups g, double eta, std::unique_ptr<T[]>& out, std::vector<double>& radii,
                  bool with_sort, std::size_t* kept) {
  if (!out) {
    out.reset(new T[y.size()]);
    advise_huge_pages(out.get(), y.size() * sizeof(T));
  }
  radii.resize(group_count(y.rows, y.cols, g));
  std::size_t zero = radii.size();
  for (ExactMethod m : {ExactMethod::kStream, ExactMethod::kNewton, ExactMethod::kSort}) {
    if (m == ExactMethod::kSort && !with_sort) continue;
    ProjectionResult res;
    const Status st = project_l1inf_exact(y, g, eta, m, out.get(), radii.data(), &res);
    if (st != Status::kOk) return st;
    zero = std::min(zero, res.zero_groups);
  }
  *kept = radii.size() - zero;
  return Status::kOk;
}

}  // namespace

template <class T>
Status radius_for_keep(const MatrixRef<T>& y, Groups g, KeepProjection p, std::size_t keep, double* radius) try {
  *radius = 0.0;
  const std::size_t ng = group_count(y.rows, y.cols, g);
  if (y.size() == 0 || keep == 0) return Status::kOk;
  std::vector<double> mx(ng), s(ng);
  if (!group_max_sum<true>(y, g, 1.0, mx.data(), s.data())) return Status::kNonFinite;
  const double big = max_of(mx.data(), ng);
  if (!is_finite(big)) return Status::kNonFinite;
  // The norms exactly as each kernel computes them: a power of two keeps
  // every sum below the overflow threshold (so the norms are exact multiples
  // of the true ones, and the answer is divided back), chosen as the kernel
  // chooses it. mx stays the unscaled group maxima.
  const bool by_groups = p == KeepProjection::kBilevelL1Inf;
  const double scale = overflow_guard_scale(big, static_cast<double>(by_groups ? ng : y.size()));
  std::vector<double> v(ng);
  switch (p) {
    case KeepProjection::kBilevelL1Inf:
      for (std::size_t j = 0; j < ng; ++j) v[j] = mx[j] * scale;
      break;
    case KeepProjection::kBilevelL11:
    case KeepProjection::kExactL1Inf:  // its kept set is ordered by the l1 norms
      if (scale != 1.0) group_max_sum<true>(y, g, scale, mx.data(), s.data());
      v = s;
      break;
    case KeepProjection::kBilevelL12:
      group_l2(y, g, mx.data(), scale, v.data());
      break;
  }
  const std::size_t nonzero =
      static_cast<std::size_t>(std::count_if(mx.begin(), mx.end(), [](double m) { return m > 0.0; }));
  if (keep >= nonzero) {
    // Everything non-zero is kept: the mixed norm (l1,inf for the exact
    // projection, whose l1 norms only order the groups), at most the largest
    // double: a norm past it is infinite, which no projection takes as a
    // radius; no finite radius keeps every group there, and the largest
    // double keeps as many as any can (and at most keep).
    if (p == KeepProjection::kExactL1Inf) {
      CompensatedSum total;
      for (double m : mx) total.add(m * scale);
      *radius = std::min(total.value() / scale, std::numeric_limits<double>::max());
    } else {
      *radius = std::min(compensated_total(v) / scale, std::numeric_limits<double>::max());
    }
    return Status::kOk;
  }
  // The keep + 1 largest groups, largest first (ties by index, so the answer
  // does not depend on the sort's whims).
  std::vector<std::size_t> order(ng);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(keep + 1), order.end(),
                    [&v](std::size_t a, std::size_t b) { return v[a] > v[b] || (v[a] == v[b] && a < b); });
  const double next = v[order[keep]];  // the (keep+1)-th largest: the first group left out
  CompensatedSum star;
  if (p == KeepProjection::kExactL1Inf) {
    // theta = next; each kept group is clipped at the mu_j that leaves
    // exactly theta of l1 mass above it; the radius is the sum of the mu_j.
    std::vector<double> buf;
    for (std::size_t i = 0; i < keep; ++i) {
      gather_group(y, g, order[i], scale, buf);
      star.add(l1_threshold_inplace(buf.data(), buf.size(), next));
    }
  } else {
    // The outer l1 projection's threshold is exactly `next`.
    for (std::size_t i = 0; i < keep; ++i) star.add(v[order[i]] - next);
  }
  // Entries near DBL_MAX can put the breakpoint past the largest double
  // (the kept groups' excess over `next` adds up beyond it): no radius a
  // caller can pass, and the step-down below went from infinity to NaN.
  // Every radius below the breakpoint keeps at most `keep`, so the answer
  // is the largest double, confirmed by the loop as any other.
  const double breakpoint = std::min(std::max(star.value(), 0.0) / scale, std::numeric_limits<double>::max());
  // The kernels compute their threshold in floating point, and at the
  // breakpoint it may land a hair below `next`, keeping one group more: step
  // down by ulp-sized amounts, doubling, until the kernel keeps at most
  // `keep`. The bilevel kernels' outer level is replayed here on their own
  // norms (O(groups) per step); the exact projection is run (Newton). Its
  // sort-based method reaches theta along another path, whose rounding
  // (a few ulps of theta = next) moves the breakpoint by about as much in
  // radius, so the exact answer starts that far below it: 16 ulps of next,
  // at least 2^-40 and at most 2^-31 (5e-10) of the breakpoint.
  const bool exact = p == KeepProjection::kExactL1Inf;
  const double eps = std::numeric_limits<double>::epsilon();
  const double margin =
      exact ? std::min(std::max(breakpoint * 0x1p-40, 16.0 * eps * next / scale), breakpoint * 0x1p-31) : 0.0;
  std::vector<double> scratch, radii;
  std::unique_ptr<T[]> out;
  double eta = breakpoint - margin;
  // At least one subnormal: below 2^-1022 the relative step rounds to 0 and
  // the loop stood still, returning a radius that keeps more than `keep`
  // (all-subnormal data, where the thresholds round to whole units).
  double step = std::max(breakpoint * 0x1p-52, std::numeric_limits<double>::denorm_min());
  for (int i = 0; i < 80 && eta > 0.0; ++i) {
    std::size_t kept = 0;
    if (exact) {
      const Status st = exact_kept(y, g, eta, out, radii, breakpoint < std::numeric_limits<double>::min(), &kept);
      if (st != Status::kOk) return st;
    } else {
      kept = bilevel_kept(v, scale, eta, nonzero, scratch);
    }
    if (kept <= keep) break;
    eta -= step;
    step *= 2.0;
  }
  *radius = std::max(eta, 0.0);
  return Status::kOk;
} catch (const std::bad_alloc&) {
  return Status::kOutOfMemory;
}

template Status radius_for_keep<float>(const MatrixRef<float>&, Groups, KeepProjection, std::size_t, double*);
template Status radius_for_keep<double>(const MatrixRef<double>&, Groups, KeepProjection, std::size_t, double*);

}  // namespace bp
