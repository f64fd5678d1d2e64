// The double first read of the exact method with its top lists
// (KernelTable::column_max_sum_top_f64) with AVX-512F, where the CPU has it:
// eight columns a vector instead of four. Each column is a lane and goes
// through the AVX2 loop's operations in the same order, so the same bits
// (docs/exact-stream.md, round nineteen).
#pragma once

#include "kernel_table.hpp"

namespace bp {
namespace simd {

// Puts the AVX-512F loop into t when the CPU (and the OS) run AVX-512F;
// leaves t as it is otherwise, and on builds without x86 vectors.
void take_avx512_double_top(KernelTable& t);

}  // namespace simd
}  // namespace bp
