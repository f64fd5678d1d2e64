// The clip of the l1,inf writes in row blocks (float and double) with
// AVX-512F, where the CPU has it: one whole 64-byte line of out per
// streamed store. With half a line per row and step, the block's lines half
// written at once, the AVX2 block ran 2.5 to 4 times slower at some
// placements of the matrices (docs/bilevel-write.md, "Half lines in the
// float clip's row blocks"); it now stores whole lines too (loops-inl.hpp,
// clamp_rows), 3-5 % slower than this loop (float).
#pragma once

#include "kernel_table.hpp"

namespace bp {
namespace simd {

// Puts the AVX-512F clip row blocks (float and double) into t when the CPU (and the OS)
// run AVX-512F; leaves t as it is otherwise, and on builds without x86
// vectors.
void take_avx512_clip(KernelTable& t);

}  // namespace simd
}  // namespace bp
