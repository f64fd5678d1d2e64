// The float column pass of the bilevel l1,2 projection with AVX-512F, where
// the CPU has it: per column, the largest |y| and the sum of the squares in
// row order (the column_max_squares contract of kernel_table.hpp), the same
// bits as the AVX2 and scalar loops, with fewer operations per entry
// (docs/bilevel-float32.md, "The l1,2 column pass").
#pragma once

#include "kernel_table.hpp"

namespace bp {
namespace simd {

// Puts the AVX-512F float column pass into t (column_max_squares_f32) when
// the CPU (and the OS) run AVX-512F; leaves t as it is otherwise, and on
// builds without x86 vectors.
void take_avx512_float_column_squares(KernelTable& t);

}  // namespace simd
}  // namespace bp
