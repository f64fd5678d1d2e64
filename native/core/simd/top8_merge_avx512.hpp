// The merge of a block of rows into the sorted top-8 lists of the AVX-512F
// first reads with the lists (double_top_avx512.cpp, eight columns a vector;
// float_stats_avx512.cpp, sixteen): the AVX2 loop's network
// (max_sum_top_at, loops-inl.hpp) lane by lane. Eight rows: sort them (19
// compare-exchanges), keep the larger of t[k] and the rows' (7-k)-th (a
// bitonic sequence) and sort that (12 more); one row: insert it. Max and min
// are exact and the entries are |y| (no -0), so each lane holds the AVX2
// loop's lists bit for bit; for a lane that beats nothing the lists stay as
// they are (included inside BP_SIMD_X86 only).
#pragma once

#include <cstddef>

#include "avx512_intrinsics.hpp"

namespace bp {
namespace simd {
namespace top8 {

__attribute__((target("avx512f"))) inline __m512d vmax(__m512d a, __m512d b) {
  return _mm512_max_pd(a, b);
}
__attribute__((target("avx512f"))) inline __m512d vmin(__m512d a, __m512d b) {
  return _mm512_min_pd(a, b);
}
__attribute__((target("avx512f"))) inline __m512 vmax(__m512 a, __m512 b) {
  return _mm512_max_ps(a, b);
}
__attribute__((target("avx512f"))) inline __m512 vmin(__m512 a, __m512 b) {
  return _mm512_min_ps(a, b);
}

// hi, lo = max, min of the two, per lane.
template <class V>
__attribute__((target("avx512f"))) inline void cx(V& hi, V& lo) {
  const V up = vmax(hi, lo);
  lo = vmin(hi, lo);
  hi = up;
}

// Rows a[0..8) (reordered here) into the lists t[0..8), largest first.
template <class V>
__attribute__((target("avx512f"))) inline void merge_rows8(V* a, V* t) {
  cx(a[0], a[2]), cx(a[1], a[3]), cx(a[4], a[6]), cx(a[5], a[7]);
  cx(a[0], a[4]), cx(a[1], a[5]), cx(a[2], a[6]), cx(a[3], a[7]);
  cx(a[0], a[1]), cx(a[2], a[3]), cx(a[4], a[5]), cx(a[6], a[7]);
  cx(a[2], a[4]), cx(a[3], a[5]);
  cx(a[1], a[4]), cx(a[3], a[6]);
  cx(a[1], a[2]), cx(a[3], a[4]), cx(a[5], a[6]);
  for (std::size_t k = 0; k < 8; ++k) t[k] = vmax(t[k], a[7 - k]);
  cx(t[0], t[4]), cx(t[1], t[5]), cx(t[2], t[6]), cx(t[3], t[7]);
  cx(t[0], t[2]), cx(t[1], t[3]), cx(t[4], t[6]), cx(t[5], t[7]);
  cx(t[0], t[1]), cx(t[2], t[3]), cx(t[4], t[5]), cx(t[6], t[7]);
}

// One row x into the lists t[0..8).
template <class V>
__attribute__((target("avx512f"))) inline void insert_row(V x, V* t) {
  for (std::size_t k = 0; k < 8; ++k) {
    const V up = vmax(t[k], x);
    x = vmin(t[k], x);
    t[k] = up;
  }
}

}  // namespace top8
}  // namespace simd
}  // namespace bp
