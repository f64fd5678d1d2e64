// The float clip of the l1,inf writes in row blocks with AVX-512F, where the
// CPU has it: 16 floats, one whole 64-byte line of out, per streamed store.
// The AVX2 block (loops-inl.hpp, clamp_rows) streams half a line per store
// and goes round its eight rows before it stores each line's second half, so
// eight lines are half written at once; at some placements of the matrices
// that block ran 3 to 4 times slower (docs/bilevel-write.md, "Half lines in
// the float clip's row blocks").
#pragma once

#include "kernel_table.hpp"

namespace bp {
namespace simd {

// Puts the AVX-512F float clip row blocks into t when the CPU (and the OS)
// run AVX-512F; leaves t as it is otherwise, and on builds without x86
// vectors.
void take_avx512_float_clip(KernelTable& t);

}  // namespace simd
}  // namespace bp
