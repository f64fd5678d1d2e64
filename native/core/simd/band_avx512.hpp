// The band's records (KernelTable::BandRecords) with AVX-512F, where the CPU
// has it: eight columns a vector, the kept lanes packed by a compress in
// registers instead of the AVX2 loop's table of permutations, two vectors
// of four. Same terms in the same order: the same bits as every other table
// (docs/exact-stream.md, round seventeen).
#pragma once

#include "kernel_table.hpp"

namespace bp {
namespace simd {

// Puts the AVX-512F band loop (float and double) into t when the CPU (and
// the OS) run AVX-512F; leaves t as it is otherwise, and on builds without
// x86 vectors.
void take_avx512_band(KernelTable& t);

}  // namespace simd
}  // namespace bp
