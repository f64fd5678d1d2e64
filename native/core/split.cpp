#include "split.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <new>
#include <type_traits>

#include "apply.hpp"
#include "finite.hpp"
#include "group_l1_thresholds.hpp"
#include "l1ball.hpp"
#include "numeric.hpp"
#include "parallel.hpp"
#include "reduce.hpp"
#include "scratch.hpp"

namespace bp {
namespace {

// a and b scaled by the same power of two (exact) so that neither squaring
// nor the sum can overflow or underflow what matters; only IEEE operations,
// so every machine gets the same bits (a libm hypot may differ by an ulp
// from one libm to another).
double safe_hypot(double a, double b) {
  const double hi = std::max(a, b), lo = std::min(a, b);
  if (!(hi > 0.0) || !is_finite(hi)) return hi + lo;  // 0, inf or NaN
  const int e = std::ilogb(hi);
  const double h = std::ldexp(hi, -e), l = std::ldexp(lo, -e);
  return std::ldexp(std::sqrt(h * h + l * l), e);
}

std::size_t count_zero_params(const double* p, std::size_t k, bool as_float) {
  std::size_t zero = 0;
  for (std::size_t j = 0; j < k; ++j) {
    const double q = as_float ? static_cast<double>(narrow_toward_zero<float>(p[j])) : p[j];
    zero += q == 0.0 ? 1 : 0;
  }
  return zero;
}

template <class T>
bool all_finite(const T* v, std::size_t n) {
  std::atomic<bool> ok{true};
  parallel_ranges(n, 4096, n, [&](std::size_t a, std::size_t b) {
    if (!range_finite(v + a, b - a)) ok = false;
  });
  return ok;
}

}  // namespace

template <class T>
Status group_norms(const MatrixRef<T>& y, Groups g, GroupNormKind kind, double* norms) try {
  const std::size_t ng = group_count(y.rows, y.cols, g);
  if (y.size() == 0) {
    std::fill(norms, norms + ng, 0.0);
    return Status::kOk;
  }
  // The maxima come first for every kind: they are the NaN/infinity check,
  // and the l2 norms need them to pick the groups that need rescaling.
  ScratchVector<double> mx(kind == GroupNormKind::kLInf ? 0 : ng);
  double* m = kind == GroupNormKind::kLInf ? norms : mx.data();
  if (kind == GroupNormKind::kL2) {
    // One read for both, as the one-shot l1,2 call (the same bits as the
    // maxima, then group_l2).
    if (!group_max_l2(y, g, m, norms) || !is_finite(max_of(m, ng))) return Status::kNonFinite;
    return Status::kOk;
  }
  const bool with_sum = kind == GroupNormKind::kL1;
  const bool no_nan = with_sum ? group_max_sum<true>(y, g, 1.0, m, norms) : group_max_sum<false>(y, g, 1.0, m, nullptr);
  if (!no_nan || !is_finite(max_of(m, ng))) return Status::kNonFinite;
  return Status::kOk;
} catch (const std::bad_alloc&) {
  return Status::kOutOfMemory;
}

void combine_group_norms(GroupNormKind kind, const double* a, const double* b, std::size_t k, double* out) {
  switch (kind) {
    case GroupNormKind::kLInf:
      for (std::size_t j = 0; j < k; ++j) out[j] = std::max(a[j], b[j]);
      break;
    case GroupNormKind::kL1:
      for (std::size_t j = 0; j < k; ++j) out[j] = a[j] + b[j];
      break;
    case GroupNormKind::kL2:
      for (std::size_t j = 0; j < k; ++j) out[j] = safe_hypot(a[j], b[j]);
      break;
  }
}

Status bilevel_radii(const double* norms, std::size_t k, double eta, double* radii, double* threshold) try {
  // The threshold reorders its input, so it gets a copy, and the radii are
  // read from the norms. One read of the norms makes that copy and finds the
  // largest norm, the finiteness probe and the sum the threshold starts from
  // (l1_copy_sum): at 80000 groups every pass over the norms cost about as
  // much as 0.5 % of the data's memcpy. The copy is not cleared first: every
  // entry is written.
  ScratchBuffer<double> scratch;
  // At eta = 0 only the largest norm and the finiteness test are needed: the
  // same read without the copy.
  const L1CopySum first = l1_copy_sum(norms, k, eta == 0.0 ? nullptr : scratch.take(k));
  const double big = first.largest;
  if (!first.finite || !is_finite(big)) return Status::kNonFinite;
  if (eta == 0.0) {
    std::fill(radii, radii + k, 0.0);
    *threshold = big;
    return Status::kOk;
  }
  // Solved in units scaled by a power of two that keeps every partial sum of
  // the norms finite; exact both ways, so the radii do not depend on it. The
  // threshold also decides whether the norms are inside the ball (tau = 0),
  // so they are summed only there.
  const double scale = overflow_guard_scale(big, static_cast<double>(k));
  double tau;
  if (scale == 1.0) {
    tau = l1_threshold_inplace_summed(scratch.data(), k, eta, first.sum);
  } else {
    for (std::size_t j = 0; j < k; ++j) scratch[j] = norms[j] * scale;
    tau = l1_threshold_inplace(scratch.data(), k, eta * scale);
  }
  if (tau == 0.0) {
    std::copy(norms, norms + k, radii);
    *threshold = 0.0;
    return Status::kOk;
  }
  if (scale == 1.0) {
    for (std::size_t j = 0; j < k; ++j) radii[j] = std::max(norms[j] - tau, 0.0);
  } else {
    for (std::size_t j = 0; j < k; ++j) radii[j] = std::max(norms[j] * scale - tau, 0.0) / scale;
  }
  *threshold = tau / scale;
  return Status::kOk;
} catch (const std::bad_alloc&) {
  return Status::kOutOfMemory;
}

namespace {

// The zero groups of out = Map(y) counted from the groups' largest |y| (mx),
// with the same arithmetic as the write (apply.hpp).
template <class Map>
std::size_t count_zero_groups(const double* mx, const double* p, std::size_t k) {
  std::size_t zero = 0;
  for (std::size_t j = 0; j < k; ++j) zero += Map::is_zero(mx[j], p[j]) ? 1 : 0;
  return zero;
}

// Double groups whose scaled results are all tiny: a factor > 0 and an l2
// norm of the result (radii[j]) under 2^-970, so that their entries reach
// the subnormals (a larger norm leaves an entry of at least norm / sqrt(len),
// far from them). Calls f(j, k) for every entry k of every such group j, in
// one order; a column is walked with its stride: this runs only at radii
// near 1e-292 and below, where speed does not matter.
template <class F>
void each_tiny_group_entry(const MatrixRef<double>& y, Groups g, const double* radii, const double* factor, F&& f) {
  constexpr double kTinyGroupNorm = 0x1p-970;
  const bool rows = g == Groups::kRows;
  const std::size_t ng = group_count(y.rows, y.cols, g), len = rows ? y.cols : y.rows, step = rows ? 1 : y.cols;
  for (std::size_t j = 0; j < ng; ++j) {
    if (!(factor[j] > 0.0) || !(radii[j] < kTinyGroupNorm)) continue;
    const std::size_t first = rows ? j * y.cols : j;
    for (std::size_t i = 0; i < len; ++i) f(j, first + i * step);
  }
}

// The write of apply_radii and its zero-group count; with `check`, rows are
// checked as they are written (write_groups_impl) and false means a
// non-finite row stopped the pass.
//
// The double scale rounds each product to nearest (the float one toward
// zero). Among the subnormals that adds up to half a unit of 2^-1074 to an
// entry, and a tiny group could then leave its ball by far more than its
// radius's own rounding; its products are therefore written again rounded
// toward zero (scale_toward_zero_if_subnormal) after the write: from y when
// out is another array, from a copy taken before the write when the write
// overwrites y (in place). Elsewhere the subnormal entries' half units weigh
// at most len * 2^-105 of the group's norm and nothing is redone: every
// other call's bytes are as they were (docs/bilevel-write.md, "Subnormal
// results").
template <class T>
bool write_radii(const MatrixRef<T>& y, Groups g, ApplyKind kind, const double* radii, const double* norms,
                 const double* mx, T* out, bool check, std::size_t* zero_groups) {
  const std::size_t ng = group_count(y.rows, y.cols, g);
  const bool is_float = sizeof(T) == sizeof(float);
  if (kind == ApplyKind::kClip) {
    *zero_groups = mx != nullptr ? ClipMap<T>::count_zero(mx, radii, ng) : count_zero_params(radii, ng, is_float);
    return write_groups_impl<ClipMap<T>>(y, g, radii, out, check);
  }
  ScratchVector<double> factor(ng);
  for (std::size_t j = 0; j < ng; ++j) factor[j] = norms[j] > 0.0 ? radii[j] / norms[j] : 0.0;
  *zero_groups = mx != nullptr ? count_zero_groups<ScaleMap<T>>(mx, factor.data(), ng)
                               : count_zero_params(factor.data(), ng, false);
  if constexpr (std::is_same_v<T, double>) {
    const bool in_place = out == y.data;
    std::vector<double> kept;
    if (in_place) {
      std::size_t count = 0;
      each_tiny_group_entry(y, g, radii, factor.data(), [&](std::size_t, std::size_t) { ++count; });
      kept.reserve(count);
      each_tiny_group_entry(y, g, radii, factor.data(), [&](std::size_t, std::size_t k) { kept.push_back(y.data[k]); });
    }
    if (!write_groups_impl<ScaleMap<T>>(y, g, factor.data(), out, check)) return false;
    std::size_t at = 0;
    each_tiny_group_entry(y, g, radii, factor.data(), [&](std::size_t j, std::size_t k) {
      out[k] = scale_toward_zero_if_subnormal(in_place ? kept[at++] : y.data[k], factor[j]);
    });
    return true;
  } else {
    return write_groups_impl<ScaleMap<T>>(y, g, factor.data(), out, check);
  }
}

}  // namespace

template <class T>
std::size_t apply_radii_unchecked(const MatrixRef<T>& y, Groups g, ApplyKind kind, const double* radii,
                                  const double* norms, const double* mx, T* out) {
  std::size_t zero = 0;
  if (kind == ApplyKind::kShrink) {
    project_groups_l1_checked(y, g, radii, out, &zero);
    return zero;
  }
  write_radii(y, g, kind, radii, norms, mx, out, false, &zero);
  return zero;
}

template <class T>
Status apply_radii(const MatrixRef<T>& y, Groups g, ApplyKind kind, const double* radii, const double* norms,
                   const double* mx, T* out, std::size_t* zero_groups) try {
  if (kind == ApplyKind::kShrink) return project_groups_l1_checked(y, g, radii, out, zero_groups);
  if (out == y.data) {
    // In place, a row written is a row of y lost: every entry is checked
    // before the first write, at the price of one more read of the block.
    if (!all_finite(y.data, y.size())) return Status::kNonFinite;
    *zero_groups = apply_radii_unchecked(y, g, kind, radii, norms, mx, out);
    return Status::kOk;
  }
  // Into a separate out, each row is checked on its way into the cache just
  // before it is written, which costs no extra read of memory. If a row is
  // not finite the pass stops and out is filled with NaN, so that no half-
  // written block can pass for a projection; y is never written.
  if (!write_radii(y, g, kind, radii, norms, mx, out, true, zero_groups)) {
    std::fill(out, out + y.size(), std::numeric_limits<T>::quiet_NaN());
    return Status::kNonFinite;
  }
  return Status::kOk;
} catch (const std::bad_alloc&) {
  return Status::kOutOfMemory;
}

template <class T>
void l1_ball_threshold_stats(const T* v, std::size_t n, double tau, double* count, double* sum, bool* nan) {
  CompensatedSum s;
  std::size_t c = 0;
  bool bad = false;
  for (std::size_t i = 0; i < n; ++i) {
    const double a = std::fabs(static_cast<double>(v[i]));
    bad |= a != a;
    if (a > tau) {
      s.add(a);
      ++c;
    }
  }
  *count = static_cast<double>(c);
  *sum = s.value();
  *nan = bad;
}

#define BP_INSTANTIATE(T)                                                                                             \
  template Status group_norms<T>(const MatrixRef<T>&, Groups, GroupNormKind, double*);                                \
  template Status apply_radii<T>(const MatrixRef<T>&, Groups, ApplyKind, const double*, const double*, const double*, \
                                 T*, std::size_t*);                                                                   \
  template std::size_t apply_radii_unchecked<T>(const MatrixRef<T>&, Groups, ApplyKind, const double*, const double*, \
                                                const double*, T*);                                                   \
  template void l1_ball_threshold_stats<T>(const T*, std::size_t, double, double*, double*, bool*);
BP_INSTANTIATE(float)
BP_INSTANTIATE(double)
#undef BP_INSTANTIATE

}  // namespace bp
