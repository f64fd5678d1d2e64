// The AVX-512 intrinsics, for the files whose functions carry
// target("avx512f") (included inside BP_SIMD_X86 only, after target.hpp).
// GCC 12's AVX-512 headers trip its own maybe-uninitialized warning (their
// "undefined" vectors); nothing of the including files' is uninitialised, so
// the warning is off for the rest of each including file.
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
