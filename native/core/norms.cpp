#include "norms.hpp"

#include <algorithm>
#include <cmath>
#include <new>
#include <vector>

#include "numeric.hpp"
#include "reduce.hpp"

namespace bp {

template <class T>
Status mixed_norm(const MatrixRef<T>& y, Groups g, NormKind kind, double* result) try {
  if (y.size() == 0) {  // before any pass: a 2^40 x 0 matrix has 2^40 empty rows
    *result = 0.0;
    return Status::kOk;
  }
  const std::size_t ng = group_count(y.rows, y.cols, g);
  std::vector<double> mx(ng), s;
  bool no_nan;
  if (kind == NormKind::kL11 || kind == NormKind::kLInf1) {
    s.resize(ng);
    no_nan = group_max_sum<true>(y, g, 1.0, mx.data(), s.data());
  } else {
    no_nan = group_max_sum<false>(y, g, 1.0, mx.data(), nullptr);
  }
  const double big = max_of(mx.data(), ng);
  if (!no_nan || !is_finite(big)) return Status::kNonFinite;
  // Work in scaled units so that no partial sum overflows unless the norm
  // itself does.
  const double scale = overflow_guard_scale(big, static_cast<double>(y.size()));
  if (scale != 1.0 && !s.empty()) group_max_sum<true>(y, g, scale, mx.data(), s.data());
  CompensatedSum total;
  double r = 0.0;
  switch (kind) {
    case NormKind::kL1Inf:
      for (double v : mx) total.add(v * scale);
      r = total.value();
      break;
    case NormKind::kL11:
      for (double v : s) total.add(v);
      r = total.value();
      break;
    case NormKind::kL12: {
      std::vector<double> nrm(ng);
      group_l2(y, g, mx.data(), scale, nrm.data());
      for (double v : nrm) total.add(v);
      r = total.value();
      break;
    }
    case NormKind::kLInf1:
      for (double v : s) r = std::max(r, v);
      break;
  }
  *result = r / scale;
  return Status::kOk;
} catch (const std::bad_alloc&) {
  return Status::kOutOfMemory;
}

template Status mixed_norm<float>(const MatrixRef<float>&, Groups, NormKind, double*);
template Status mixed_norm<double>(const MatrixRef<double>&, Groups, NormKind, double*);

}  // namespace bp
