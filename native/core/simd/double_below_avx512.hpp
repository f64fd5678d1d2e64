// The double below-bound pass of the exact method
// (KernelTable::column_stats_below_f64) with AVX-512F, where the CPU has it:
// eight columns a vector instead of four, the list of entries below the
// bound packed in registers. The same counts and sums, and the same list in
// the same order, as the AVX2 loop on finite entries (docs/exact-stream.md,
// round nineteen): a NaN lane is never listed here, where the AVX2 loop's
// re-scan of a quad lists it; no caller passes NaN (the first read refuses it).
#pragma once

#include "kernel_table.hpp"

namespace bp {
namespace simd {

// Puts the AVX-512F loop into t when the CPU (and the OS) run AVX-512F;
// leaves t as it is otherwise, and on builds without x86 vectors.
void take_avx512_double_below(KernelTable& t);

}  // namespace simd
}  // namespace bp
