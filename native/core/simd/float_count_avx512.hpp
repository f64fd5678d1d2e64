// The float first read of the exact method on sparse data
// (KernelTable::column_max_sum_count_f32) with AVX-512F, where the CPU has
// it: sixteen columns a vector. The same maxima, sums and counts as the loop
// it replaces (docs/exact-float32.md, "The counted first read in sixteen
// lanes"); with the low lists of low_lists.hpp too (docs/exact-float32.md,
// "The float first read keeps low lists").
#pragma once

#include "kernel_table.hpp"

namespace bp {
namespace simd {

// Puts the AVX-512F loop into t when the CPU (and the OS) run AVX-512F;
// leaves t as it is otherwise, and on builds without x86 vectors.
void take_avx512_float_count(KernelTable& t);

}  // namespace simd
}  // namespace bp
