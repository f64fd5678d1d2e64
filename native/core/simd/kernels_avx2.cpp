// The loops compiled for AVX2, reached only through the table and only on a
// CPU that runs AVX2 (the prebuilds target the SSE2 baseline); and the
// AVX-512F table: the AVX2 one with the AVX-512F loops in place of some of its
// entries. Two tables rather than one patched in place, so that on an AVX-512F
// machine the tests still run the AVX2 loops every AVX2-only CPU runs.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "../numeric.hpp"
#include "../scratch.hpp"
#include "band_avx512.hpp"
#include "candidate_records.hpp"
#include "clip_avx512.hpp"
#include "column_squares_avx512.hpp"
#include "double_below_avx512.hpp"
#include "double_column_avx512.hpp"
#include "double_count_avx512.hpp"
#include "double_group_avx512.hpp"
#include "double_top_avx512.hpp"
#include "float_count_avx512.hpp"
#include "float_stats_avx512.hpp"
#include "gather_float.hpp"
#include "kernel_table.hpp"
#include "l1_block_avx512.hpp"
#include "lanes_scalar.hpp"
#include "mask_lists.hpp"
#include "scale_avx512.hpp"
#include "shrink_avx512.hpp"

#ifdef BP_SIMD_X86
#include "lanes_avx2.hpp"
#include "rows_ahead.hpp"

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
    take_gather_float(k, true);
    return k;
  }();
  return &t;
}

const KernelTable* avx512_kernels() {
  static const bool runs = avx2_kernels() != nullptr && __builtin_cpu_supports("avx512f");
  if (!runs) return nullptr;
  static const KernelTable t = [] {
    KernelTable k = *avx2_kernels();
    k.name = "avx512f";
    take_avx512_float_scale(k);
    take_avx512_clip(k);  // the clip's row blocks
    take_avx512_shrink(k);
    take_avx512_l1_blocks(k);
    take_avx512_float_column_squares(k);  // the float column pass of l1,2
    take_avx512_float_stats(k);           // the float column passes of the exact method
    take_avx512_band(k);                  // the band's records of the exact method
    take_avx512_double_columns(k);        // the double column passes, over the matrix and the sample
    take_avx512_double_group(k);          // the passes over the exact method's copies (double, float)
    take_avx512_double_top(k);            // the double first read with the top lists
    take_avx512_double_below(k);          // the double below-bound pass of the exact method
    take_avx512_double_count(k);          // the double first read on sparse data
    take_avx512_float_count(k);           // the float first read on sparse data
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
const KernelTable* avx512_kernels() {
  return nullptr;
}
}  // namespace simd
}  // namespace bp

#endif
