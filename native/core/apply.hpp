// The single write pass of every projection: an elementwise map of y into out
// with one parameter per group. Reading y[k] and writing out[k] at the same
// index makes out == y (in place) safe.
//
// Each map is monotone in |y| and keeps the sign of y, so a group of out is
// all zero exactly when the map sends the group's largest |y| to zero; the
// *_is_zero helpers count zero groups that way, with the same arithmetic as the
// write itself.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "numeric.hpp"
#include "status.hpp"

namespace bp {

// x = sign(y) * min(|y|, c): the l-infinity ball of radius c (clipping).
template <class T>
struct ClipMap {
  static T apply(T y, T c) { return std::min(std::max(y, -c), c); }
  static T param(double c) { return narrow_toward_zero<T>(c); }
  static bool is_zero(double mx, double c) { return std::min(static_cast<T>(mx), param(c)) == T(0); }
};

// x = sign(y) * max(|y| - t, 0): soft thresholding, computed in double and
// rounded once, toward zero.
template <class T>
struct ShrinkMap {
  static T apply(T y, double t) {
    double a = static_cast<double>(y);
    return narrow_toward_zero<T>(a > t ? a - t : (a < -t ? a + t : 0.0));
  }
  static double param(double t) { return t; }
  static bool is_zero(double mx, double t) { return apply(static_cast<T>(mx), t) == T(0); }
};

// x = s * y: the scaling of the bilevel l1,2 projection.
template <class T>
struct ScaleMap {
  static T apply(T y, double s) { return narrow_toward_zero<T>(static_cast<double>(y) * s); }
  static double param(double s) { return s; }
  static bool is_zero(double mx, double s) { return apply(static_cast<T>(mx), s) == T(0); }
};

// out = Map(y) with parameter p[j] for group j; returns how many groups of out
// are entirely zero (mx holds the group maxima of |y|).
template <class Map, class T>
std::size_t apply_groups(const MatrixRef<T>& y, Groups g, const double* p, const double* mx, T* out) {
  using P = decltype(Map::param(0.0));
  const std::size_t n = y.rows, m = y.cols;
  const std::size_t ng = group_count(n, m, g);
  std::size_t zero = 0;
  for (std::size_t j = 0; j < ng; ++j) zero += Map::is_zero(mx[j], p[j]) ? 1 : 0;
  if (g == Groups::kColumns) {
    std::vector<P> q(m);
    for (std::size_t j = 0; j < m; ++j) q[j] = Map::param(p[j]);
    for (std::size_t i = 0; i < n; ++i) {
      const T* r = y.data + i * m;
      T* o = out + i * m;
      for (std::size_t j = 0; j < m; ++j) o[j] = Map::apply(r[j], q[j]);
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      const T* r = y.data + i * m;
      T* o = out + i * m;
      const P q = Map::param(p[i]);
      for (std::size_t j = 0; j < m; ++j) o[j] = Map::apply(r[j], q);
    }
  }
  return zero;
}

}  // namespace bp
