#include "adam.hpp"

#include <cmath>

#include "../simd/kernel_table.hpp"

namespace bp {
namespace sae {

namespace {

// The update loop is one of the dispatched loops (simd/loops-inl.hpp):
// explicit SIMD because std::sqrt may set errno, so without -fno-math-errno
// the compiler will not vectorise it, and it runs over every parameter once
// per batch. Every operation is a correctly rounded IEEE one, so every
// instruction set gives the same bits.
inline void update(const simd::AdamCoefficients<double>& k, double* p, const double* g, double* m, double* v,
                   std::size_t n) {
  simd::kernels().adam_f64(k, p, g, m, v, n);
}
inline void update(const simd::AdamCoefficients<float>& k, float* p, const float* g, float* m, float* v,
                   std::size_t n) {
  simd::kernels().adam_f32(k, p, g, m, v, n);
}

}  // namespace

template <class T>
void Adam<T>::step(T* p, const T* g) {
  ++t_;
  const double bc1 = 1.0 - std::pow(s_.beta1, static_cast<double>(t_));
  const double bc2 = 1.0 - std::pow(s_.beta2, static_cast<double>(t_));
  const simd::AdamCoefficients<T> k{static_cast<T>(s_.beta1),       static_cast<T>(s_.beta2),
                                    static_cast<T>(1.0 - s_.beta1), static_cast<T>(1.0 - s_.beta2),
                                    static_cast<T>(s_.lr / bc1),    static_cast<T>(1.0 / std::sqrt(bc2)),
                                    static_cast<T>(s_.eps)};
  update(k, p, g, m_.data(), v_.data(), m_.size());
}

template class Adam<float>;
template class Adam<double>;

}  // namespace sae
}  // namespace bp
