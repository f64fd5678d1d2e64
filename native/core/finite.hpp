// The check that a range of floats holds no NaN and no infinity, through the
// dispatch table (the loop is simd/loops-inl.hpp's `finite`).
#pragma once

#include <cstddef>

#include "simd/kernel_table.hpp"

namespace bp {

inline bool range_finite(const double* v, std::size_t n) {
  return simd::kernels().finite_f64(v, n);
}

inline bool range_finite(const float* v, std::size_t n) {
  return simd::kernels().finite_f32(v, n);
}

}  // namespace bp
