// The float soft threshold of the bilevel l1,1 write with AVX-512F, where the
// CPU has it. The AVX2 loop (loops-inl.hpp, shrink for float) widens 8 floats
// into two double vectors, truncates and checks every lane for the cases its
// truncation cannot narrow; that arithmetic, not memory, set its pace, so the
// float write cost about as much as the double one (docs/bilevel-float32.md).
// AVX-512's narrowing takes its rounding direction (toward zero) as an
// operand: 16 floats a step and no correction, the bytes of shrink_entry.
// The double soft threshold is here too: one line of 8 doubles a step, each
// streamed line written by one store.
#pragma once

#include "kernel_table.hpp"

namespace bp {
namespace simd {

// Puts the AVX-512F shrink loops (shrink_f32, shrink_rows_f32, shrink_f64) into
// t when the CPU (and the OS) run AVX-512F; leaves t as it is otherwise, and
// on builds without x86 vectors.
void take_avx512_shrink(KernelTable& t);

}  // namespace simd
}  // namespace bp
