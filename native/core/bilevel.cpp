#include "bilevel.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <new>
#include <vector>

#include "scratch.hpp"

#include "apply.hpp"
#include "group_l1_thresholds.hpp"
#include "l1ball.hpp"
#include "numeric.hpp"
#include "reduce.hpp"
#include "split.hpp"

namespace bp {
namespace {

template <class T>
void fill_zero(const MatrixRef<T>& y, T* out) {
  std::fill(out, out + y.size(), T(0));
}

template <class T>
void copy_input(const MatrixRef<T>& y, T* out) {
  if (out != y.data) std::copy(y.data, y.data + y.size(), out);
}

std::size_t count_zero(const ScratchVector<double>& v) {
  return static_cast<std::size_t>(std::count(v.begin(), v.end(), 0.0));
}

double compensated_total(const ScratchVector<double>& v) {
  CompensatedSum s;
  for (double x : v) s.add(x);
  return s.value();
}

// An empty matrix (0 rows or 0 columns): nothing to read or write, every
// (empty) group is zero. Answered before any pass, so that a shape such as
// 2^40 x 0 cannot send the reductions through 2^40 empty rows.
Status empty_projection(std::size_t ng, double* radii, ProjectionResult* res) {
  std::fill(radii, radii + ng, 0.0);
  res->zero_groups = ng;
  return Status::kOk;
}

// eta = 0: every group is zero.
template <class T>
Status zero_projection(const MatrixRef<T>& y, std::size_t ng, T* out, double* radii, ProjectionResult* res,
                       const StopToken& stop) {
  if (stop.requested()) return Status::kAborted;
  std::fill(radii, radii + ng, 0.0);
  fill_zero(y, out);
  res->zero_groups = ng;
  return Status::kOk;
}

// eta >= the mixed norm: y is its own projection (the caller has set radii
// to the group norms; mx holds the group maxima, zero for a zero group).
template <class T>
Status identity_projection(const MatrixRef<T>& y, const ScratchVector<double>& mx, T* out, ProjectionResult* res,
                           const StopToken& stop) {
  if (stop.requested()) return Status::kAborted;
  copy_input(y, out);
  res->zero_groups = count_zero(mx);
  return Status::kOk;
}

// The outer level shared by the three algorithms: u = P1_r(norms), with
// norms, u and the soft threshold tau in scaled units.
struct OuterLevel {
  ScratchVector<double> u;
  double tau;
};

OuterLevel outer_l1_projection(const ScratchVector<double>& norms, double r) {
  ScratchVector<double> scratch(norms);
  OuterLevel o{ScratchVector<double>(norms.size()), l1_threshold_inplace(scratch.data(), scratch.size(), r)};
  for (std::size_t j = 0; j < norms.size(); ++j) o.u[j] = std::max(norms[j] - o.tau, 0.0);
  return o;
}

}  // namespace

// Built from the split steps of split.hpp (norms, bilevel_radii,
// apply_radii), so that the split path gives the very same bytes.
template <class T>
Status bilevel_l1inf(const MatrixRef<T>& y, Groups g, double eta, T* out, double* radii, ProjectionResult* res,
                     const StopToken& stop) try {
  const std::size_t ng = group_count(y.rows, y.cols, g);
  if (y.size() == 0) return empty_projection(ng, radii, res);
  ScratchVector<double> mx(ng);
  // The maxima and the NaN check of group_norms(kLInf) without its pass for
  // an infinite maximum: bilevel_radii refuses non-finite norms itself, with
  // the same status, in the read it makes anyway.
  if (!group_max_sum<false>(y, g, 1.0, mx.data(), nullptr)) return Status::kNonFinite;
  double tau = 0.0;
  const Status rt = bilevel_radii(mx.data(), ng, eta, radii, &tau);
  if (rt != Status::kOk) return rt;
  // Inside the ball the clip would give back y bit for bit (radii = the
  // maxima); a copy (nothing at all in place) is cheaper.
  if (eta > 0.0 && tau == 0.0) return identity_projection(y, mx, out, res, stop);
  if (stop.requested()) return Status::kAborted;
  res->zero_groups = apply_radii_unchecked(y, g, ApplyKind::kClip, radii, nullptr, mx.data(), out);
  return Status::kOk;
} catch (const std::bad_alloc&) {
  return Status::kOutOfMemory;
}

// Built from the split steps like bilevel_l1inf: the l1 group norms,
// bilevel_radii, then project_groups_l1 (the step apply_radii runs for
// kShrink), so that a split into blocks of whole groups gives the very same
// bytes. Only when a group's l1 norm exceeds the largest double are the norms
// and radii solved in units scaled by a power of two (no split path exists
// there: the norms themselves cannot be written down).
template <class T>
Status bilevel_l11(const MatrixRef<T>& y, Groups g, double eta, T* out, double* radii, ProjectionResult* res,
                   const StopToken& stop) try {
  const std::size_t ng = group_count(y.rows, y.cols, g);
  if (y.size() == 0) return empty_projection(ng, radii, res);
  ScratchVector<double> mx(ng), s(ng);
  const bool no_nan = group_max_sum<true>(y, g, 1.0, mx.data(), s.data());
  const double big = max_of(mx.data(), ng);
  if (!no_nan || !is_finite(big)) return Status::kNonFinite;
  if (eta == 0.0) return zero_projection(y, ng, out, radii, res, stop);
  if (is_finite(max_of(s.data(), ng))) {
    double tau = 0.0;
    const Status rt = bilevel_radii(s.data(), ng, eta, radii, &tau);
    if (rt != Status::kOk) return rt;
    if (tau == 0.0) return identity_projection(y, mx, out, res, stop);
    if (stop.requested()) return Status::kAborted;
    res->zero_groups = project_groups_l1(y, g, radii, mx.data(), s.data(), out);
    return Status::kOk;
  }
  const double scale = overflow_guard_scale(big, static_cast<double>(y.size()));
  group_max_sum<true>(y, g, scale, mx.data(), s.data());
  const double r = eta * scale;
  if (compensated_total(s) <= r) {
    for (std::size_t j = 0; j < ng; ++j) radii[j] = s[j] / scale;
    return identity_projection(y, mx, out, res, stop);
  }
  const OuterLevel outer = outer_l1_projection(s, r);
  const ScratchVector<double>& u = outer.u;
  for (std::size_t j = 0; j < ng; ++j) radii[j] = u[j] / scale;
  ScratchVector<double> lambda(ng);
  group_l1_thresholds(y, g, scale, u.data(), mx.data(), s.data(), lambda.data());
  if (stop.requested()) return Status::kAborted;
  res->zero_groups = apply_groups<ShrinkMap<T>>(y, g, lambda.data(), mx.data(), out);
  return Status::kOk;
} catch (const std::bad_alloc&) {
  return Status::kOutOfMemory;
}

// Built from the split steps like bilevel_l1inf, in unscaled units; only
// when a group's l2 norm exceeds the largest double are the norms and radii
// solved in units scaled by a power of two (no split path exists there: the
// norms themselves cannot be written down).
template <class T>
Status bilevel_l12(const MatrixRef<T>& y, Groups g, double eta, T* out, double* radii, ProjectionResult* res,
                   const StopToken& stop) try {
  const std::size_t ng = group_count(y.rows, y.cols, g);
  if (y.size() == 0) return empty_projection(ng, radii, res);
  // The maxima (the NaN/infinity check, as group_norms gives it) and the l2
  // norms in one read: the same bits as group_norms(kLInf) then group_l2.
  ScratchVector<double> mx(ng), nrm(ng);
  if (!group_max_l2(y, g, mx.data(), nrm.data()) || !is_finite(max_of(mx.data(), ng))) return Status::kNonFinite;
  if (is_finite(max_of(nrm.data(), ng))) {
    double tau = 0.0;
    const Status rt = bilevel_radii(nrm.data(), ng, eta, radii, &tau);
    if (rt != Status::kOk) return rt;
    if (eta > 0.0 && tau == 0.0) return identity_projection(y, mx, out, res, stop);
    if (stop.requested()) return Status::kAborted;
    res->zero_groups = apply_radii_unchecked(y, g, ApplyKind::kScale, radii, nrm.data(), mx.data(), out);
    return Status::kOk;
  }
  const double scale = overflow_guard_scale(max_of(mx.data(), ng), static_cast<double>(y.size()));
  group_l2(y, g, mx.data(), scale, nrm.data());
  ScratchVector<double> u(ng);
  double tau = 0.0;
  const Status rt = bilevel_radii(nrm.data(), ng, eta * scale, u.data(), &tau);
  if (rt != Status::kOk) return rt;
  for (std::size_t j = 0; j < ng; ++j) radii[j] = u[j] / scale;
  if (stop.requested()) return Status::kAborted;
  res->zero_groups = apply_radii_unchecked(y, g, ApplyKind::kScale, u.data(), nrm.data(), mx.data(), out);
  return Status::kOk;
} catch (const std::bad_alloc&) {
  return Status::kOutOfMemory;
}

#define BP_INSTANTIATE(T)                                                                               \
  template Status bilevel_l1inf<T>(const MatrixRef<T>&, Groups, double, T*, double*, ProjectionResult*, \
                                   const StopToken&);                                                   \
  template Status bilevel_l11<T>(const MatrixRef<T>&, Groups, double, T*, double*, ProjectionResult*,   \
                                 const StopToken&);                                                     \
  template Status bilevel_l12<T>(const MatrixRef<T>&, Groups, double, T*, double*, ProjectionResult*, const StopToken&);
BP_INSTANTIATE(float)
BP_INSTANTIATE(double)
#undef BP_INSTANTIATE

}  // namespace bp
