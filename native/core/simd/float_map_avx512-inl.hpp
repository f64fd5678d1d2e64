// The float writes of AVX-512F (scale_avx512.cpp, shrink_avx512.cpp): 16
// floats a step, widened to two vectors of 8 doubles, mapped in double
// (Op::lanes), narrowed toward zero by the instruction itself (its rounding
// direction is an operand, so no correction step), stored; Op::one is the
// same map for one entry, with the same bits, for the ends of a row. One
// skeleton for both maps, one row or a block of rows at a time. Included by
// one .cpp per map, after target.hpp, inside BP_SIMD_X86 only; its functions
// are internal to each including file.
#pragma once

#include <cstddef>
#include <cstdint>

#include "avx512_intrinsics.hpp"
#include "kernel_table.hpp"

namespace bp {
namespace simd {
namespace {  // internal to each including file

// 16 floats mapped by Op with the parameters plo (lanes 0-7) and phi (8-15).
template <class Op>
__attribute__((target("avx512f"))) inline __m512 map16(__m512 y, __m512d plo, __m512d phi) {
  const __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(y));
  const __m512d hi = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(y), 1)));
  const __m256 flo = _mm512_cvt_roundpd_ps(Op::lanes(lo, plo), _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m256 fhi = _mm512_cvt_roundpd_ps(Op::lanes(hi, phi), _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  return _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_castps_pd(flo)), _mm256_castps_pd(fhi), 1));
}

// The unordered lanes of y - y, added to bad: x - x is NaN exactly when x is
// NaN or infinite.
__attribute__((target("avx512f"))) inline __mmask16 add_non_finite(__mmask16 bad, __m512 y) {
  const __m512 d = _mm512_sub_ps(y, y);
  return static_cast<__mmask16>(bad | _mm512_cmp_ps_mask(d, d, _CMP_UNORD_Q));
}

// dst = Op(src) with p per entry (Each) or one; streamed when Stream.
// Returns whether every src entry was finite.
template <class Op, bool Each, bool Stream>
__attribute__((target("avx512f"))) bool map_f32(const float* src, const double* p, double one, float* dst,
                                                std::size_t n) {
  bool finite_ends = true;
  std::size_t k = 0;
  auto scalar_at = [&](std::size_t i) {
    finite_ends &= src[i] - src[i] == 0.0f;
    dst[i] = Op::one(src[i], Each ? p[i] : one);
  };
  if (Stream) {
    // A row that ends inside a line stores that line's part with plain
    // stores below, which must first read the line (it also holds the start
    // of whatever follows, typically the next row); asked for now, the read
    // is done by the time the row's streamed part is.
    if (n > 0 && reinterpret_cast<std::uintptr_t>(dst + n) % 64 != 0)
      _mm_prefetch(reinterpret_cast<const char*>(dst + n - 1), _MM_HINT_T0);
    for (; k < n && reinterpret_cast<std::uintptr_t>(dst + k) % 64 != 0; ++k) scalar_at(k);
  }
  __mmask16 bad = 0;
  const __m512d p1 = _mm512_set1_pd(one);
  for (; k + 16 <= n; k += 16) {
    // A software prefetch a few pages ahead, as the other streamed loops do.
    if (Stream) _mm_prefetch(reinterpret_cast<const char*>(src + k) + 4096, _MM_HINT_T0);
    const __m512 y = _mm512_loadu_ps(src + k);
    bad = add_non_finite(bad, y);
    const __m512 f = map16<Op>(y, Each ? _mm512_loadu_pd(p + k) : p1, Each ? _mm512_loadu_pd(p + k + 8) : p1);
    if (Stream)
      _mm512_stream_ps(dst + k, f);
    else
      _mm512_storeu_ps(dst + k, f);
  }
  for (; k < n; ++k) scalar_at(k);
  return finite_ends && bad == 0;
}

// The same for `rows` rows, 1 to kWriteRows (row r at src + r * stride,
// dst + r * stride), streamed, p per column: each load of p serves every row
// (for a wide matrix, a row's double parameters are twice the bytes of the
// float row itself). The row count is the caller's (apply.hpp,
// write_block_rows), as for the clip and the double scale. Returns whether
// every src entry was finite, as the other row-block writes do. Rows whose
// destinations do not share the 64-byte alignment go one by one. (Fixed:
// the row count known when compiled, so that the loop over the rows is
// unrolled; 0: `rows`.)
template <class Op, std::size_t Fixed>
__attribute__((target("avx512f"))) bool map_rows_f32_n(const float* src, std::size_t stride, const double* p,
                                                       float* dst, std::size_t n, std::size_t rows) {
  const std::size_t R = Fixed != 0 ? Fixed : rows;
  if ((stride * sizeof(float)) % 64 != 0) {
    bool ok = true;
    for (std::size_t r = 0; r < R; ++r) ok &= map_f32<Op, true, true>(src + r * stride, p, 0.0, dst + r * stride, n);
    return ok;
  }
  bool finite_ends = true;
  auto scalar_at = [&](std::size_t i) {
    for (std::size_t r = 0; r < R; ++r) {
      const float x = src[r * stride + i];
      finite_ends &= x - x == 0.0f;
      dst[r * stride + i] = Op::one(x, p[i]);
    }
  };
  std::size_t k = 0;
  for (; k < n && reinterpret_cast<std::uintptr_t>(dst + k) % 64 != 0; ++k) scalar_at(k);
  __mmask16 bad = 0;
  for (; k + 16 <= n; k += 16) {
    const __m512d plo = _mm512_loadu_pd(p + k), phi = _mm512_loadu_pd(p + k + 8);
    for (std::size_t r = 0; r < R; ++r) {
      const float* q = src + r * stride + k;
      _mm_prefetch(reinterpret_cast<const char*>(q) + 4096, _MM_HINT_T0);
      const __m512 y = _mm512_loadu_ps(q);
      bad = add_non_finite(bad, y);
      _mm512_stream_ps(dst + r * stride + k, map16<Op>(y, plo, phi));
    }
  }
  for (; k < n; ++k) scalar_at(k);
  return finite_ends && bad == 0;
}

template <class Op>
__attribute__((target("avx512f"))) bool map_rows_f32(const float* src, std::size_t stride, const double* p, float* dst,
                                                     std::size_t n, std::size_t rows) {
  if (rows >= kWriteRows) return map_rows_f32_n<Op, kWriteRows>(src, stride, p, dst, n, kWriteRows);
  return map_rows_f32_n<Op, 0>(src, stride, p, dst, n, rows);
}

}  // namespace
}  // namespace simd
}  // namespace bp
