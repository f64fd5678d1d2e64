#include "clip_avx512.hpp"

#include <cstddef>
#include <cstdint>
#include <type_traits>

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
template <class T>
inline T clip_one(T x, T c) {
  const T t = x > -c ? x : -c;
  return t < c ? t : c;
}

// One 64-byte line of either type: 16 floats or 8 doubles.
struct FloatLine {
  using V = __m512;
  using M = __mmask16;
  __attribute__((target("avx512f"))) static V load(const float* p) { return _mm512_loadu_ps(p); }
  __attribute__((target("avx512f"))) static void stream(float* p, V v) { _mm512_stream_ps(p, v); }
  __attribute__((target("avx512f"))) static V negated(V v) {
    return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(v), _mm512_set1_epi32(INT32_MIN)));
  }
  __attribute__((target("avx512f"))) static V clip(V x, V lo, V c) { return _mm512_min_ps(_mm512_max_ps(x, lo), c); }
  __attribute__((target("avx512f"))) static M non_finite(V x) {
    const V d = _mm512_sub_ps(x, x);
    return _mm512_cmp_ps_mask(d, d, _CMP_UNORD_Q);
  }
};
struct DoubleLine {
  using V = __m512d;
  using M = __mmask8;
  __attribute__((target("avx512f"))) static V load(const double* p) { return _mm512_loadu_pd(p); }
  __attribute__((target("avx512f"))) static void stream(double* p, V v) { _mm512_stream_pd(p, v); }
  __attribute__((target("avx512f"))) static V negated(V v) {
    return _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(v), _mm512_set1_epi64(INT64_MIN)));
  }
  __attribute__((target("avx512f"))) static V clip(V x, V lo, V c) { return _mm512_min_pd(_mm512_max_pd(x, lo), c); }
  __attribute__((target("avx512f"))) static M non_finite(V x) {
    const V d = _mm512_sub_pd(x, x);
    return _mm512_cmp_pd_mask(d, d, _CMP_UNORD_Q);
  }
};
template <class T>
using LineOf = std::conditional_t<sizeof(T) == 4, FloatLine, DoubleLine>;

// The clip of `rows` rows (row r at src + r * stride, dst + r * stride),
// columns [0, n), c per column, streamed: the contract of the AVX2
// clamp_rows, a whole line a row and step. Each load of c serves every row.
// The rows must share the 64-byte alignment (clip_rows sees to it).
// No software prefetch: with one whole line a row a step, the hardware's
// own follows the rows, and the prefetch a page ahead the other streamed
// loops take made this loop 4-7 % slower (bilevelL1Inf float32 4000 x 4000,
// paired). Returns whether every src entry was finite (x - x is NaN exactly
// for a NaN or infinite x). (Fixed: the row count known when compiled, so
// that the loop over the rows is unrolled; 0: `rows`.)
template <class T, std::size_t Fixed>
__attribute__((target("avx512f"))) bool clip_rows_n(const T* src, std::size_t stride, const T* c, T* dst, std::size_t n,
                                                    std::size_t rows) {
  using W = LineOf<T>;
  constexpr std::size_t kStep = 64 / sizeof(T);
  const std::size_t R = Fixed != 0 ? Fixed : rows;
  bool finite_ends = true;
  auto scalar_at = [&](std::size_t i) {
    for (std::size_t r = 0; r < R; ++r) {
      const T x = src[r * stride + i];
      finite_ends &= x - x == T(0);
      dst[r * stride + i] = clip_one(x, c[i]);
    }
  };
  std::size_t k = 0;
  for (; k < n && reinterpret_cast<std::uintptr_t>(dst + k) % 64 != 0; ++k) scalar_at(k);
  typename W::M bad = 0;
  for (; k + kStep <= n; k += kStep) {
    const typename W::V ck = W::load(c + k), lo = W::negated(ck);
    for (std::size_t r = 0; r < R; ++r) {
      const typename W::V x = W::load(src + r * stride + k);
      bad = static_cast<typename W::M>(bad | W::non_finite(x));
      W::stream(dst + r * stride + k, W::clip(x, lo, ck));
    }
  }
  for (; k < n; ++k) scalar_at(k);
  return finite_ends && bad == 0;
}

template <class T>
__attribute__((target("avx512f"))) bool clip_rows(const T* src, std::size_t stride, const T* c, T* dst, std::size_t n,
                                                  std::size_t rows) {
  // Rows that do not share the 64-byte alignment (4008 floats or 2004
  // doubles a row) take the AVX2 table's block, which steps half a line and
  // still loads each parameter once for the rows (this loop would have to
  // go row by row).
  if (rows > 1 && (stride * sizeof(T)) % 64 != 0) {
    if constexpr (sizeof(T) == 4)
      return avx2_kernels()->clamp_rows_f32(src, stride, c, dst, n, rows);
    else
      return avx2_kernels()->clamp_rows_f64(src, stride, c, dst, n, rows);
  }
  if (rows >= kWriteRows) return clip_rows_n<T, kWriteRows>(src, stride, c, dst, n, kWriteRows);
  return clip_rows_n<T, 0>(src, stride, c, dst, n, rows);
}

}  // namespace

void take_avx512_clip(KernelTable& t) {
  if (!__builtin_cpu_supports("avx512f")) return;
  t.clamp_rows_f32 = &clip_rows<float>;
  t.clamp_rows_f64 = &clip_rows<double>;
}

}  // namespace simd
}  // namespace bp

#else

namespace bp {
namespace simd {
void take_avx512_clip(KernelTable&) {}
}  // namespace simd
}  // namespace bp

#endif
