// Non-temporal ("streaming") stores for the write pass of large outputs: the
// destination lines are written without first being read into the cache
// (no read-for-ownership), which saves a third of the write pass's memory
// traffic when the output is a separate array too large to stay in cache.
// Plain stores elsewhere: in place, the lines were just read and are cached.
// The loops are in simd/loops-inl.hpp, reached through the dispatch table.
#pragma once

#include <cstddef>

#include "simd/kernel_table.hpp"

#ifdef BP_SIMD_X86
#include <emmintrin.h>
#endif

namespace bp {

// Outputs at least this large bypass the cache (about half the last-level
// cache of a small server core pair: smaller results are better left cached).
constexpr std::size_t kStreamBytes = std::size_t(16) << 20;

// dst[k] = clamp(src[k], -c[k], c[k]) (Each) or clamp(src[k], -one, one), the
// write pass of the l1,inf projections, with streaming stores.
//
// The scalar clamp below follows the lanes' max-then-min order to the bit
// (a > b ? a : b, then a < b ? a : b), so a value clipped to a zero radius is
// +0 on every path (vector body, scalar head and tail, direct writes), and
// the bytes of a projection do not depend on where its rows sit in memory.
template <class T>
inline T clamp_sym(T v, T c) {
  const T t = v > -c ? v : -c;
  return t < c ? t : c;
}

// Returns whether every src entry was finite (the check rides along).
template <bool Each>
inline bool stream_clamp(const double* src, const double* c, double one, double* dst, std::size_t n) {
  const simd::KernelTable& k = simd::kernels();
  return (Each ? k.clamp_each_f64 : k.clamp_one_f64)(src, c, one, dst, n);
}

template <bool Each>
inline bool stream_clamp(const float* src, const float* c, float one, float* dst, std::size_t n) {
  const simd::KernelTable& k = simd::kernels();
  return (Each ? k.clamp_each_f32 : k.clamp_one_f32)(src, c, one, dst, n);
}

// The float clip of whole rows of m entries laid end to end (n entries, the
// first at column 0): cc holds the m parameters and then their first
// simd::kWrapLanes again. Float only (double rows of the grid fill whole
// lines). True when every src entry was finite.
inline bool stream_clamp_wrap(const float* src, const float* cc, float* dst, std::size_t n, std::size_t m) {
  return simd::kernels().clamp_wrap_f32(src, cc, dst, n, m, 0);
}

// dst[k] = sign(src[k]) * max(|src[k]| - t, 0) (t per entry, or one t),
// computed in double and rounded toward zero, the write pass of the l1
// projections, the bilevel l1,1 and the prox; streamed when Stream. Zero
// results are +0, exactly as ShrinkMap::apply gives them.
template <bool Each, bool Stream>
inline void shrink_row(const double* src, const double* t, double one, double* dst, std::size_t n) {
  simd::kernels().shrink_f64[Each][Stream](src, t, one, dst, n);
}

template <bool Each, bool Stream>
inline void shrink_row(const float* src, const double* t, double one, float* dst, std::size_t n) {
  simd::kernels().shrink_f32[Each][Stream](src, t, one, dst, n);
}

// dst[k] = src[k] * s (s per entry, or one s), computed in double and
// rounded toward zero, as ScaleMap::apply: the write pass of the bilevel l1,2
// projection; streamed when Stream. Returns whether every src entry was
// finite (the check rides along).
template <bool Each, bool Stream>
inline bool scale_row(const double* src, const double* s, double one, double* dst, std::size_t n) {
  return simd::kernels().scale_f64[Each][Stream](src, s, one, dst, n);
}

template <bool Each, bool Stream>
inline bool scale_row(const float* src, const double* s, double one, float* dst, std::size_t n) {
  return simd::kernels().scale_f32[Each][Stream](src, s, one, dst, n);
}

// dst[k] = +0 with streaming stores: the zero blocks of a sparse result.
inline void stream_zero(double* dst, std::size_t n) {
  simd::kernels().zero_f64(dst, n);
}
inline void stream_zero(float* dst, std::size_t n) {
  simd::kernels().zero_f32(dst, n);
}

// Asks for [p, p + bytes) to be brought into the cache, one request per line.
inline void prefetch_range(const void* p, std::size_t bytes) {
#if defined(__GNUC__) || defined(__clang__)
  const char* c = static_cast<const char*>(p);
  for (std::size_t k = 0; k < bytes; k += 64) __builtin_prefetch(c + k, 0, 3);
#else
  (void)p;
  (void)bytes;
#endif
}

// Orders the streamed stores before anything that follows (a reader on
// another thread, say).
inline void stream_fence() {
#ifdef BP_SIMD_X86
  _mm_sfence();
#endif
}

}  // namespace bp
