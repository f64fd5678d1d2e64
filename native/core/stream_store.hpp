// Non-temporal ("streaming") stores for the write pass of large outputs: the
// destination lines are written without first being read into the cache
// (no read-for-ownership), which saves a third of the write pass's memory
// traffic when the output is a separate array too large to stay in cache.
// Plain stores elsewhere: in place, the lines were just read and are cached.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "numeric.hpp"
#include "stream_avx2.hpp"

#if defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)
#include <emmintrin.h>
#define BP_HAVE_STREAM_STORES 1
#endif

namespace bp {

// Outputs at least this large bypass the cache (about half the last-level
// cache of a small server core pair: smaller results are better left cached).
constexpr std::size_t kStreamBytes = std::size_t(16) << 20;

// dst[k] = clamp(src[k], -c[k], c[k]) (c_each) or clamp(src[k], -c, c), the
// write pass of the l1,inf projections, with streaming stores: vectorised by
// hand because this is the one write pass with a speed target.
// The scalar twin follows the vector min/max to the bit: (a > b ? a : b),
// then (a < b ? a : b), so a value clipped to a zero radius is +0 on every
// path (aligned body, unaligned head and tail, in place or not), and the
// bytes of a projection do not depend on where its rows sit in memory.
template <class T>
inline T clamp_sym(T v, T c) {
  const T t = v > -c ? v : -c;
  return t < c ? t : c;
}

#ifdef BP_HAVE_STREAM_STORES
inline __m128d clamp_sym(__m128d v, __m128d c) {
  const __m128d sign = _mm_set1_pd(-0.0);
  return _mm_min_pd(_mm_max_pd(v, _mm_xor_pd(c, sign)), c);
}
inline __m128 clamp_sym(__m128 v, __m128 c) {
  const __m128 sign = _mm_set1_ps(-0.0f);
  return _mm_min_ps(_mm_max_ps(v, _mm_xor_ps(c, sign)), c);
}
#endif

#ifdef BP_HAVE_STREAM_STORES
// Streaming stores leave the hardware prefetcher less to go on: a software
// prefetch of the source, a few pages ahead, once per cache line, brings the
// write pass down to a memcpy's time (5.0 -> 4.1 ms for 64 MB here).
constexpr std::size_t kPrefetchBytes = 4096;
template <class T>
inline void prefetch_line(const T* src, std::size_t k) {
  if ((k * sizeof(T)) % 64 == 0) {
    _mm_prefetch(reinterpret_cast<const char*>(src + k) + kPrefetchBytes, _MM_HINT_T0);
  }
}
#endif

template <bool Each>
inline void stream_clamp(const double* src, const double* c, double one, double* dst, std::size_t n) {
#ifdef BP_HAVE_AVX2_STREAMS
  if (avx2::available()) return Each ? avx2::clamp_each(src, c, dst, n) : avx2::clamp_one(src, one, dst, n);
#endif
  std::size_t k = 0;
#ifdef BP_HAVE_STREAM_STORES
  for (; k < n && (reinterpret_cast<std::uintptr_t>(dst + k) & 15) != 0; ++k) dst[k] = clamp_sym(src[k], Each ? c[k] : one);
  const __m128d c1 = _mm_set1_pd(one);
  for (; k + 2 <= n; k += 2) {
    prefetch_line(src, k);
    __m128d ck = Each ? _mm_loadu_pd(c + k) : c1;
    _mm_stream_pd(dst + k, clamp_sym(_mm_loadu_pd(src + k), ck));
  }
#endif
  for (; k < n; ++k) dst[k] = clamp_sym(src[k], Each ? c[k] : one);
}

template <bool Each>
inline void stream_clamp(const float* src, const float* c, float one, float* dst, std::size_t n) {
#ifdef BP_HAVE_AVX2_STREAMS
  if (avx2::available()) return Each ? avx2::clamp_each(src, c, dst, n) : avx2::clamp_one(src, one, dst, n);
#endif
  std::size_t k = 0;
#ifdef BP_HAVE_STREAM_STORES
  for (; k < n && (reinterpret_cast<std::uintptr_t>(dst + k) & 15) != 0; ++k) dst[k] = clamp_sym(src[k], Each ? c[k] : one);
  const __m128 c1 = _mm_set1_ps(one);
  for (; k + 4 <= n; k += 4) {
    prefetch_line(src, k);
    __m128 ck = Each ? _mm_loadu_ps(c + k) : c1;
    _mm_stream_ps(dst + k, clamp_sym(_mm_loadu_ps(src + k), ck));
  }
#endif
  for (; k < n; ++k) dst[k] = clamp_sym(src[k], Each ? c[k] : one);
}

// dst[k] = sign(src[k]) * max(|src[k]| - t, 0) (t per entry, or one t),
// computed in double and rounded toward zero, the write pass of the l1
// projections, the bilevel l1,1 and the prox. Zero results are +0, exactly
// as ShrinkMap::apply gives them.
template <bool Each, bool Stream>
inline void shrink_row(const double* src, const double* t, double one, double* dst, std::size_t n) {
#ifdef BP_HAVE_AVX2_STREAMS
  if (Stream && avx2::available()) return Each ? avx2::shrink_each(src, t, dst, n) : avx2::shrink_one(src, one, dst, n);
#endif
  auto scalar = [&](std::size_t k) {
    double a = src[k], tk = Each ? t[k] : one;
    dst[k] = a > tk ? a - tk : (a < -tk ? a + tk : 0.0);
  };
  std::size_t k = 0;
#ifdef BP_HAVE_STREAM_STORES
  if (Stream) for (; k < n && (reinterpret_cast<std::uintptr_t>(dst + k) & 15) != 0; ++k) scalar(k);
  const __m128d sign = _mm_set1_pd(-0.0), zero = _mm_setzero_pd(), t1 = _mm_set1_pd(one);
  for (; k + 2 <= n; k += 2) {
    if (Stream) prefetch_line(src, k);
    __m128d y = _mm_loadu_pd(src + k);
    __m128d tk = Each ? _mm_loadu_pd(t + k) : t1;
    __m128d d = _mm_max_pd(_mm_sub_pd(_mm_andnot_pd(sign, y), tk), zero);
    __m128d r = _mm_or_pd(d, _mm_and_pd(_mm_and_pd(sign, y), _mm_cmpgt_pd(d, zero)));
    if (Stream) _mm_stream_pd(dst + k, r); else _mm_storeu_pd(dst + k, r);
  }
#endif
  for (; k < n; ++k) scalar(k);
}

template <bool Each, bool Stream>
inline void shrink_row(const float* src, const double* t, double one, float* dst, std::size_t n) {
  auto scalar = [&](std::size_t k) {
    double a = static_cast<double>(src[k]), tk = Each ? t[k] : one;
    dst[k] = narrow_toward_zero<float>(a > tk ? a - tk : (a < -tk ? a + tk : 0.0));
  };
  std::size_t k = 0;
#ifdef BP_HAVE_STREAM_STORES
  if (Stream) for (; k < n && (reinterpret_cast<std::uintptr_t>(dst + k) & 15) != 0; ++k) scalar(k);
  const __m128d dsign = _mm_set1_pd(-0.0), dzero = _mm_setzero_pd(), t1 = _mm_set1_pd(one);
  const __m128 fsign = _mm_set1_ps(-0.0f), fzero = _mm_setzero_ps();
  auto half = [&](__m128d y, __m128d tk, __m128* down) {
    __m128d d = _mm_max_pd(_mm_sub_pd(_mm_andnot_pd(dsign, y), tk), dzero);
    __m128 f = _mm_cvtpd_ps(d);                      // rounded to nearest
    *down = _mm_castpd_ps(_mm_cmpgt_pd(_mm_cvtps_pd(f), d));  // rounded up: step down
    return f;
  };
  for (; k + 4 <= n; k += 4) {
    if (Stream) prefetch_line(src, k);
    __m128 y = _mm_loadu_ps(src + k);
    __m128d tlo = Each ? _mm_loadu_pd(t + k) : t1, thi = Each ? _mm_loadu_pd(t + k + 2) : t1;
    __m128 dlo, dhi;
    __m128 flo = half(_mm_cvtps_pd(y), tlo, &dlo);
    __m128 fhi = half(_mm_cvtps_pd(_mm_movehl_ps(y, y)), thi, &dhi);
    __m128 f = _mm_movelh_ps(flo, fhi);
    __m128 down = _mm_shuffle_ps(dlo, dhi, _MM_SHUFFLE(2, 0, 2, 0));
    // Adding an all-ones lane (-1) to a positive float's bits steps it toward zero.
    f = _mm_castsi128_ps(_mm_add_epi32(_mm_castps_si128(f), _mm_castps_si128(down)));
    __m128 r = _mm_or_ps(f, _mm_and_ps(_mm_and_ps(fsign, y), _mm_cmpgt_ps(f, fzero)));
    if (Stream) _mm_stream_ps(dst + k, r); else _mm_storeu_ps(dst + k, r);
  }
#endif
  for (; k < n; ++k) scalar(k);
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

// dst[k] = +0 with streaming stores: the zero blocks of a sparse result.
template <class T>
inline void stream_zero(T* dst, std::size_t n) {
#ifdef BP_HAVE_AVX2_STREAMS
  if (avx2::available()) return avx2::zero(dst, n);
#endif
  std::size_t k = 0;
#ifdef BP_HAVE_STREAM_STORES
  for (; k < n && (reinterpret_cast<std::uintptr_t>(dst + k) & 15) != 0; ++k) dst[k] = T(0);
  const __m128i z = _mm_setzero_si128();
  constexpr std::size_t kPer = 16 / sizeof(T);
  for (; k + kPer <= n; k += kPer) _mm_stream_si128(reinterpret_cast<__m128i*>(dst + k), z);
#endif
  for (; k < n; ++k) dst[k] = T(0);
}

// Orders the streamed stores before anything that follows (a reader on
// another thread, say).
inline void stream_fence() {
#ifdef BP_HAVE_STREAM_STORES
  _mm_sfence();
#endif
}

}  // namespace bp
