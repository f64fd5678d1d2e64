// Deliberately naive reference computations for the tests: sort-based and
// written for clarity, sharing no code with the kernels they check.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <vector>

namespace bptest {

// Soft threshold of the l1 projection of |a| onto radius r (0 if inside).
inline double brute_threshold(std::vector<double> a, double r) {
  for (double& v : a) v = std::fabs(v);
  std::sort(a.begin(), a.end(), std::greater<double>());
  long double prefix = 0;
  double tau = 0;
  long double total = 0;
  for (double v : a) total += v;
  if (total <= r) return 0.0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    prefix += a[k];
    double t = static_cast<double>((prefix - r) / static_cast<long double>(k + 1));
    if (k + 1 == a.size() || t >= a[k + 1]) {
      tau = t;
      break;
    }
  }
  return std::max(tau, 0.0);
}

// Group g of a row-major n x m matrix, as a vector.
inline std::vector<double> group_of(const std::vector<double>& y, std::size_t n, std::size_t m, bool rows,
                                    std::size_t g) {
  std::vector<double> v;
  if (rows) {
    for (std::size_t j = 0; j < m; ++j) v.push_back(y[g * m + j]);
  } else {
    for (std::size_t i = 0; i < n; ++i) v.push_back(y[i * m + g]);
  }
  return v;
}

inline double& at(std::vector<double>& y, std::size_t m, bool rows, std::size_t g, std::size_t k) {
  return rows ? y[g * m + k] : y[k * m + g];
}

struct Norms {
  double l1inf = 0, l11 = 0, l12 = 0, linf1 = 0, fro = 0;
};

inline Norms brute_norms(const std::vector<double>& y, std::size_t n, std::size_t m, bool rows) {
  Norms r;
  std::size_t ng = rows ? n : m;
  long double fro = 0;
  for (std::size_t g = 0; g < ng; ++g) {
    std::vector<double> v = group_of(y, n, m, rows, g);
    long double mx = 0, s = 0, q = 0;
    for (double x : v) {
      mx = std::max<long double>(mx, std::fabs(x));
      s += std::fabs(x);
      q += static_cast<long double>(x) * x;
    }
    r.l1inf += static_cast<double>(mx);
    r.l11 += static_cast<double>(s);
    r.l12 += static_cast<double>(std::sqrt(q));
    r.linf1 = std::max(r.linf1, static_cast<double>(s));
    fro += q;
  }
  r.fro = static_cast<double>(std::sqrt(fro));
  return r;
}

}  // namespace bptest
