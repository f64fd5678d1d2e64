#include "scale_avx512.hpp"

#include <cstddef>

#include "../numeric.hpp"
#include "target.hpp"

#ifdef BP_SIMD_X86
#include "float_map_avx512-inl.hpp"

namespace bp {
namespace simd {
namespace {

// The scale for float_map_avx512-inl.hpp, the bytes of ScaleMap::apply for
// every input: narrow_toward_zero(double(y) * s), the product rounded to
// nearest in double, then narrowed toward zero by the instruction itself
// (NaN, infinities and subnormal results included).
struct Scale {
  __attribute__((target("avx512f"))) static __m512d lanes(__m512d y, __m512d s) { return _mm512_mul_pd(y, s); }
  static float one(float y, double s) { return narrow_toward_zero<float>(static_cast<double>(y) * s); }
};

}  // namespace

void take_avx512_float_scale(KernelTable& t) {
  if (!__builtin_cpu_supports("avx512f")) return;
  t.scale_f32[0][0] = &map_f32<Scale, false, false>;
  t.scale_f32[0][1] = &map_f32<Scale, false, true>;
  t.scale_f32[1][0] = &map_f32<Scale, true, false>;
  t.scale_f32[1][1] = &map_f32<Scale, true, true>;
  t.scale_rows_f32 = &map_rows_f32<Scale>;
}

}  // namespace simd
}  // namespace bp

#else

namespace bp {
namespace simd {
void take_avx512_float_scale(KernelTable&) {}
}  // namespace simd
}  // namespace bp

#endif
