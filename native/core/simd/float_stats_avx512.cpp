#include "float_stats_avx512.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "../scratch.hpp"
#include "target.hpp"

#ifdef BP_SIMD_X86
#include "avx512_comp_add.hpp"
#include "avx512_intrinsics.hpp"
#include "rows_ahead.hpp"
#include "top8_merge_avx512.hpp"

namespace bp {
namespace simd {
namespace {

// Why the same bits as the AVX2 loop (float_stats_at in loops-inl.hpp): each
// column is a lane, and every lane goes through the same operations in the
// same order, whatever the width of the vector holding it. Where the AVX2
// loop adds a masked value (a count of 0, a kept entry of +0), this one
// leaves the lane as it is under a mask: x + 0 is x for the counts and sums
// here (never -0), and max(below, +0) is below, min(above, +inf) is above
// (below and above are >= +0). So the counts and sums are the double loop's
// too (docs/exact-float32.md).

// The high eight floats of v.
__attribute__((target("avx512f"))) inline __m256 high_half(__m512 v) {
  return _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
}

// The row kernels reading eight rows a step (stats16, top16) ask for each
// row kRowsAheadBytes ahead (rows_ahead.hpp), as the double column pass
// (docs/exact-float32.md, "The float passes ask ahead"), where each row's
// read is at least this many columns wide: the call's column range, which
// is a thread's share at more than one thread (2 threads on 4000 x 4000: 2000
// columns each, read without it). Narrower (8000 x 1000 at one thread: 1000
// floats, 4 KB a row) it cost 2-5 %, paired, one thread: the hardware's own
// prefetcher keeps up with reads that short. Not timed at two threads.
constexpr std::size_t kAheadMinColumns = 2048;

// What the stats and below-bound row kernels share: per lane, the count of
// the entries at or above u (in floats: at most Rows at a time, exact) and
// their sum widened to double, eight lanes per half.
struct Above16 {
  __m512 k;
  __m512d s0, s1;
};

__attribute__((target("avx512f"))) inline Above16 no_above() {
  return {_mm512_setzero_ps(), _mm512_setzero_pd(), _mm512_setzero_pd()};
}

__attribute__((target("avx512f"))) inline void add_above(Above16& t, __m512 a, __mmask16 on) {
  t.k = _mm512_mask_add_ps(t.k, on, t.k, _mm512_set1_ps(1.0f));
  t.s0 = _mm512_mask_add_pd(t.s0, static_cast<__mmask8>(on), t.s0, _mm512_cvtps_pd(_mm512_castps512_ps256(a)));
  t.s1 = _mm512_mask_add_pd(t.s1, static_cast<__mmask8>(on >> 8), t.s1, _mm512_cvtps_pd(high_half(a)));
}

// The block's counts added to k, its sums to (s, c) compensated, for the
// lanes of mk.
__attribute__((target("avx512f"))) inline void flush_above(const Above16& t, std::size_t j, __mmask16 mk, double* k,
                                                           double* s, double* c) {
  const __mmask8 m0 = static_cast<__mmask8>(mk), m1 = static_cast<__mmask8>(mk >> 8);
  _mm512_mask_storeu_pd(k + j, m0,
                        _mm512_add_pd(_mm512_maskz_loadu_pd(m0, k + j), _mm512_cvtps_pd(_mm512_castps512_ps256(t.k))));
  _mm512_mask_storeu_pd(k + j + 8, m1,
                        _mm512_add_pd(_mm512_maskz_loadu_pd(m1, k + j + 8), _mm512_cvtps_pd(high_half(t.k))));
  comp_add8(s + j, c + j, t.s0, m0);
  comp_add8(s + j + 8, c + j + 8, t.s1, m1);
}

// Rows consecutive rows of the columns [j, j + 16) (the lanes of mask mk)
// into their statistics: the entries a >= u counted into k and added, widened
// to double, into s (compensated per Rows rows); with Count those a >= l
// counted into cnt; with Gap the largest entry below u into lb and the least
// at or above it into ub (floats). With Ahead each row is asked for kRowsAheadBytes ahead.
template <std::size_t Rows, bool Gap, bool Count, bool Ahead>
__attribute__((target("avx512f"))) inline void stats16(const float* r, std::size_t stride, std::size_t j, __mmask16 mk,
                                                       const float* u, const float* l, double* k, double* s, double* c,
                                                       double* cnt, float* lb, float* ub) {
  const __m512 uu = _mm512_maskz_loadu_ps(mk, u + j), one = _mm512_set1_ps(1.0f);
  __m512 ll = _mm512_setzero_ps(), nn = _mm512_setzero_ps();
  __m512 below = _mm512_setzero_ps(), above = _mm512_setzero_ps();
  if constexpr (Count) ll = _mm512_maskz_loadu_ps(mk, l + j);
  if constexpr (Gap) {
    below = _mm512_maskz_loadu_ps(mk, lb + j);
    above = _mm512_maskz_loadu_ps(mk, ub + j);
  }
  Above16 acc = no_above();
  const float* p = r + j;
  for (std::size_t q = 0; q < Rows; ++q, p += stride) {
    if constexpr (Ahead) _mm_prefetch(reinterpret_cast<const char*>(p) + kRowsAheadBytes, _MM_HINT_T0);
    const __m512 a = _mm512_abs_ps(_mm512_maskz_loadu_ps(mk, p));
    const __mmask16 on = _mm512_cmp_ps_mask(a, uu, _CMP_GE_OQ);
    add_above(acc, a, on);
    if constexpr (Count) nn = _mm512_mask_add_ps(nn, _mm512_cmp_ps_mask(a, ll, _CMP_GE_OQ), nn, one);
    if constexpr (Gap) {
      below = _mm512_mask_max_ps(below, static_cast<__mmask16>(~on), below, a);
      above = _mm512_mask_min_ps(above, on, above, a);
    }
  }
  flush_above(acc, j, mk, k, s, c);
  const __mmask8 m0 = static_cast<__mmask8>(mk), m1 = static_cast<__mmask8>(mk >> 8);
  if constexpr (Count) {
    _mm512_mask_storeu_pd(
        cnt + j, m0, _mm512_add_pd(_mm512_maskz_loadu_pd(m0, cnt + j), _mm512_cvtps_pd(_mm512_castps512_ps256(nn))));
    _mm512_mask_storeu_pd(cnt + j + 8, m1,
                          _mm512_add_pd(_mm512_maskz_loadu_pd(m1, cnt + j + 8), _mm512_cvtps_pd(high_half(nn))));
  }
  if constexpr (Gap) {
    _mm512_mask_storeu_ps(lb + j, mk, below);
    _mm512_mask_storeu_ps(ub + j, mk, above);
  }
}

template <std::size_t Rows, bool Gap, bool Count>
__attribute__((target("avx512f"))) void stats_rows(const float* r, std::size_t stride, std::size_t m, const float* u,
                                                   const float* l, double* k, double* s, double* c, double* cnt,
                                                   float* lb, float* ub) {
  std::size_t j = 0;
  if (m >= kAheadMinColumns)
    for (; j + 16 <= m; j += 16) stats16<Rows, Gap, Count, true>(r, stride, j, 0xffff, u, l, k, s, c, cnt, lb, ub);
  else
    for (; j + 16 <= m; j += 16) stats16<Rows, Gap, Count, false>(r, stride, j, 0xffff, u, l, k, s, c, cnt, lb, ub);
  if (j < m) {
    const __mmask16 tail = static_cast<__mmask16>((1u << (m - j)) - 1u);
    stats16<Rows, Gap, Count, false>(r, stride, j, tail, u, l, k, s, c, cnt, lb, ub);
  }
}

// The rows left after the blocks of eight (at most seven), one by one as the
// AVX2 loop adds them (a compensated add per row), for the columns
// [j, j + 16) of mask mk; the statistics stay in registers between the rows
// instead of going through memory once a row (on 100 x 80000 the four rows
// left of a hundred cost about a fifth of the pass that way).
template <bool Gap, bool Count>
__attribute__((target("avx512f"))) inline void tail16(const float* r, std::size_t rows, std::size_t stride,
                                                      std::size_t j, __mmask16 mk, const float* u, const float* l,
                                                      double* k, double* s, double* c, double* cnt, float* lb,
                                                      float* ub) {
  const __mmask8 m0 = static_cast<__mmask8>(mk), m1 = static_cast<__mmask8>(mk >> 8);
  const __m512 uu = _mm512_maskz_loadu_ps(mk, u + j);
  __m512 ll = _mm512_setzero_ps(), below = _mm512_setzero_ps(), above = _mm512_setzero_ps();
  if constexpr (Count) ll = _mm512_maskz_loadu_ps(mk, l + j);
  if constexpr (Gap) {
    below = _mm512_maskz_loadu_ps(mk, lb + j);
    above = _mm512_maskz_loadu_ps(mk, ub + j);
  }
  __m512d k0 = _mm512_maskz_loadu_pd(m0, k + j), k1 = _mm512_maskz_loadu_pd(m1, k + j + 8);
  __m512d n0 = _mm512_setzero_pd(), n1 = _mm512_setzero_pd();
  if constexpr (Count) {
    n0 = _mm512_maskz_loadu_pd(m0, cnt + j);
    n1 = _mm512_maskz_loadu_pd(m1, cnt + j + 8);
  }
  __m512d s0 = _mm512_maskz_loadu_pd(m0, s + j), s1 = _mm512_maskz_loadu_pd(m1, s + j + 8);
  __m512d c0 = _mm512_maskz_loadu_pd(m0, c + j), c1 = _mm512_maskz_loadu_pd(m1, c + j + 8);
  const float* p = r + j;
  for (std::size_t q = 0; q < rows; ++q, p += stride) {
    const __m512 a = _mm512_abs_ps(_mm512_maskz_loadu_ps(mk, p));
    const __mmask16 on = _mm512_cmp_ps_mask(a, uu, _CMP_GE_OQ);
    // The row's count (1, or 0: a lane left as it is, k + 0 being k) and
    // kept entry (or +0), as the AVX2 loop widens and adds them.
    k0 = _mm512_mask_add_pd(k0, static_cast<__mmask8>(on), k0, _mm512_set1_pd(1.0));
    k1 = _mm512_mask_add_pd(k1, static_cast<__mmask8>(on >> 8), k1, _mm512_set1_pd(1.0));
    comp_add_reg8(s0, c0, _mm512_maskz_mov_pd(static_cast<__mmask8>(on), _mm512_cvtps_pd(_mm512_castps512_ps256(a))));
    comp_add_reg8(s1, c1, _mm512_maskz_mov_pd(static_cast<__mmask8>(on >> 8), _mm512_cvtps_pd(high_half(a))));
    if constexpr (Count) {
      const __mmask16 hit = _mm512_cmp_ps_mask(a, ll, _CMP_GE_OQ);
      n0 = _mm512_add_pd(n0, _mm512_maskz_mov_pd(static_cast<__mmask8>(hit), _mm512_set1_pd(1.0)));
      n1 = _mm512_add_pd(n1, _mm512_maskz_mov_pd(static_cast<__mmask8>(hit >> 8), _mm512_set1_pd(1.0)));
    }
    if constexpr (Gap) {
      below = _mm512_mask_max_ps(below, static_cast<__mmask16>(~on), below, a);
      above = _mm512_mask_min_ps(above, on, above, a);
    }
  }
  _mm512_mask_storeu_pd(k + j, m0, k0);
  _mm512_mask_storeu_pd(k + j + 8, m1, k1);
  if constexpr (Count) {
    _mm512_mask_storeu_pd(cnt + j, m0, n0);
    _mm512_mask_storeu_pd(cnt + j + 8, m1, n1);
  }
  _mm512_mask_storeu_pd(s + j, m0, s0);
  _mm512_mask_storeu_pd(s + j + 8, m1, s1);
  _mm512_mask_storeu_pd(c + j, m0, c0);
  _mm512_mask_storeu_pd(c + j + 8, m1, c1);
  if constexpr (Gap) {
    _mm512_mask_storeu_ps(lb + j, mk, below);
    _mm512_mask_storeu_ps(ub + j, mk, above);
  }
}

// Over columns [0, m) of y (the caller offsets y and the arrays to c0):
// eight rows at a time, then the rows left, as the AVX2 sweep.
template <bool Gap, bool Count>
__attribute__((target("avx512f"))) void sweep(const float* y, std::size_t n, std::size_t stride, std::size_t m,
                                              const float* u, const float* l, double* k, double* s, double* c,
                                              double* cnt, float* lb, float* ub) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) stats_rows<8, Gap, Count>(y + i * stride, stride, m, u, l, k, s, c, cnt, lb, ub);
  if (i == n) return;
  const float* r = y + i * stride;
  std::size_t j = 0;
  for (; j + 16 <= m; j += 16) tail16<Gap, Count>(r, n - i, stride, j, 0xffff, u, l, k, s, c, cnt, lb, ub);
  if (j < m)
    tail16<Gap, Count>(r, n - i, stride, j, static_cast<__mmask16>((1u << (m - j)) - 1u), u, l, k, s, c, cnt, lb, ub);
}

// t[0 .. m) rounded up to floats, sixteen at a time: the least float >= t,
// as up_to_float of loops-inl.hpp gives it one at a time (the conversion
// rounding toward +inf: +inf above the largest float, -inf for -inf, the
// largest float negated below its negation, NaN for NaN); returns whether
// any is below +inf.
__attribute__((target("avx512f"))) bool round_up(const double* t, float* out, std::size_t m) {
  const __m512 inf = _mm512_set1_ps(std::numeric_limits<float>::infinity());
  __mmask16 finite = 0;
  for (std::size_t j = 0; j < m; j += 16) {
    const __mmask16 mk = m - j >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (m - j)) - 1u);
    const __mmask8 m0 = static_cast<__mmask8>(mk), m1 = static_cast<__mmask8>(mk >> 8);
    const __m256 lo =
        _mm512_cvt_roundpd_ps(_mm512_maskz_loadu_pd(m0, t + j), _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC);
    const __m256 hi =
        _mm512_cvt_roundpd_ps(_mm512_maskz_loadu_pd(m1, t + j + 8), _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC);
    const __m512 f =
        _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(lo)), _mm256_castps_pd(hi), 1));
    _mm512_mask_storeu_ps(out + j, mk, f);
    finite |= _mm512_mask_cmp_ps_mask(mk, f, inf, _CMP_LT_OQ);
  }
  return finite != 0;
}

