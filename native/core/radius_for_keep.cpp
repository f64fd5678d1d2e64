#include "radius_for_keep.hpp"

#include <algorithm>
#include <cmath>
#include <new>
#include <numeric>
#include <vector>

#include "bilevel.hpp"
#include "exact.hpp"
#include "l1ball.hpp"
#include "numeric.hpp"
#include "reduce.hpp"

namespace bp {
namespace {

// Groups not entirely zero in the projection of y at radius eta, as this
// library's own kernel computes it.
template <class T>
Status kept_groups(const MatrixRef<T>& y, Groups g, KeepProjection p, double eta, std::vector<T>& out,
                   std::vector<double>& radii, std::size_t* kept) {
  ProjectionResult res;
  Status st = Status::kOk;
  switch (p) {
    case KeepProjection::kBilevelL1Inf: st = bilevel_l1inf(y, g, eta, out.data(), radii.data(), &res); break;
    case KeepProjection::kBilevelL11: st = bilevel_l11(y, g, eta, out.data(), radii.data(), &res); break;
    case KeepProjection::kBilevelL12: st = bilevel_l12(y, g, eta, out.data(), radii.data(), &res); break;
    case KeepProjection::kExactL1Inf: {
      // Every exact method is this library's projection, and their
      // thresholds can differ by a rounding error: the answer must suit
      // each, so the largest count decides.
      res.zero_groups = radii.size();
      for (ExactMethod m : {ExactMethod::kStream, ExactMethod::kNewton, ExactMethod::kSort}) {
        ProjectionResult r;
        st = project_l1inf_exact(y, g, eta, m, out.data(), radii.data(), &r);
        if (st != Status::kOk) return st;
        res.zero_groups = std::min(res.zero_groups, r.zero_groups);
      }
      break;
    }
  }
  *kept = radii.size() - res.zero_groups;
  return st;
}

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

}  // namespace

template <class T>
Status radius_for_keep(const MatrixRef<T>& y, Groups g, KeepProjection p, std::size_t keep, double* radius) try {
  *radius = 0.0;
  const std::size_t ng = group_count(y.rows, y.cols, g);
  if (y.size() == 0 || keep == 0) return Status::kOk;
  std::vector<double> mx(ng), s(ng);
  if (!group_max_sum<false>(y, g, 1.0, mx.data(), nullptr)) return Status::kNonFinite;
  const double big = max_of(mx.data(), ng);
  if (!is_finite(big)) return Status::kNonFinite;
  // A power of two that keeps every sum below the overflow threshold: the
  // norms are exact multiples of the true ones, and the answer is divided
  // back at the end.
  const double scale = overflow_guard_scale(big, static_cast<double>(y.size()));
  group_max_sum<true>(y, g, scale, mx.data(), s.data());
  const std::vector<double> raw = mx;  // group_l2 wants the unscaled maxima
  for (double& m : mx) m *= scale;
  // v: the norms the projection's outer l1 level works on; for the exact
  // projection the kept set is decided by the l1 norms s instead.
  std::vector<double> v;
  switch (p) {
    case KeepProjection::kBilevelL1Inf: v = mx; break;
    case KeepProjection::kBilevelL11: v = s; break;
    case KeepProjection::kBilevelL12: {
      v.resize(ng);
      group_l2(y, g, raw.data(), scale, v.data());
      break;
    }
    case KeepProjection::kExactL1Inf: v = s; break;
  }
  const std::size_t nonzero = static_cast<std::size_t>(std::count_if(mx.begin(), mx.end(), [](double m) { return m > 0.0; }));
  if (keep >= nonzero) {
    // Everything non-zero is kept: the mixed norm (l1,inf for the exact
    // projection, whose kept-set norm s is only the ordering).
    const std::vector<double>& n = p == KeepProjection::kExactL1Inf ? mx : v;
    CompensatedSum total;
    for (double x : n) total.add(x);
    *radius = total.value() / scale;
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
  const double breakpoint = std::max(star.value(), 0.0) / scale;
  // The kernel's own threshold is computed in floating point and may land a
  // hair below `next` at the breakpoint, keeping one group more: step down
  // until this library's projection keeps at most `keep`.
  std::vector<T> out(y.size());
  std::vector<double> radii(ng);
  double eta = breakpoint;
  double step = breakpoint * 0x1p-52;
  for (int i = 0; i < 80 && eta > 0.0; ++i) {
    std::size_t kept = 0;
    const Status st = kept_groups(y, g, p, eta, out, radii, &kept);
    if (st != Status::kOk) return st;
    if (kept <= keep) break;
    eta = breakpoint - step;
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
