// The AVX-512 intrinsics, for the files whose functions carry
// target("avx512f") (included inside BP_SIMD_X86 only, after target.hpp).
// GCC 12's AVX-512 headers trip its own -Wuninitialized and
// -Wmaybe-uninitialized (their "undefined" vectors, in max, min, the casts to
// a half and the conversions, once inlined into a caller). GCC places those
// warnings at the header's lines, so they are off for the header alone: the
// including files keep both warnings for their own code.
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
// The push/pop covers the header only where this is its first include: an
// earlier one (through another header) would make the include below a no-op
// and leave the warnings on for the AVX-512 functions inlined here.
#ifdef _IMMINTRIN_H_INCLUDED
#error "include avx512_intrinsics.hpp before anything that includes <immintrin.h>"
#endif
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