// s += c, and the float gaps widened into lb, ub.
template <bool Gap>
__attribute__((target("avx512f"))) void finish(std::size_t m, double* s, const double* c, const float* fb,
                                               const float* fu, double* lb, double* ub) {
  for (std::size_t j = 0; j < m; j += 16) {
    const __mmask16 mk = m - j >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (m - j)) - 1u);
    const __mmask8 m0 = static_cast<__mmask8>(mk), m1 = static_cast<__mmask8>(mk >> 8);
    _mm512_mask_storeu_pd(s + j, m0, _mm512_add_pd(_mm512_maskz_loadu_pd(m0, s + j), _mm512_maskz_loadu_pd(m0, c + j)));
    _mm512_mask_storeu_pd(s + j + 8, m1,
                          _mm512_add_pd(_mm512_maskz_loadu_pd(m1, s + j + 8), _mm512_maskz_loadu_pd(m1, c + j + 8)));
    if constexpr (Gap) {
      const __m512 b = _mm512_maskz_loadu_ps(mk, fb + j), u = _mm512_maskz_loadu_ps(mk, fu + j);
      _mm512_mask_storeu_pd(lb + j, m0, _mm512_cvtps_pd(_mm512_castps512_ps256(b)));
      _mm512_mask_storeu_pd(lb + j + 8, m1, _mm512_cvtps_pd(high_half(b)));
      _mm512_mask_storeu_pd(ub + j, m0, _mm512_cvtps_pd(_mm512_castps512_ps256(u)));
      _mm512_mask_storeu_pd(ub + j + 8, m1, _mm512_cvtps_pd(high_half(u)));
    }
  }
}

