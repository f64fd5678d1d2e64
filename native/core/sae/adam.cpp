#include "adam.hpp"

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#define BP_SAE_SSE2 1
#endif

namespace bp {
namespace sae {

// The update of one element; every operation is a correctly rounded IEEE one,
// so the SIMD paths below give the same bits as this scalar one.
template <class T>
struct AdamScalar {
  T b1, b2, c1, c2, step, inv_sqrt_bc2, eps;
  void operator()(T& p, T g, T& m, T& v) const {
    const T mi = b1 * m + c1 * g;
    const T vi = b2 * v + c2 * (g * g);
    m = mi;
    v = vi;
    p -= step * mi / (std::sqrt(vi) * inv_sqrt_bc2 + eps);
  }
};

template <class U>
struct AdamKernel {
  // Explicit SIMD because std::sqrt may set errno: without -fno-math-errno the
  // compiler will not vectorise it, and this loop runs over every parameter
  // once per batch.
  static std::size_t simd(const AdamScalar<U>&, U*, const U*, U*, U*, std::size_t) { return 0; }
};

#if BP_SAE_SSE2
template <>
struct AdamKernel<float> {
  static std::size_t simd(const AdamScalar<float>& k, float* p, const float* g, float* m, float* v, std::size_t n) {
    const __m128 b1 = _mm_set1_ps(k.b1), b2 = _mm_set1_ps(k.b2), c1 = _mm_set1_ps(k.c1), c2 = _mm_set1_ps(k.c2);
    const __m128 st = _mm_set1_ps(k.step), ib = _mm_set1_ps(k.inv_sqrt_bc2), eps = _mm_set1_ps(k.eps);
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
      const __m128 gi = _mm_loadu_ps(g + i);
      const __m128 mi = _mm_add_ps(_mm_mul_ps(b1, _mm_loadu_ps(m + i)), _mm_mul_ps(c1, gi));
      const __m128 vi = _mm_add_ps(_mm_mul_ps(b2, _mm_loadu_ps(v + i)), _mm_mul_ps(c2, _mm_mul_ps(gi, gi)));
      _mm_storeu_ps(m + i, mi);
      _mm_storeu_ps(v + i, vi);
      const __m128 den = _mm_add_ps(_mm_mul_ps(_mm_sqrt_ps(vi), ib), eps);
      _mm_storeu_ps(p + i, _mm_sub_ps(_mm_loadu_ps(p + i), _mm_div_ps(_mm_mul_ps(st, mi), den)));
    }
    return i;
  }
};

template <>
struct AdamKernel<double> {
  static std::size_t simd(const AdamScalar<double>& k, double* p, const double* g, double* m, double* v,
                          std::size_t n) {
    const __m128d b1 = _mm_set1_pd(k.b1), b2 = _mm_set1_pd(k.b2), c1 = _mm_set1_pd(k.c1), c2 = _mm_set1_pd(k.c2);
    const __m128d st = _mm_set1_pd(k.step), ib = _mm_set1_pd(k.inv_sqrt_bc2), eps = _mm_set1_pd(k.eps);
    std::size_t i = 0;
    for (; i + 2 <= n; i += 2) {
      const __m128d gi = _mm_loadu_pd(g + i);
      const __m128d mi = _mm_add_pd(_mm_mul_pd(b1, _mm_loadu_pd(m + i)), _mm_mul_pd(c1, gi));
      const __m128d vi = _mm_add_pd(_mm_mul_pd(b2, _mm_loadu_pd(v + i)), _mm_mul_pd(c2, _mm_mul_pd(gi, gi)));
      _mm_storeu_pd(m + i, mi);
      _mm_storeu_pd(v + i, vi);
      const __m128d den = _mm_add_pd(_mm_mul_pd(_mm_sqrt_pd(vi), ib), eps);
      _mm_storeu_pd(p + i, _mm_sub_pd(_mm_loadu_pd(p + i), _mm_div_pd(_mm_mul_pd(st, mi), den)));
    }
    return i;
  }
};
#endif

template <class T>
void Adam<T>::step(T* p, const T* g) {
  ++t_;
  const double bc1 = 1.0 - std::pow(s_.beta1, static_cast<double>(t_));
  const double bc2 = 1.0 - std::pow(s_.beta2, static_cast<double>(t_));
  const AdamScalar<T> k{static_cast<T>(s_.beta1),    static_cast<T>(s_.beta2),   static_cast<T>(1.0 - s_.beta1),
                        static_cast<T>(1.0 - s_.beta2), static_cast<T>(s_.lr / bc1), static_cast<T>(1.0 / std::sqrt(bc2)),
                        static_cast<T>(s_.eps)};
  const std::size_t n = m_.size();
  std::size_t i = AdamKernel<T>::simd(k, p, g, m_.data(), v_.data(), n);
  for (; i < n; ++i) k(p[i], g[i], m_[i], v_[i]);
}

template class Adam<float>;
template class Adam<double>;

}  // namespace sae
}  // namespace bp
