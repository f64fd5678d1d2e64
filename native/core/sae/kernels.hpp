// The dense loops of the trainer, written for the batch of four samples the
// paper trains with: every pass over a weight matrix serves four samples at
// once, so each weight is loaded once per batch rather than once per sample.
// Plain C++ the compiler vectorises at -O2/-O3 without -ffast-math: the dot
// products keep eight independent partial sums per sample (lanes the compiler
// maps onto SIMD registers), and the updates are element-wise.
#pragma once

#include <cstddef>

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#define BP_SAE_SSE2 1
#endif

namespace bp {
namespace sae {

constexpr std::size_t kBlock = 4;  // samples per pass
constexpr std::size_t kLanes = 8;  // partial sums per dot product

// out[b][r * out_stride] = W[r, :] . x[b]  for r < rows, b < 4 (W rows x cols, row-major).
template <class T>
inline void dot_rows4(const T* w, std::size_t rows, std::size_t cols, const T* const* x, T* const* out) {
  const T* __restrict x0 = x[0];
  const T* __restrict x1 = x[1];
  const T* __restrict x2 = x[2];
  const T* __restrict x3 = x[3];
  for (std::size_t r = 0; r < rows; ++r) {
    const T* __restrict wr = w + r * cols;
    T a0[kLanes] = {}, a1[kLanes] = {}, a2[kLanes] = {}, a3[kLanes] = {};
    std::size_t j = 0;
    for (; j + kLanes <= cols; j += kLanes) {
      for (std::size_t l = 0; l < kLanes; ++l) {
        const T wv = wr[j + l];
        a0[l] += wv * x0[j + l];
        a1[l] += wv * x1[j + l];
        a2[l] += wv * x2[j + l];
        a3[l] += wv * x3[j + l];
      }
    }
    for (std::size_t l = 1; l < kLanes; ++l) {
      a0[0] += a0[l];
      a1[0] += a1[l];
      a2[0] += a2[l];
      a3[0] += a3[l];
    }
    for (; j < cols; ++j) {
      const T wv = wr[j];
      a0[0] += wv * x0[j];
      a1[0] += wv * x1[j];
      a2[0] += wv * x2[j];
      a3[0] += wv * x3[j];
    }
    out[0][r] = a0[0];
    out[1][r] = a1[0];
    out[2][r] = a2[0];
    out[3][r] = a3[0];
  }
}

#if BP_SAE_SSE2
// The float case by hand: the compiler's own vectorisation of the eight-lane
// form above spills the accumulators, and this loop is the forward pass of
// both large layers.
template <>
inline void dot_rows4<float>(const float* w, std::size_t rows, std::size_t cols, const float* const* x,
                             float* const* out) {
  const float* x0 = x[0];
  const float* x1 = x[1];
  const float* x2 = x[2];
  const float* x3 = x[3];
  const std::size_t c4 = cols / 4 * 4;
  for (std::size_t r = 0; r < rows; ++r) {
    const float* wr = w + r * cols;
    __m128 a0 = _mm_setzero_ps(), a1 = _mm_setzero_ps(), a2 = _mm_setzero_ps(), a3 = _mm_setzero_ps();
    for (std::size_t j = 0; j < c4; j += 4) {
      const __m128 wv = _mm_loadu_ps(wr + j);
      a0 = _mm_add_ps(a0, _mm_mul_ps(wv, _mm_loadu_ps(x0 + j)));
      a1 = _mm_add_ps(a1, _mm_mul_ps(wv, _mm_loadu_ps(x1 + j)));
      a2 = _mm_add_ps(a2, _mm_mul_ps(wv, _mm_loadu_ps(x2 + j)));
      a3 = _mm_add_ps(a3, _mm_mul_ps(wv, _mm_loadu_ps(x3 + j)));
    }
    // Transpose-and-add: lane b of s holds the full sum of a_b.
    const __m128 t0 = _mm_unpacklo_ps(a0, a1), t1 = _mm_unpackhi_ps(a0, a1);
    const __m128 t2 = _mm_unpacklo_ps(a2, a3), t3 = _mm_unpackhi_ps(a2, a3);
    const __m128 u0 = _mm_add_ps(t0, t1), u1 = _mm_add_ps(t2, t3);
    const __m128 s = _mm_add_ps(_mm_movelh_ps(u0, u1), _mm_movehl_ps(u1, u0));
    float acc[4];
    _mm_storeu_ps(acc, s);
    for (std::size_t j = c4; j < cols; ++j) {
      const float wv = wr[j];
      acc[0] += wv * x0[j];
      acc[1] += wv * x1[j];
      acc[2] += wv * x2[j];
      acc[3] += wv * x3[j];
    }
    out[0][r] = acc[0];
    out[1][r] = acc[1];
    out[2][r] = acc[2];
    out[3][r] = acc[3];
  }
}
#endif

// G[r, :] (=|+=) sum_b c[b][r] * x[b][:]  for r < rows: the gradient of a
// weight matrix, a sum of four outer products. Accumulate when `add`.
template <class T>
inline void rank4_rows(T* g, std::size_t rows, std::size_t cols, const T* const* c, const T* const* x, bool add) {
  const T* __restrict x0 = x[0];
  const T* __restrict x1 = x[1];
  const T* __restrict x2 = x[2];
  const T* __restrict x3 = x[3];
  for (std::size_t r = 0; r < rows; ++r) {
    T* __restrict gr = g + r * cols;
    const T c0 = c[0][r], c1 = c[1][r], c2 = c[2][r], c3 = c[3][r];
    if (add) {
      for (std::size_t j = 0; j < cols; ++j) gr[j] += (c0 * x0[j] + c1 * x1[j]) + (c2 * x2[j] + c3 * x3[j]);
    } else {
      for (std::size_t j = 0; j < cols; ++j) gr[j] = (c0 * x0[j] + c1 * x1[j]) + (c2 * x2[j] + c3 * x3[j]);
    }
  }
}

// y[b][:] += sum_r c[b][r] * W[r, :]  for b < 4: W^T times four vectors,
// streaming the rows of W once.
template <class T>
inline void transpose_mul4(const T* w, std::size_t rows, std::size_t cols, const T* const* c, T* const* y) {
  T* __restrict y0 = y[0];
  T* __restrict y1 = y[1];
  T* __restrict y2 = y[2];
  T* __restrict y3 = y[3];
  for (std::size_t r = 0; r < rows; ++r) {
    const T* __restrict wr = w + r * cols;
    const T c0 = c[0][r], c1 = c[1][r], c2 = c[2][r], c3 = c[3][r];
    for (std::size_t j = 0; j < cols; ++j) {
      const T wv = wr[j];
      y0[j] += c0 * wv;
      y1[j] += c1 * wv;
      y2[j] += c2 * wv;
      y3[j] += c3 * wv;
    }
  }
}

}  // namespace sae
}  // namespace bp