// For a scale other than 1 (the entries must then be widened before they are
// compared) the AVX2 table's loops serve: the AVX-512F table is that table
// with these loops in place, so those are the ones it replaced.

template <bool Gap>
void float_stats(const float* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, const double* mu,
                 double* k, double* s, double* c, const double* lo, double* cnt, double* lb, double* ub) {
  const std::size_t m = c1 - c0;
  ScratchVector<float> u(m), l(m), fb(Gap ? m : 0), fu(Gap ? m : 0);
  round_up(mu + c0, u.data(), m);
  const bool count = round_up(lo + c0, l.data(), m);
  if constexpr (Gap) std::fill(fu.begin(), fu.end(), std::numeric_limits<float>::infinity());
  std::fill(k + c0, k + c1, 0.0);
  std::fill(s + c0, s + c1, 0.0);
  std::fill(c + c0, c + c1, 0.0);
  std::fill(cnt + c0, cnt + c1, 0.0);
  if (count)
    sweep<Gap, true>(y + c0, n, stride, m, u.data(), l.data(), k + c0, s + c0, c + c0, cnt + c0, fb.data(), fu.data());
  else
    sweep<Gap, false>(y + c0, n, stride, m, u.data(), l.data(), k + c0, s + c0, c + c0, cnt + c0, fb.data(), fu.data());
  finish<Gap>(m, s + c0, c + c0, fb.data(), fu.data(), Gap ? lb + c0 : nullptr, Gap ? ub + c0 : nullptr);
}

