#include "projection_step.hpp"

#include <algorithm>
#include <cmath>
#include <new>
#include <vector>

#include "l1ball.hpp"

namespace bp {
namespace sae {

namespace {

// One matrix (rows x cols, groups = columns) projected in place.
template <class T>
Status project_matrix(Operation op, T* w, std::size_t rows, std::size_t cols, double eta, std::size_t* zero_groups,
                      const StopToken& stop) {
  std::vector<double> radii(cols);
  ProjectionResult res;
  const Status st = project(op, MatrixRef<T>{w, rows, cols}, Groups::kColumns, eta, w, radii.data(), &res, stop);
  if (zero_groups != nullptr) *zero_groups = res.zero_groups;
  return st;
}

}  // namespace

template <class T>
Status project_network(Network<T>& net, ProjectionKind kind, double eta, const ProjectionTargets& targets,
                       std::size_t* zero_columns, const StopToken& stop) try {
  const Shape& s = net.shape();
  const ParamLayout& L = net.layout();
  T* p = net.params();
  if (!kind) {
    if (zero_columns != nullptr) *zero_columns = count_zero_columns(p + L.w1, s.hidden, s.inputs, 0.0);
    return Status::kOk;
  }
  Status st = project_matrix(*kind, p + L.w1, s.hidden, s.inputs, eta, zero_columns, stop);
  if (st != Status::kOk) return st;
  if (targets.bias) {
    T* b1 = p + L.b1;
    if (is_exact_projection(*kind)) {
      // The authors' exact l1,inf treats a vector as one column per entry:
      // each entry is clipped to [-eta, eta].
      const T e = static_cast<T>(eta);
      for (std::size_t r = 0; r < s.hidden; ++r) b1[r] = std::min(std::max(b1[r], -e), e);
    } else {
      st = project_l1_ball(b1, s.hidden, eta, b1);
      if (st != Status::kOk) return st;
    }
  }
  if (targets.w2) st = project_matrix(*kind, p + L.w2, s.classes, s.hidden, eta, nullptr, stop);
  return st;
} catch (const std::bad_alloc&) {
  return Status::kOutOfMemory;
}

template <class T>
void prune_small(Network<T>& net, double threshold) {
  const ParamLayout& L = net.layout();
  const Shape& s = net.shape();
  T* p = net.params();
  const T thr = static_cast<T>(threshold);
  const std::pair<std::size_t, std::size_t> ranges[2] = {{L.w1, s.hidden * s.inputs}, {L.w2, s.classes * s.hidden}};
  for (const auto& r : ranges) {
    T* w = p + r.first;
    for (std::size_t i = 0; i < r.second; ++i) {
      if (std::fabs(w[i]) < thr) w[i] = T(0);
    }
  }
}

template <class T>
std::size_t count_zero_columns(const T* w1, std::size_t rows, std::size_t cols, double threshold) {
  // Row-major W1: stream the rows, keep one flag per column.
  std::vector<unsigned char> alive(cols, 0);
  for (std::size_t r = 0; r < rows; ++r) {
    const T* row = w1 + r * cols;
    for (std::size_t j = 0; j < cols; ++j) {
      const double a = std::fabs(static_cast<double>(row[j]));
      if (threshold > 0.0 ? a >= threshold : a != 0.0) alive[j] = 1;
    }
  }
  return static_cast<std::size_t>(std::count(alive.begin(), alive.end(), 0));
}

#define BP_SAE_INSTANTIATE(T)                                                                                     \
  template Status project_network<T>(Network<T>&, ProjectionKind, double, const ProjectionTargets&, std::size_t*, \
                                     const StopToken&);                                                           \
  template void prune_small<T>(Network<T>&, double);                                                              \
  template std::size_t count_zero_columns<T>(const T*, std::size_t, std::size_t, double);
BP_SAE_INSTANTIATE(float)
BP_SAE_INSTANTIATE(double)
#undef BP_SAE_INSTANTIATE

}  // namespace sae
}  // namespace bp
