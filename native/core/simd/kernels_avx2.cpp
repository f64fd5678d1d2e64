// The loops compiled for AVX2, reached only through the table and only on a
// CPU that runs AVX2 (the prebuilds target the SSE2 baseline).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "../numeric.hpp"
#include "../scratch.hpp"
#include "candidate_records.hpp"
#include "column_squares_avx512.hpp"
#include "kernel_table.hpp"
#include "l1_block_avx512.hpp"
#include "lanes_scalar.hpp"
#include "scale_avx512.hpp"
#include "shrink_avx512.hpp"

#ifdef BP_SIMD_X86
#include "lanes_avx2.hpp"

BP_SIMD_PUSH_AVX2
#include "loops-inl.hpp"
BP_SIMD_POP

namespace bp {
namespace simd {

const KernelTable* avx2_kernels() {
  // The CPU check comes first: even filling the table may use AVX2 code.
  static const bool runs = __builtin_cpu_supports("avx2");
  if (!runs) return nullptr;
  static const KernelTable t = [] {
    KernelTable k = make_table<Avx2>();
    k.name = "avx2";
    take_candidate_records(k, true);
    take_avx512_float_scale(k);      // where the CPU has AVX-512F
    take_avx512_float_shrink(k);     // likewise
    take_avx512_l1_float_blocks(k);  // likewise
    // The float column pass of the l1,2 projection, likewise.
    take_avx512_float_column_squares(k);
    return k;
  }();
  return &t;
}

}  // namespace simd
}  // namespace bp

#else

namespace bp {
namespace simd {
const KernelTable* avx2_kernels() {
  return nullptr;
}
}  // namespace simd
}  // namespace bp

#endif
