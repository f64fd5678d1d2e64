// The double pass over one contiguous group of the exact method
// (KernelTable::group_stats_f64) with AVX-512F, where the CPU has it: the
// eight lanes of the AVX2 loop in one vector instead of two. It runs Newton's
// passes over the copies (candidates, the sampled start's copy and band:
// 12-14 passes over about 1M entries on the tall Cauchy 0.5 cells that take
// the band). Lane for lane the AVX2 loop's operations in the same order, and
// the same fold of the eight lanes, so the same bits (docs/exact-start.md,
// "The copy's passes in AVX-512F").
// It also fills group_stats_f32 (the float gather's copy of floats, widened
// as they load: the AVX2 float loop's bits; docs/exact-float32.md, "The
// float gather's copy in floats").
#pragma once

#include "kernel_table.hpp"

namespace bp {
namespace simd {

// Puts the AVX-512F loop into t when the CPU (and the OS) run AVX-512F;
// leaves t as it is otherwise, and on builds without x86 vectors.
void take_avx512_double_group(KernelTable& t);

}  // namespace simd
}  // namespace bp
