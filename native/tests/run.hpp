// Thin wrappers so the tests can call every projection the same way.
#pragma once

#include <string>
#include <vector>

#include "bilevel_projection.hpp"

namespace bptest {

enum class Method {
  kBilevelL1Inf,
  kBilevelL11,
  kBilevelL12,
  kNewton,
  kSort,
  kProxNewton,
  kProxSort,
  kStream,
  kProxStream
};

template <class T>
struct Result {
  bp::Status status;
  std::vector<T> out;
  std::vector<double> radii;
  std::size_t zero_groups;
};

template <class T>
Result<T> run(Method method, const std::vector<T>& y, std::size_t n, std::size_t m, bool rows, double eta) {
  bp::MatrixRef<T> ref{y.data(), n, m};
  bp::Groups g = rows ? bp::Groups::kRows : bp::Groups::kColumns;
  Result<T> r;
  r.out.assign(y.size(), T(-12345));
  r.radii.assign(rows ? n : m, -1.0);
  bp::ProjectionResult pr;
  switch (method) {
    case Method::kBilevelL1Inf:
      r.status = bp::bilevel_l1inf(ref, g, eta, r.out.data(), r.radii.data(), &pr);
      break;
    case Method::kBilevelL11:
      r.status = bp::bilevel_l11(ref, g, eta, r.out.data(), r.radii.data(), &pr);
      break;
    case Method::kBilevelL12:
      r.status = bp::bilevel_l12(ref, g, eta, r.out.data(), r.radii.data(), &pr);
      break;
    case Method::kNewton:
      r.status = bp::project_l1inf_exact(ref, g, eta, bp::ExactMethod::kNewton, r.out.data(), r.radii.data(), &pr);
      break;
    case Method::kSort:
      r.status = bp::project_l1inf_exact(ref, g, eta, bp::ExactMethod::kSort, r.out.data(), r.radii.data(), &pr);
      break;
    case Method::kProxNewton:
      r.status = bp::prox_linf1(ref, g, eta, bp::ExactMethod::kNewton, r.out.data(), r.radii.data(), &pr);
      break;
    case Method::kProxSort:
      r.status = bp::prox_linf1(ref, g, eta, bp::ExactMethod::kSort, r.out.data(), r.radii.data(), &pr);
      break;
    case Method::kStream:
      r.status = bp::project_l1inf_exact(ref, g, eta, bp::ExactMethod::kStream, r.out.data(), r.radii.data(), &pr);
      break;
    case Method::kProxStream:
      r.status = bp::prox_linf1(ref, g, eta, bp::ExactMethod::kStream, r.out.data(), r.radii.data(), &pr);
      break;
  }
  r.zero_groups = pr.zero_groups;
  return r;
}

template <class T>
double norm_of(const std::vector<T>& y, std::size_t n, std::size_t m, bool rows, bp::NormKind kind) {
  double r = -1;
  bp::mixed_norm(bp::MatrixRef<T>{y.data(), n, m}, rows ? bp::Groups::kRows : bp::Groups::kColumns, kind, &r);
  return r;
}

inline std::vector<double> random_matrix(Rng& rng, std::size_t n, std::size_t m, int kind) {
  std::vector<double> y(n * m);
  for (double& x : y) {
    switch (kind) {
      case 0:
        x = rng.uniform();
        break;
      case 1:
        x = rng.normal();
        break;
      case 2:
        x = static_cast<double>(static_cast<int>(rng.below(7)) - 3);
        break;
      case 3:
        x = std::tan(3.0 * (rng.uniform() - 0.5));
        break;
      default:
        x = rng.uniform() < 0.7 ? 0.0 : rng.normal();
        break;  // sparse, zero columns likely
    }
  }
  return y;
}

}  // namespace bptest