void column_stats_f32(const float* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, double scale,
                      const double* mu, double* k, double* s, double* c, const double* lo, double* cnt) {
  if (scale != 1.0) return avx2_kernels()->column_stats_f32(y, n, stride, c0, c1, scale, mu, k, s, c, lo, cnt);
  float_stats<false>(y, n, stride, c0, c1, mu, k, s, c, lo, cnt, nullptr, nullptr);
}

void column_stats_gap_f32(const float* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                          double scale, const double* mu, double* k, double* s, double* c, const double* lo,
                          double* cnt, double* lb, double* ub) {
  if (scale != 1.0)
    return avx2_kernels()->column_stats_gap_f32(y, n, stride, c0, c1, scale, mu, k, s, c, lo, cnt, lb, ub);
  float_stats<true>(y, n, stride, c0, c1, mu, k, s, c, lo, cnt, lb, ub);
}

// The below-bound pass (column_stats_below_f32): the statistics of stats16
// at threshold u, and the entries a < u listed as (column, value). Entries
// below are rare: one test per Rows rows, then per row only the lanes below.
// The list holds a column's entries in row order, as the AVX2 loop's (whose
// rows run over eight columns at a time, not sixteen: the order across
// columns differs, the caller sorts by column).
template <std::size_t Rows>
__attribute__((target("avx512f"))) inline void below16(const float* r, std::size_t stride, std::size_t j, __mmask16 mk,
                                                       const float* u, double* k, double* s, double* c, std::size_t c0,
                                                       std::size_t cap, std::uint32_t* col, double* val,
                                                       std::size_t* held) {
  const __m512 uu = _mm512_maskz_loadu_ps(mk, u + j);
  Above16 acc = no_above();
  __mmask16 off = 0;
  const float* p = r + j;
  for (std::size_t q = 0; q < Rows; ++q, p += stride) {
    const __m512 a = _mm512_abs_ps(_mm512_maskz_loadu_ps(mk, p));
    add_above(acc, a, _mm512_cmp_ps_mask(a, uu, _CMP_GE_OQ));
    off |= _mm512_mask_cmp_ps_mask(mk, a, uu, _CMP_LT_OQ);
  }
  if (off != 0 && *held + 16 * Rows <= cap) {
    // Room for every lane of every row: each row's entries below compressed
    // into the list in lane order (the order of the loop below), widened.
    const __m512i lane = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(c0 + j)),
                                          _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0));
    p = r + j;
    for (std::size_t q = 0; q < Rows; ++q, p += stride) {
      const __m512 a = _mm512_abs_ps(_mm512_maskz_loadu_ps(mk, p));
      const __mmask16 bits = _mm512_mask_cmp_ps_mask(mk, a, uu, _CMP_LT_OQ);
      const __m512 v = _mm512_maskz_compress_ps(bits, a);
      _mm512_storeu_si512(col + *held, _mm512_maskz_compress_epi32(bits, lane));
      _mm512_storeu_pd(val + *held, _mm512_cvtps_pd(_mm512_castps512_ps256(v)));
      _mm512_storeu_pd(val + *held + 8,
                       _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1))));
      *held += static_cast<std::size_t>(__builtin_popcount(bits));
    }
  } else if (off != 0) {
    p = r + j;
    for (std::size_t q = 0; q < Rows; ++q, p += stride) {
      const __m512 a = _mm512_abs_ps(_mm512_maskz_loadu_ps(mk, p));
      for (unsigned bits = _mm512_mask_cmp_ps_mask(mk, a, uu, _CMP_LT_OQ); bits != 0; bits &= bits - 1) {
        const std::size_t t = static_cast<std::size_t>(__builtin_ctz(bits));
        if (*held < cap) {
          col[*held] = static_cast<std::uint32_t>(c0 + j + t);
          val[*held] = std::fabs(static_cast<double>(p[t]));
        }
        ++*held;
      }
    }
  }
  flush_above(acc, j, mk, k, s, c);
}

