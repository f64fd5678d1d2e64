// The bilevel l1,1 block search on a float buffer, with AVX-512F, where the
// CPU has it (group_l1_thresholds.cpp). For float input the gathered |y| are
// floats (the scale is 1: a float matrix's sums cannot overflow a double),
// so the buffer can hold them as floats: half the bytes written by the
// gather and read by every pass. Each pass widens a row of 8 floats into one
// vector of 8 doubles (exact) and runs, lane by lane, the very operations of
// the double loops (loops-inl.hpp, l1_block_pass, l1_block_comp_gap and the
// gather) in the same row order: the same bits as the double buffer, so the
// float path gives the thresholds it gave before (docs/bilevel-float32.md).
//
// The same file holds the double-buffer loops with AVX-512F (gather from a
// double matrix, plain, compensated, kept and compensated-gap passes): one
// row of a block is one vector of 8 doubles and the compares go to mask
// registers, half the instructions of the AVX2 loops, with their bits.
#pragma once

#include "kernel_table.hpp"

namespace bp {
namespace simd {

// Puts the float-buffer block loops (l1_float_*) into t when the CPU (and the
// OS) run AVX-512F, and the double-buffer ones over the AVX2 loops of the
// same entries (l1_block_plain, _compensated, _kept, _comp_gap,
// l1_block_gather_f64); leaves t as it is otherwise, and on builds without
// x86 vectors (the float entries null: the double buffer is used then).
void take_avx512_l1_blocks(KernelTable& t);

}  // namespace simd
}  // namespace bp
