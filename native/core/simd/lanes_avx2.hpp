// 256-bit lanes (AVX2): four doubles or eight floats, the same operations as
// lanes_sse2.hpp. Compiled for AVX2, so include this only in a file that the
// dispatch table reaches when the CPU has it (kernels_avx2.cpp).
#pragma once

#include "lanes_x86.hpp"
#include "mask_lists.hpp"
#include "target.hpp"

#ifdef BP_SIMD_X86
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

BP_SIMD_PUSH_AVX2

namespace bp {
namespace simd {

BP_X86_LANES(double, Avx2, __m256d, 4, _mm256, pd, _mm256_cmp_pd(a, b, _CMP_GT_OQ), _mm256_cmp_pd(a, b, _CMP_GE_OQ),
             _mm256_cmp_pd(a, b, _CMP_UNORD_Q))

BP_X86_LANES(float, Avx2, __m256, 8, _mm256, ps, _mm256_cmp_ps(a, b, _CMP_GT_OQ), _mm256_cmp_ps(a, b, _CMP_GE_OQ),
             _mm256_cmp_ps(a, b, _CMP_UNORD_Q))

template <>
struct Widen<Avx2> {
  using F = __m256;
  using D = __m256d;
  static D lo(F f) { return _mm256_cvtps_pd(_mm256_castps256_ps128(f)); }
  static D hi(F f) { return _mm256_cvtps_pd(_mm256_extractf128_ps(f, 1)); }
  // The four floats at p, widened.
  static D load(const float* p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }
  static F narrow(D lo, D hi) {
    return _mm256_insertf128_ps(_mm256_castps128_ps256(_mm256_cvtpd_ps(lo)), _mm256_cvtpd_ps(hi), 1);
  }
};

// A float compare's eight-lane mask as its lane list in one widen-and-store
// (mask_lists.hpp).
template <>
struct MaskList<Avx2, 8> {
  static std::size_t append(unsigned bits, std::size_t j, std::uint32_t* at, std::size_t held) {
    const __m128i lanes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(kLaneLists.lane[bits]));
    const __m256i cols = _mm256_add_epi32(_mm256_cvtepu8_epi32(lanes), _mm256_set1_epi32(static_cast<int>(j)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(at + held), cols);
    return held + kLaneLists.count[bits];
  }
};
static_assert(Lanes<float, Avx2>::kWidth == 8, "MaskList<Avx2, 8> is the float lanes' list");

}  // namespace simd
}  // namespace bp

BP_SIMD_POP

#endif  // BP_SIMD_X86