template <std::size_t Rows>
__attribute__((target("avx512f"))) void below_rows(const float* r, std::size_t stride, std::size_t m, const float* u,
                                                   double* k, double* s, double* c, std::size_t c0, std::size_t cap,
                                                   std::uint32_t* col, double* val, std::size_t* held) {
  std::size_t j = 0;
  for (; j + 16 <= m; j += 16) below16<Rows>(r, stride, j, 0xffff, u, k, s, c, c0, cap, col, val, held);
  if (j < m) {
    const __mmask16 tail = static_cast<__mmask16>((1u << (m - j)) - 1u);
    below16<Rows>(r, stride, j, tail, u, k, s, c, c0, cap, col, val, held);
  }
}

void column_stats_below_f32(const float* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                            double scale, const double* hi, double* k, double* s, double* c, std::size_t cap,
                            std::uint32_t* col, double* val, std::size_t* held) {
  if (scale != 1.0)
    return avx2_kernels()->column_stats_below_f32(y, n, stride, c0, c1, scale, hi, k, s, c, cap, col, val, held);
  const std::size_t m = c1 - c0;
  ScratchVector<float> u(m);
  round_up(hi + c0, u.data(), m);
  for (std::size_t j = c0; j < c1; ++j) k[j] = s[j] = c[j] = 0.0;
  const float* base = y + c0;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8)
    below_rows<8>(base + i * stride, stride, m, u.data(), k + c0, s + c0, c + c0, c0, cap, col, val, held);
  for (; i < n; ++i)
    below_rows<1>(base + i * stride, stride, m, u.data(), k + c0, s + c0, c + c0, c0, cap, col, val, held);
  for (std::size_t j = c0; j < c1; ++j) s[j] += c[j];
}

