// The instruction sets the kernels are compiled for, and the one switch that
// decides which exist. The style is that of a dynamic-dispatch SIMD library:
// every vector loop is written once over a lane-traits type (lanes_*.hpp),
// compiled once per instruction set, and the best set the CPU runs is chosen
// once, at the first call, through one table of function pointers
// (kernel_table.hpp). The baseline set (SSE2 on x86-64, plain scalar code
// elsewhere) is also what the few loops too short to pay for an indirect call
// use directly.
#pragma once

// x86-64 with GCC or Clang: SSE2 is the baseline, AVX2 is compiled beside it
// and chosen at run time. Anything else builds the scalar lanes only.
// BP_NO_SIMD forces the scalar lanes (for testing them on x86-64).
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(BP_NO_SIMD)
#define BP_SIMD_X86 1
#endif

// Everything between BP_SIMD_PUSH_AVX2 and BP_SIMD_POP is compiled for AVX2.
// Only kernel code goes there: headers are included before, so that no inline
// function shared with the baseline build is ever compiled for AVX2.
#if defined(BP_SIMD_X86) && defined(__clang__)
#define BP_SIMD_PUSH_AVX2 _Pragma("clang attribute push(__attribute__((target(\"avx2\"))), apply_to = function)")
#define BP_SIMD_POP _Pragma("clang attribute pop")
#elif defined(BP_SIMD_X86)
#define BP_SIMD_PUSH_AVX2 _Pragma("GCC push_options") _Pragma("GCC target(\"avx2\")")
#define BP_SIMD_POP _Pragma("GCC pop_options")
#endif

namespace bp {
namespace simd {

// Tags naming an instruction set; Lanes<T, Isa> is specialised for each.
struct Scalar {};
struct Sse2 {};
struct Avx2 {};

#ifdef BP_SIMD_X86
using Baseline = Sse2;
#else
using Baseline = Scalar;
#endif

template <class T, class Isa>
struct Lanes;

// Conversions between Lanes<float, Isa> and two Lanes<double, Isa> vectors.
template <class Isa>
struct Widen;

}  // namespace simd
}  // namespace bp
