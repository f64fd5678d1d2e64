#include "clip_avx512.hpp"

#include <cstddef>
#include <cstdint>

#include "target.hpp"

#ifdef BP_SIMD_X86
#include "avx512_intrinsics.hpp"

namespace bp {
namespace simd {
namespace {

// One entry, as clamp_sym (stream_store.hpp) and the scalar lanes give it:
// max(x, -c) then min(., c), each taking its second operand unless the
// first is strictly beyond it, which is also the vector instructions' rule
// (signed zeros and NaN included), so every table writes the same bytes.
inline float clip_one(float x, float c) {
  const float t = x > -c ? x : -c;
  return t < c ? t : c;
}

// The clip of `rows` rows (row r at src + r * stride, dst + r * stride),
// columns [0, n), c per column, streamed: the contract of the AVX2
// clamp_rows, with 16 floats a step. Each load of c serves every row. Rows
// whose destinations do not share the 64-byte alignment go one by one.
// No software prefetch: with one whole line a row a step, the hardware's
// own follows the rows, and the prefetch a page ahead the other streamed
// loops take made this loop 4-7 % slower (bilevelL1Inf float32 4000 x 4000,
// paired). Returns whether every src entry was finite (x - x is NaN exactly
// for a NaN or infinite x). (Fixed: the row count known when compiled, so that
// the loop over the rows is unrolled; 0: `rows`.)
template <std::size_t Fixed>
__attribute__((target("avx512f"))) bool clip_rows_n(const float* src, std::size_t stride, const float* c, float* dst,
                                                    std::size_t n, std::size_t rows) {
  const std::size_t R = Fixed != 0 ? Fixed : rows;
  if (R > 1 && (stride * sizeof(float)) % 64 != 0) {
    bool ok = true;
    for (std::size_t r = 0; r < R; ++r) ok &= clip_rows_n<1>(src + r * stride, stride, c, dst + r * stride, n, 1);
    return ok;
  }
  bool finite_ends = true;
  auto scalar_at = [&](std::size_t i) {
    for (std::size_t r = 0; r < R; ++r) {
      const float x = src[r * stride + i];
      finite_ends &= x - x == 0.0f;
      dst[r * stride + i] = clip_one(x, c[i]);
    }
  };
  std::size_t k = 0;
  for (; k < n && reinterpret_cast<std::uintptr_t>(dst + k) % 64 != 0; ++k) scalar_at(k);
  __mmask16 bad = 0;
  const __m512i sign = _mm512_set1_epi32(static_cast<int>(0x80000000u));
  for (; k + 16 <= n; k += 16) {
    const __m512 ck = _mm512_loadu_ps(c + k);
    const __m512 lo = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(ck), sign));  // -c
    for (std::size_t r = 0; r < R; ++r) {
      const float* q = src + r * stride + k;
      const __m512 x = _mm512_loadu_ps(q);
      const __m512 d = _mm512_sub_ps(x, x);
      bad = static_cast<__mmask16>(bad | _mm512_cmp_ps_mask(d, d, _CMP_UNORD_Q));
      _mm512_stream_ps(dst + r * stride + k, _mm512_min_ps(_mm512_max_ps(x, lo), ck));
    }
  }
  for (; k < n; ++k) scalar_at(k);
  return finite_ends && bad == 0;
}

__attribute__((target("avx512f"))) bool clip_rows(const float* src, std::size_t stride, const float* c, float* dst,
                                                  std::size_t n, std::size_t rows) {
  if (rows >= kWriteRows) return clip_rows_n<kWriteRows>(src, stride, c, dst, n, kWriteRows);
  return clip_rows_n<0>(src, stride, c, dst, n, rows);
}

}  // namespace

void take_avx512_float_clip(KernelTable& t) {
  if (!__builtin_cpu_supports("avx512f")) return;
  t.clamp_rows_f32 = &clip_rows;
}

}  // namespace simd
}  // namespace bp

#else

namespace bp {
namespace simd {
void take_avx512_float_clip(KernelTable&) {}
}  // namespace simd
}  // namespace bp

#endif