// The candidate fill (fill_candidates_f32 of kernel_table.hpp) at scale 1:
// per row, the columns whose |y| is at or above the bound rounded up to a
// float (the same test as against the bound itself: docs/exact-float32.md)
// listed sixteen at a time by compressing the lane numbers under the compare
// mask into a register and storing it whole (the compress to memory is slow
// on some AVX-512F CPUs), the count advanced by the mask's population; then
// each listed entry appended to its column's segment as fill_at of
// loops-inl.hpp does it. No branch per vector and no way to choose per row
// (the AVX2 loop's test-each-vector and list ways): a list store is as cheap
// as the test. The list has sixteen slots past the columns, for the last
// whole store. A column's segment receives its entries in row order, as in
// every other loop, so the bytes are theirs.
__attribute__((target("avx512f,popcnt"))) void fill_candidates_f32(const float* y, std::size_t n, std::size_t m,
                                                                   double scale, const double* bound,
                                                                   const std::size_t* cap, const std::size_t* cbeg,
                                                                   std::size_t* len, double* out) {
  if (scale != 1.0 || m > std::numeric_limits<std::uint32_t>::max() - 16)
    return avx2_kernels()->fill_candidates_f32(y, n, m, scale, bound, cap, cbeg, len, out);
  ScratchVector<float> b(m);
  round_up(bound, b.data(), m);
  ScratchVector<std::uint32_t> list(m + 16);
  std::uint32_t* at = list.data();
  const __m512i first = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i step = _mm512_set1_epi32(16);
  const std::size_t mw = m / 16 * 16;
  const __mmask16 tail = static_cast<__mmask16>((1u << (m - mw)) - 1u);
  double sink = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const float* r = y + i * m;
    __m512i idx = first;
    std::size_t held = 0, j = 0;
    for (; j < mw; j += 16) {
      const __mmask16 on =
          _mm512_cmp_ps_mask(_mm512_abs_ps(_mm512_loadu_ps(r + j)), _mm512_loadu_ps(b.data() + j), _CMP_GE_OQ);
      _mm512_storeu_si512(at + held, _mm512_maskz_compress_epi32(on, idx));
      held += static_cast<std::size_t>(_mm_popcnt_u32(on));
      idx = _mm512_add_epi32(idx, step);
    }
    if (tail != 0) {
      const __mmask16 on = _mm512_mask_cmp_ps_mask(tail, _mm512_abs_ps(_mm512_maskz_loadu_ps(tail, r + j)),
                                                   _mm512_maskz_loadu_ps(tail, b.data() + j), _CMP_GE_OQ);
      _mm512_storeu_si512(at + held, _mm512_maskz_compress_epi32(on, idx));
      held += static_cast<std::size_t>(_mm_popcnt_u32(on));
    }
    for (std::size_t e = 0; e < held; ++e) {
      const std::size_t c = at[e];
      const double a = std::fabs(static_cast<double>(r[c]));
      const std::size_t l = len[c];
      const bool take = (a >= bound[c]) & (l < cap[c]);
      double* dst = take ? out + cbeg[c] + l : &sink;
      *dst = a;
      len[c] = l + static_cast<std::size_t>(take);
    }
  }
}

