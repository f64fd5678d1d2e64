// How far ahead the passes that read eight rows a step across a block of
// columns (the exact method's column passes and first reads, AVX-512F and
// AVX2) ask for each row. Eight row streams are fetched more slowly than
// such a pass uses them: the hardware prefetcher alone left the AVX-512F
// double column pass at about 1.4 times a plain read of its blocks (4000 x
// 4000: 7.7 ms against 5.2), a prefetch 512 bytes ahead at 1.1-1.2 times
// (256 bytes and 1 KB gained less, 2 KB and 4 KB about as much or less;
// the float passes: 256 bytes the same, 1 KB and 2 KB 1-10 % slower).
// docs/exact-stream.md, rounds twenty-three and twenty-five;
// docs/exact-float32.md, "The float passes ask ahead". A prefetch changes no
// value.
#pragma once

#include <cstddef>

namespace bp {
namespace simd {

inline constexpr std::size_t kRowsAheadBytes = 512;

}  // namespace simd
}  // namespace bp
