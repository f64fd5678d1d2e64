// The double column passes of the exact method with AVX-512F, where the CPU
// has it: eight columns a vector instead of four. Two passes, one loop:
// - with gaps (KernelTable::column_stats_gap_f64): the column passes over the
//   whole matrix (docs/exact-stream.md, round seventeen);
// - without (KernelTable::column_stats_f64): the sampled start's passes over
//   its copied rows (exact_start.cpp, exact_band.cpp: 20-23 of them on the
//   tall Cauchy 0.5 cells that take the band; docs/exact-start.md, "The
//   sample's passes in AVX-512F").
// Each column is a lane and goes through the AVX2 loop's operations in the
// same order, so the same bits.
#pragma once

#include "kernel_table.hpp"

namespace bp {
namespace simd {

// Puts the AVX-512F loops into t when the CPU (and the OS) run AVX-512F;
// leaves t as it is otherwise, and on builds without x86 vectors.
void take_avx512_double_columns(KernelTable& t);

}  // namespace simd
}  // namespace bp