// The first read with the top lists (column_max_sum_top_f32 of
// kernel_table.hpp: per column max |y|, the sum of |y| * scale and the
// kColumnTop largest |y|) in sixteen float lanes, the AVX2 loop's
// (max_sum_top_at of loops-inl.hpp) operations per lane: the maximum, the
// eight rows' |y| widened, scaled and added as the same tree into the sums,
// and where some lane of the sixteen beats its column's floor, the same
// sorting network over all of them (for a lane that beats nothing the
// network leaves its sorted list as it is, so running it for more lanes than
// the AVX2 loop does changes no bit). Columns in tiles of kTopTile whose
// accumulators stay in L2, as there; the tail of a tile under a mask.
constexpr std::size_t kTopTile = kFirstReadTile;
static_assert(kColumnTop == 8, "the network below sorts eight rows into eight lists");

__attribute__((target("avx512f"))) inline __m512d wide_lo(__m512 a) {
  return _mm512_cvtps_pd(_mm512_castps512_ps256(a));
}

__attribute__((target("avx512f"))) inline __m512d wide_hi(__m512 a) {
  return _mm512_cvtps_pd(high_half(a));
}

template <std::size_t Rows, bool Ahead>
__attribute__((target("avx512f"))) inline void top16(const float* r, std::size_t stride, std::size_t j, __mmask16 mk,
                                                     __m512d scale, std::size_t tile, float* best, double* acc,
                                                     float* tops, __mmask16& nan) {
  const __mmask8 m0 = static_cast<__mmask8>(mk), m1 = static_cast<__mmask8>(mk >> 8);
  __m512 a[Rows];
  const float* p = r + j;
  for (std::size_t q = 0; q < Rows; ++q) {
    if constexpr (Ahead) _mm_prefetch(reinterpret_cast<const char*>(p + q * stride) + kRowsAheadBytes, _MM_HINT_T0);
    a[q] = _mm512_abs_ps(_mm512_maskz_loadu_ps(mk, p + q * stride));
    nan |= _mm512_cmp_ps_mask(a[q], a[q], _CMP_UNORD_Q);
  }
  __m512 hi = a[0];
  for (std::size_t q = 1; q < Rows; ++q) hi = _mm512_max_ps(hi, a[q]);
  _mm512_mask_storeu_ps(best + j, mk, _mm512_max_ps(_mm512_maskz_loadu_ps(mk, best + j), hi));
  __m512d lo_sum, hi_sum;
  if constexpr (Rows == 8) {
    __m512d x[8], z[8];
    for (std::size_t q = 0; q < 8; ++q) {
      x[q] = _mm512_mul_pd(wide_lo(a[q]), scale);
      z[q] = _mm512_mul_pd(wide_hi(a[q]), scale);
    }
    lo_sum = _mm512_add_pd(_mm512_add_pd(_mm512_add_pd(x[0], x[1]), _mm512_add_pd(x[2], x[3])),
                           _mm512_add_pd(_mm512_add_pd(x[4], x[5]), _mm512_add_pd(x[6], x[7])));
    hi_sum = _mm512_add_pd(_mm512_add_pd(_mm512_add_pd(z[0], z[1]), _mm512_add_pd(z[2], z[3])),
                           _mm512_add_pd(_mm512_add_pd(z[4], z[5]), _mm512_add_pd(z[6], z[7])));
  } else {
    lo_sum = _mm512_mul_pd(wide_lo(a[0]), scale);
    hi_sum = _mm512_mul_pd(wide_hi(a[0]), scale);
  }
  _mm512_mask_storeu_pd(acc + j, m0, _mm512_add_pd(_mm512_maskz_loadu_pd(m0, acc + j), lo_sum));
  _mm512_mask_storeu_pd(acc + j + 8, m1, _mm512_add_pd(_mm512_maskz_loadu_pd(m1, acc + j + 8), hi_sum));
  // Nothing in these rows reaches any lane's floor: the lists stay as they are.
  if (_mm512_mask_cmp_ps_mask(mk, hi, _mm512_maskz_loadu_ps(mk, tops + (kColumnTop - 1) * tile + j), _CMP_GT_OQ) == 0)
    return;
  __m512 t[kColumnTop];
  for (std::size_t k = 0; k < kColumnTop; ++k) t[k] = _mm512_maskz_loadu_ps(mk, tops + k * tile + j);
  if constexpr (Rows == 8)
    top8::merge_rows8(a, t);
  else
    top8::insert_row(a[0], t);
  for (std::size_t k = 0; k < kColumnTop; ++k) _mm512_mask_storeu_ps(tops + k * tile + j, mk, t[k]);
}

