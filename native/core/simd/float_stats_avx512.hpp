// The float column passes of the exact l1,inf method (column_stats_f32 and
// column_stats_gap_f32 of kernel_table.hpp) with AVX-512F, where the CPU has
// it: sixteen float lanes and compare masks in place of the AVX2 loops' eight
// lanes and mask vectors, the same bits (docs/exact-float32.md, "Sixteen
// lanes"), and the candidate fill (fill_candidates_f32) with the row's
// candidate columns listed sixteen at a time ("The fill in sixteen lanes").
#pragma once

#include "kernel_table.hpp"

namespace bp {
namespace simd {

// Puts the AVX-512F float passes into t when the CPU (and the OS) run
// AVX-512F, keeping t's own loops for the calls they do not serve (a scale
// other than 1); leaves t as it is otherwise, and on builds without x86
// vectors.
void take_avx512_float_stats(KernelTable& t);

}  // namespace simd
}  // namespace bp
