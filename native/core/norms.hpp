// The four mixed norms of the paper, over the groups of a row-major matrix.
#pragma once

#include "status.hpp"

namespace bp {

enum class NormKind : int {
  kL1Inf = 0,  // sum over groups of max |y|
  kL11 = 1,    // sum of |y|
  kL12 = 2,    // sum over groups of the l2 norm (overflow/underflow safe)
  kLInf1 = 3,  // max over groups of the l1 norm
};

// +Infinity only when the true value exceeds the largest double.
template <class T>
Status mixed_norm(const MatrixRef<T>& y, Groups g, NormKind kind, double* result);

}  // namespace bp
