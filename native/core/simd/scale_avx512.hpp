// The float scale of the bilevel l1,2 write with AVX-512F, where the CPU has
// it: AVX-512's narrowing takes its rounding direction (toward zero) as an
// operand, so the vector loop needs no correction at all, where the AVX2
// loop spends most of its operations on one (loops-inl.hpp, scale). That
// loop is bound by its arithmetic; this one by memory.
#pragma once

#include "kernel_table.hpp"

namespace bp {
namespace simd {

// Puts the AVX-512F float scale loops into t when the CPU (and the OS) run
// AVX-512F; leaves t as it is otherwise, and on builds without x86 vectors.
void take_avx512_float_scale(KernelTable& t);

}  // namespace simd
}  // namespace bp
