// Small numeric helpers shared by the kernels.
#pragma once

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

namespace bp {

// max that lets a NaN through once it has been seen, so that one pass both
// finds the largest |entry| and notices a NaN (an infinity wins on its own).
inline double nan_max(double m, double a) {
  return (a > m || a != a) ? a : m;
}

inline bool is_finite(double x) {
  return x - x == 0.0;
}

// Neumaier's compensated sum: the final soft thresholds are computed from a
// short list of survivors, where the extra accuracy is nearly free.
struct CompensatedSum {
  double sum = 0.0;
  double comp = 0.0;
  void add(double x) {
    double t = sum + x;
    if (std::fabs(sum) >= std::fabs(x)) {
      comp += (sum - t) + x;
    } else {
      comp += (x - t) + sum;
    }
    sum = t;
  }
  double value() const { return sum + comp; }
};

// CompensatedSum::add for s, x >= 0, where its branch on the larger
// magnitude is a max and a min: the same bits, no branch to mispredict. The
// same operations as comp_add's lanes (simd/loops-inl.hpp), so a scalar tail
// of a vector loop gives the lanes' bits.
inline void add_nonneg(double& s, double& c, double x) {
  const double t = s + x;
  c += (std::max(s, x) - t) + std::min(s, x);
  s = t;
}

// A power of two that keeps every sum of up to `count` entries of magnitude at
// most `max_abs` finite. Projections are positively homogeneous, so the
// kernels solve for thresholds in scaled units and scale them back exactly.
inline double overflow_guard_scale(double max_abs, double count) {
  if (!(max_abs > 0.0)) return 1.0;
  // Keep max_abs * count (and a few more doublings of head-room) below 2^1020.
  int e_max = std::ilogb(max_abs);
  int e_cnt = std::ilogb(count < 1.0 ? 1.0 : count) + 1;
  int excess = e_max + e_cnt + 3 - 1020;
  return excess > 0 ? std::ldexp(1.0, -excess) : 1.0;
}

// A computed lower bound used as a filter (entries at or below it are
// dropped as inactive) must not round above the true bound, or entries that
// are active by a hair are lost; at subnormal scale that can be every entry.
// Step a positive bound down by a few ulps and one subnormal; 0 (an exact
// bound) stays 0, and +inf (no bound: the group is dead) stays +inf.
inline double below(double x) {
  if (!(x > 0.0) || x == std::numeric_limits<double>::infinity()) return x;
  const double lowered = x - (x * 8.0 * DBL_EPSILON + DBL_TRUE_MIN);
  return lowered > 0.0 ? lowered : 0.0;
}

// Rounds a double result to T toward zero, so that rounding never makes |x|
// larger than the exact value: a projection stays inside its ball in the
// output's own precision. A no-op for double.
template <class T>
inline T narrow_toward_zero(double d) {
  return static_cast<T>(d);
}

template <>
inline float narrow_toward_zero<float>(double d) {
  float r = static_cast<float>(d);
  std::uint32_t bits;
  std::memcpy(&bits, &r, sizeof bits);
  // One step toward zero in sign-magnitude is one less in the bit pattern.
  bits -= std::fabs(static_cast<double>(r)) > std::fabs(d) ? 1u : 0u;
  std::memcpy(&r, &bits, sizeof bits);
  return r;
}

// y * s rounded toward zero where the product lands among the subnormals;
// a product of normal size is returned as multiplied (rounded to nearest:
// a relative 2^-53). Among the subnormals rounding to nearest adds up to
// half a unit of 2^-1074 to an entry, and a group whose results are all
// that small then leaves its ball by far more than its own rounding (the
// double l1,2 write: docs/bilevel-write.md, "Subnormal results"). The
// product is taken again 2^600 higher, where it is normal: the subnormal
// result p, scaled up exactly, is compared with it, and with the exact
// residual (fma) at a tie, to see whether p lies above |y s|.
inline double scale_toward_zero_if_subnormal(double y, double s) {
  const double p = y * s;
  // DBL_MIN itself included: a product just under it rounds up to it.
  if (p == 0.0 || !(std::fabs(p) <= DBL_MIN)) return p;
  const double s_up = s * 0x1p600;  // exact: |s| < 2^53 when |y s| <= 2^-1022
  const double q = y * s_up;        // normal: |q| in [2^-475, 2^-422)
  const double back = p * 0x1p600;  // exact, and on q's grid
  const double e = std::fma(y, s_up, -q);
  const bool above = std::fabs(back) > std::fabs(q) || (back == q && e != 0.0 && std::signbit(e) != std::signbit(q));
  return above ? std::nextafter(p, 0.0) : p;
}

// Soft thresholding of one entry, sign(y) * max(|y| - t, 0): computed in
// double and rounded once toward zero. Every write of the bilevel l1,1 and
// of the prox, scalar or vector, gives these bits.
template <class T>
inline T shrink_entry(T y, double t) {
  const double a = static_cast<double>(y);
  return narrow_toward_zero<T>(a > t ? a - t : (a < -t ? a + t : 0.0));
}

}  // namespace bp
