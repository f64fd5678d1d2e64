// Eight entries as doubles in an AVX-512F vector: doubles as they are, floats
// widened (exactly) as the AVX2 loops' load_wide does, so one template loop
// serves both entry types with the double loop's operations. Used by the
// band's read (band_avx512.cpp) and the pass over a copied group
// (double_group_avx512.cpp); included inside BP_SIMD_X86 only.
#pragma once

#include "avx512_intrinsics.hpp"

namespace bp {
namespace simd {

__attribute__((target("avx512f"))) inline __m512d load8(const double* p) {
  return _mm512_loadu_pd(p);
}
__attribute__((target("avx512f"))) inline __m512d load8(const float* p) {
  return _mm512_cvtps_pd(_mm256_loadu_ps(p));
}

}  // namespace simd
}  // namespace bp