template <std::size_t Rows>
__attribute__((target("avx512f"))) void top_rows(const float* r, std::size_t stride, std::size_t m, __m512d scale,
                                                 std::size_t tile, float* best, double* acc, float* tops,
                                                 __mmask16& nan) {
  std::size_t j = 0;
  if (m >= kAheadMinColumns)
    for (; j + 16 <= m; j += 16) top16<Rows, true>(r, stride, j, 0xffff, scale, tile, best, acc, tops, nan);
  else
    for (; j + 16 <= m; j += 16) top16<Rows, false>(r, stride, j, 0xffff, scale, tile, best, acc, tops, nan);
  if (j < m)
    top16<Rows, false>(r, stride, j, static_cast<__mmask16>((1u << (m - j)) - 1u), scale, tile, best, acc, tops, nan);
}

__attribute__((target("avx512f"))) bool column_max_sum_top_f32(const float* y, std::size_t n, std::size_t stride,
                                                               std::size_t c0, std::size_t c1, double scale, double* mx,
                                                               double* sum, float* top) {
  const std::size_t tile = std::min(kTopTile, c1 - c0);
  ScratchVector<float> best(tile), tops(tile * kColumnTop);
  ScratchVector<double> acc(tile);
  const __m512d sc = _mm512_set1_pd(scale);
  __mmask16 nan = 0;
  for (std::size_t t0 = c0; t0 < c1; t0 += tile) {
    const std::size_t m = std::min(tile, c1 - t0);
    const float* base = y + t0;
    std::fill(best.begin(), best.begin() + static_cast<std::ptrdiff_t>(m), 0.0f);
    std::fill(acc.begin(), acc.begin() + static_cast<std::ptrdiff_t>(m), 0.0);
    std::fill(tops.begin(), tops.end(), 0.0f);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8)
      top_rows<8>(base + i * stride, stride, m, sc, tile, best.data(), acc.data(), tops.data(), nan);
    for (; i < n; ++i) top_rows<1>(base + i * stride, stride, m, sc, tile, best.data(), acc.data(), tops.data(), nan);
    for (std::size_t j = 0; j < m; ++j) {
      mx[t0 + j] = static_cast<double>(best[j]);
      sum[t0 + j] = acc[j];
      for (std::size_t k = 0; k < kColumnTop; ++k) top[(t0 + j) * kColumnTop + k] = tops[k * tile + j];
    }
  }
  return nan == 0;
}

}  // namespace

void take_avx512_float_stats(KernelTable& t) {
  if (!__builtin_cpu_supports("avx512f")) return;
  t.column_stats_f32 = &column_stats_f32;
  t.column_stats_gap_f32 = &column_stats_gap_f32;
  t.column_stats_below_f32 = &column_stats_below_f32;
  t.fill_candidates_f32 = &fill_candidates_f32;
  t.column_max_sum_top_f32 = &column_max_sum_top_f32;
}

}  // namespace simd
}  // namespace bp

#else

namespace bp {
namespace simd {
void take_avx512_float_stats(KernelTable&) {}
}  // namespace simd
}  // namespace bp

#endif
