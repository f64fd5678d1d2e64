// 128-bit lanes (SSE2, the x86-64 baseline): two doubles or four floats.
// The same operations as lanes_scalar.hpp, lane by lane.
#pragma once

#include "lanes_x86.hpp"
#include "target.hpp"

#ifdef BP_SIMD_X86
#include <emmintrin.h>

#include <cstddef>

namespace bp {
namespace simd {

BP_X86_LANES(double, Sse2, __m128d, 2, _mm, pd, _mm_cmpgt_pd(a, b), _mm_cmpge_pd(a, b), _mm_cmpunord_pd(a, b))

BP_X86_LANES(float, Sse2, __m128, 4, _mm, ps, _mm_cmpgt_ps(a, b), _mm_cmpge_ps(a, b), _mm_cmpunord_ps(a, b))

// Floats to and from doubles, for the loops that compute in double: the low
// and high halves of a float vector widened, two double vectors narrowed
// (rounded to nearest), and two double compare masks packed into one float
// mask (lane i of the result is lane i of lo, then of hi).
template <>
struct Widen<Sse2> {
  using F = __m128;
  using D = __m128d;
  static D lo(F f) { return _mm_cvtps_pd(f); }
  static D hi(F f) { return _mm_cvtps_pd(_mm_movehl_ps(f, f)); }
  // The two floats at p, widened (an 8-byte load: p need not hold four).
  static D load(const float* p) {
    return _mm_cvtps_pd(_mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
  }
  static F narrow(D lo, D hi) { return _mm_movelh_ps(_mm_cvtpd_ps(lo), _mm_cvtpd_ps(hi)); }
};

}  // namespace simd
}  // namespace bp

#endif  // BP_SIMD_X86
