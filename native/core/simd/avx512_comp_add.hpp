// Neumaier's compensated add in eight double lanes, for sums of terms >= +0:
// the scalar add_nonneg's operations (numeric.hpp) lane by lane, so a lane
// holds the bits of the scalar and AVX2 loops' sums. The AVX-512F column
// passes, band read and float stats add each block's plain sum into their
// compensated sums with it (included inside BP_SIMD_X86 only).
#pragma once

#include <cstddef>

#include "avx512_intrinsics.hpp"

namespace bp {
namespace simd {

// sum += x, comp += its rounding error, in registers.
__attribute__((target("avx512f"))) inline void comp_add_reg8(__m512d& sum, __m512d& comp, __m512d x) {
  const __m512d t = _mm512_add_pd(sum, x);
  comp = _mm512_add_pd(comp, _mm512_add_pd(_mm512_sub_pd(_mm512_max_pd(sum, x), t), _mm512_min_pd(x, sum)));
  sum = t;
}

// The same on sums in memory, sum[0..8) and comp[0..8), in the lanes of mask
// k only (the others are neither read nor written).
__attribute__((target("avx512f"))) inline void comp_add8(double* sum, double* comp, __m512d x, __mmask8 k) {
  __m512d s = _mm512_maskz_loadu_pd(k, sum), c = _mm512_maskz_loadu_pd(k, comp);
  comp_add_reg8(s, c, x);
  _mm512_mask_storeu_pd(comp, k, c);
  _mm512_mask_storeu_pd(sum, k, s);
}

}  // namespace simd
}  // namespace bp
