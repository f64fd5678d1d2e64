#include "l1_block_avx512.hpp"

#include <cstddef>
#include <cstdint>
#include <limits>

#include "target.hpp"

#ifdef BP_SIMD_X86
#include "avx512_intrinsics.hpp"

namespace bp {
namespace simd {
namespace {

static_assert(kL1BlockLanes == 8, "one row of a block is 8 floats, widened into one vector of 8 doubles");

// The passes' counts and gap bounds on the integer side: per row, the
// double-precision adds of the sums (the compensated chain's six) are what
// the loops wait on, so the count (+1 in a 64-bit integer lane under the
// mask) and the smallest entry above / largest at or below the filter (an
// integer minimum / maximum of the bit patterns) take the integer vector
// operations instead. Same values: a count is exact either way (below
// 2^53), and the entries are +0, positive or +infinity (|y| * scale of
// finite y), whose bit patterns order as the doubles do.
__attribute__((target("avx512f"))) inline __m512i count_up(__m512i c, __mmask8 m) {
  return _mm512_mask_sub_epi64(c, m, c, _mm512_set1_epi64(-1));
}
__attribute__((target("avx512f"))) inline void store_counts(double* count, __m512i c) {
  alignas(64) long long v[kL1BlockLanes];
  _mm512_store_si512(v, c);
  for (std::size_t q = 0; q < kL1BlockLanes; ++q) count[q] = static_cast<double>(v[q]);
}

// Row i of a block buffer: loaded in its own type, widened (exactly) to 8
// doubles, stored back in its own type, so that each pass below is written
// once for the float buffer and the double one.
__attribute__((target("avx512f"))) inline __m256 raw_row(const float* a, std::size_t i) {
  return _mm256_loadu_ps(a + i * kL1BlockLanes);
}
__attribute__((target("avx512f"))) inline __m512d raw_row(const double* a, std::size_t i) {
  return _mm512_loadu_pd(a + i * kL1BlockLanes);
}
__attribute__((target("avx512f"))) inline __m512d widen(__m256 row) {
  return _mm512_cvtps_pd(row);
}
__attribute__((target("avx512f"))) inline __m512d widen(__m512d row) {
  return row;
}
__attribute__((target("avx512f"))) inline void store_row(float* a, std::size_t i, __m256 row) {
  _mm256_storeu_ps(a + i * kL1BlockLanes, row);
}
__attribute__((target("avx512f"))) inline void store_row(double* a, std::size_t i, __m512d row) {
  _mm512_storeu_pd(a + i * kL1BlockLanes, row);
}

// A gathered row's entries above the filters added to each lane's sum and
// count (+1 as a double, as the double loop counts); 1 when any lane had one
// (the row is kept).
__attribute__((target("avx512f"))) inline std::size_t add_above(__m512d x, __m512d tv, __m512d& sv, __m512d& cv) {
  const __mmask8 m = _mm512_cmp_pd_mask(x, tv, _CMP_GT_OQ);
  sv = _mm512_add_pd(sv, _mm512_maskz_mov_pd(m, x));
  cv = _mm512_add_pd(cv, _mm512_maskz_mov_pd(m, _mm512_set1_pd(1.0)));
  return m != 0 ? 1 : 0;
}

// The end of both gathers: each lane's filter raised to (sum - r) / count
// lowered by the plain sum's error bound 4 eps sum + the smallest subnormal,
// where that is higher and the lane kept anything (the double loop's
// operations in its order; the build never fuses them: CMakeLists.txt);
// then sum and count stored.
__attribute__((target("avx512f"))) inline void raise_filters(__m512d tv, __m512d sv, __m512d cv, const double* r,
                                                             double* t, double* sum, double* count) {
  const __m512d eps4 = _mm512_set1_pd(4.0 * std::numeric_limits<double>::epsilon()),
                tiny = _mm512_set1_pd(std::numeric_limits<double>::denorm_min());
  const __m512d rv = _mm512_loadu_pd(r);
  const __m512d slack = _mm512_mul_pd(eps4, sv);
  const __m512d b = _mm512_sub_pd(_mm512_div_pd(_mm512_sub_pd(sv, rv), cv), _mm512_add_pd(slack, tiny));
  const __mmask8 up = static_cast<__mmask8>(_mm512_cmp_pd_mask(b, tv, _CMP_GT_OQ) &
                                            _mm512_cmp_pd_mask(cv, _mm512_setzero_pd(), _CMP_GT_OQ));
  _mm512_storeu_pd(t, _mm512_mask_mov_pd(tv, up, b));
  _mm512_storeu_pd(sum, sv);
  _mm512_storeu_pd(count, cv);
}

// The gather of one block (the double loop's contract, loops-inl.hpp,
// l1_block_gather, with scale 1): each row's |y| appended to dst as floats,
// the row kept when an entry is above its lane's filter; each lane adds its
// entries above the filter to sum and count in row order; then the filters
// are raised to (sum - r) / count lowered by the plain sum's error bound,
// with that loop's operations in its order (no fused multiply-add).
__attribute__((target("avx512f"))) std::size_t gather(const float* src, std::size_t stride, std::size_t rows,
                                                      std::size_t ahead, std::size_t width, float* dst,
                                                      std::size_t kept, double* t, const double* r, double* sum,
                                                      double* count) {
  const __m512d tv = _mm512_loadu_pd(t);
  const __m256 sign = _mm256_set1_ps(-0.0f);
  __m512d sv = _mm512_loadu_pd(sum), cv = _mm512_loadu_pd(count);
  const std::size_t last = (width < kL1BlockLanes ? width : kL1BlockLanes) - 1;
  for (std::size_t i = 0; i < rows; ++i, src += stride) {
    if (i + kL1GatherAhead < ahead) {
      // The slice's first and last entries: it may straddle two lines.
      _mm_prefetch(reinterpret_cast<const char*>(src + kL1GatherAhead * stride), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(src + kL1GatherAhead * stride + last), _MM_HINT_T0);
    }
    __m256 v;
    if (width < kL1BlockLanes) {  // a partial last block: +0 past the matrix
      float pad[kL1BlockLanes];
      for (std::size_t q = 0; q < kL1BlockLanes; ++q) pad[q] = q < width ? src[q] : 0.0f;
      v = _mm256_loadu_ps(pad);
    } else {
      v = _mm256_loadu_ps(src);
    }
    const __m256 a = _mm256_andnot_ps(sign, v);
    _mm256_storeu_ps(dst + kept * kL1BlockLanes, a);
    const __m512d x = _mm512_cvtps_pd(a);
    kept += add_above(x, tv, sv, cv);
  }
  raise_filters(tv, sv, cv, r, t, sum, count);
  return kept;
}

// The passes on either buffer (T = float or double), with the double
// loops' operations in their order (a masked-off lane adds +0, as their
// bit-and does): the same bits as every other table.

// The plain pass (l1_block_pass<Isa, false, false, true>): per lane the sum
// and count of the entries above t, the rows with such an entry moved to the
// front (in order), their number returned.
template <class T>
__attribute__((target("avx512f"))) std::size_t plain(T* a, std::size_t n, const double* t, double* sum, double* count) {
  const __m512d tv = _mm512_loadu_pd(t);
  __m512d s = _mm512_setzero_pd();
  __m512i c = _mm512_setzero_si512();
  std::size_t kept = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto row = raw_row(a, i);
    const __m512d x = widen(row);
    const __mmask8 m = _mm512_cmp_pd_mask(x, tv, _CMP_GT_OQ);
    s = _mm512_add_pd(s, _mm512_maskz_mov_pd(m, x));
    c = count_up(c, m);
    // Written always, kept when any lane is above its threshold: no branch.
    store_row(a, kept, row);
    kept += m != 0 ? 1 : 0;
  }
  _mm512_storeu_pd(sum, s);
  store_counts(count, c);
  return kept;
}

// One compensated step (the double loop's two-sum, in its order): s + term
// with the rounding error added to e.
__attribute__((target("avx512f"))) inline void two_sum(__m512d& s, __m512d& e, __m512d term) {
  const __m512d next = _mm512_add_pd(s, term);
  const __m512d bp = _mm512_sub_pd(next, s);
  e = _mm512_add_pd(e, _mm512_add_pd(_mm512_sub_pd(s, _mm512_sub_pd(next, bp)), _mm512_sub_pd(term, bp)));
  s = next;
}

// The kept pass (l1_block_pass<Isa, true, true>): per lane the compensated
// sum of x - t over the entries above t, and their count.
template <class T>
__attribute__((target("avx512f"))) std::size_t kept(T* a, std::size_t n, const double* t, double* sum, double* count) {
  const __m512d tv = _mm512_loadu_pd(t);
  __m512d s = _mm512_setzero_pd(), e = s;
  __m512i c = _mm512_setzero_si512();
  for (std::size_t i = 0; i < n; ++i) {
    const __m512d x = widen(raw_row(a, i));
    const __mmask8 m = _mm512_cmp_pd_mask(x, tv, _CMP_GT_OQ);
    two_sum(s, e, _mm512_maskz_mov_pd(m, _mm512_sub_pd(x, tv)));
    c = count_up(c, m);
  }
  _mm512_storeu_pd(sum, _mm512_add_pd(s, e));
  store_counts(count, c);
  return n;
}

// The compensated pass with its gap (l1_block_comp_gap): the chains' sum and
// error apart, the count, the smallest entry above t (+inf where none) and
// the largest at or below it (+0 where none). Compensated = false is the pass
// for lanes whose sums are exact (kernel_table.hpp, l1_float_exact_gap): the
// same steps without the two-sum's error chain. Its s is the compensated
// pass's s (the same adds of the same terms in the same order), and where
// every add is exact that pass's err stays +0 (each step adds
// (s - (next - bp)) + (term - bp) = +0 + +0), which is written.
template <class T, bool Compensated>
__attribute__((target("avx512f"))) void gap_pass(const T* a, std::size_t n, const double* t, double* sum, double* err,
                                                 double* count, double* low, double* high) {
  const __m512d inf = _mm512_set1_pd(std::numeric_limits<double>::infinity()), tv = _mm512_loadu_pd(t);
  __m512d s = _mm512_setzero_pd(), e = s;
  __m512i c = _mm512_setzero_si512(), hi = c, lo = _mm512_castpd_si512(inf);
  for (std::size_t i = 0; i < n; ++i) {
    const __m512d x = widen(raw_row(a, i));
    const __mmask8 m = _mm512_cmp_pd_mask(x, tv, _CMP_GT_OQ);
    if constexpr (Compensated) {
      two_sum(s, e, _mm512_maskz_mov_pd(m, x));
    } else {
      s = _mm512_add_pd(s, _mm512_maskz_mov_pd(m, x));
    }
    c = count_up(c, m);
    const __m512i xi = _mm512_castpd_si512(x);
    lo = _mm512_mask_min_epi64(lo, m, lo, xi);                          // over the entries above t
    hi = _mm512_mask_max_epi64(hi, static_cast<__mmask8>(~m), hi, xi);  // over the others
  }
  _mm512_storeu_pd(sum, s);
  _mm512_storeu_pd(err, e);  // +0 throughout where not Compensated
  store_counts(count, c);
  _mm512_storeu_pd(low, _mm512_castsi512_pd(lo));
  _mm512_storeu_pd(high, _mm512_castsi512_pd(hi));
}

// The gather from a double matrix (the double buffer: the double matrix's
// search, and a float matrix's where it needs a scale; loops-inl.hpp,
// l1_block_gather): one row of 8 doubles is one vector, where the AVX2 loops
// take two, and the compares go to a mask register. Each row's
// |y| * scale appended to dst, kept when an entry is above its lane's
// filter; then the filters raised as there.
__attribute__((target("avx512f"))) std::size_t gather_f64(const double* src, std::size_t stride, std::size_t rows,
                                                          std::size_t ahead, std::size_t width, double scale,
                                                          double* dst, std::size_t kept, double* t, const double* r,
                                                          double* sum, double* count) {
  const __m512d tv = _mm512_loadu_pd(t), sc = _mm512_set1_pd(scale);
  const __m512i sign = _mm512_set1_epi64(static_cast<long long>(0x8000000000000000ull));
  __m512d sv = _mm512_loadu_pd(sum), cv = _mm512_loadu_pd(count);
  const std::size_t last = (width < kL1BlockLanes ? width : kL1BlockLanes) - 1;
  const __mmask8 inside = width < kL1BlockLanes ? static_cast<__mmask8>((1u << width) - 1u) : __mmask8(0xff);
  for (std::size_t i = 0; i < rows; ++i, src += stride) {
    if (i + kL1GatherAhead < ahead) {
      // The slice's first and last entries: it may straddle two lines.
      _mm_prefetch(reinterpret_cast<const char*>(src + kL1GatherAhead * stride), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(src + kL1GatherAhead * stride + last), _MM_HINT_T0);
    }
    // A partial last block reads +0 past the matrix (a masked load touches
    // nothing there).
    const __m512i v = _mm512_castpd_si512(_mm512_maskz_loadu_pd(inside, src));
    const __m512d x = _mm512_mul_pd(_mm512_castsi512_pd(_mm512_andnot_si512(sign, v)), sc);
    _mm512_storeu_pd(dst + kept * kL1BlockLanes, x);
    kept += add_above(x, tv, sv, cv);
  }
  raise_filters(tv, sv, cv, r, t, sum, count);
  return kept;
}

// The exact finish's lane arithmetic of one round for all 8 lanes
// (l1_lane_estimates; the reference is group_l1_thresholds.cpp's
// lane_estimates_scalar, with kept_mass_shortfall and proved_threshold,
// whose comments say why each step is there). Every operation is the
// scalar code's in its order, lane by lane: a Neumaier add takes both of
// its branches' sums and keeps one by the same comparison; a branch that
// returns early is a mask that keeps its value. So each lane has the
// scalar bits, NaN and infinities included.
__attribute__((target("avx512f"))) inline void neumaier_add(__m512d& sum, __m512d& comp, __m512d x) {
  const __m512d t = _mm512_add_pd(sum, x);
  const __mmask8 big = _mm512_cmp_pd_mask(_mm512_abs_pd(sum), _mm512_abs_pd(x), _CMP_GE_OQ);
  const __m512d if_big = _mm512_add_pd(_mm512_sub_pd(sum, t), x);
  const __m512d if_small = _mm512_add_pd(_mm512_sub_pd(x, t), sum);
  comp = _mm512_add_pd(comp, _mm512_mask_blend_pd(big, if_small, if_big));
  sum = t;
}

// -x, the sign bit flipped (0 - x would give +0 for +0).
__attribute__((target("avx512f"))) inline __m512d negated(__m512d x) {
  return _mm512_castsi512_pd(
      _mm512_xor_si512(_mm512_castpd_si512(x), _mm512_set1_epi64(std::numeric_limits<std::int64_t>::min())));
}

// The scalar next_up for x >= +0 (the only lanes whose results are read):
// one bit pattern up where x < +inf, x itself for +inf and NaN. Not
// std::nextafter(x, +inf) for a negative x or -0 (adding 1 to the bits moves
// those away from zero).
__attribute__((target("avx512f"))) inline __m512d next_up_lanes(__m512d x) {
  const __mmask8 finite = _mm512_cmp_pd_mask(x, _mm512_set1_pd(std::numeric_limits<double>::infinity()), _CMP_LT_OQ);
  const __m512i xi = _mm512_castpd_si512(x);
  return _mm512_castsi512_pd(_mm512_mask_add_epi64(xi, finite, xi, _mm512_set1_epi64(1)));
}

__attribute__((target("avx512f"))) inline __m512d kept_mass_shortfall_lanes(__m512d s, __m512d e, __m512d cnt,
                                                                            __m512d tau, __m512d r, double nd) {
  constexpr double eps = std::numeric_limits<double>::epsilon();
  const __m512d inf = _mm512_set1_pd(std::numeric_limits<double>::infinity());
  if (!(nd < 67108864.0)) return inf;
  const __mmask8 bounded = static_cast<__mmask8>(_mm512_cmp_pd_mask(cnt, _mm512_set1_pd(67108864.0), _CMP_LT_OQ) &
                                                 _mm512_cmp_pd_mask(tau, _mm512_set1_pd(1e-200), _CMP_GT_OQ) &
                                                 _mm512_cmp_pd_mask(tau, _mm512_set1_pd(1e200), _CMP_LT_OQ) &
                                                 _mm512_cmp_pd_mask(r, _mm512_setzero_pd(), _CMP_GT_OQ));
  const __m512d hi = _mm512_castsi512_pd(
      _mm512_and_si512(_mm512_castpd_si512(tau), _mm512_set1_epi64(~((std::int64_t(1) << 27) - 1))));
  const __m512d lo = _mm512_sub_pd(tau, hi);
  __m512d sum = _mm512_setzero_pd(), comp = sum;
  const __m512d chi = _mm512_mul_pd(cnt, hi), clo = _mm512_mul_pd(cnt, lo);
  neumaier_add(sum, comp, r);
  neumaier_add(sum, comp, negated(s));
  neumaier_add(sum, comp, negated(e));
  neumaier_add(sum, comp, chi);
  neumaier_add(sum, comp, clo);
  const __m512d margin = _mm512_add_pd(sum, comp);
  const __m512d as = _mm512_abs_pd(s);
  __m512d terms = _mm512_add_pd(r, as);
  terms = _mm512_add_pd(terms, _mm512_abs_pd(e));
  terms = _mm512_add_pd(terms, _mm512_mul_pd(cnt, _mm512_abs_pd(hi)));
  terms = _mm512_add_pd(terms, _mm512_mul_pd(cnt, _mm512_abs_pd(lo)));
  const __m512d e1 = _mm512_mul_pd(_mm512_set1_pd(2.0 * eps), _mm512_abs_pd(margin));
  const __m512d e2 = _mm512_mul_pd(_mm512_set1_pd(16.0 * eps * eps), terms);
  const __m512d e3 = _mm512_mul_pd(_mm512_set1_pd(nd * nd * eps * eps), as);
  const __m512d err = _mm512_add_pd(_mm512_add_pd(e1, e2), e3);
  const __m512d need = _mm512_sub_pd(_mm512_add_pd(err, _mm512_mul_pd(_mm512_set1_pd(0.51 * eps), r)), margin);
  return _mm512_mask_blend_pd(bounded, inf, need);
}

__attribute__((target("avx512f"))) void lane_estimates(const double* sum, const double* err, const double* count,
                                                       const double* r, const double* low, const double* high,
                                                       std::size_t n, double* tau, double* proved) {
  const __m512d s = _mm512_loadu_pd(sum), e = _mm512_loadu_pd(err), cnt = _mm512_loadu_pd(count),
                rv = _mm512_loadu_pd(r), lo = _mm512_loadu_pd(low), hi = _mm512_loadu_pd(high);
  const __m512d zero = _mm512_setzero_pd(), nan = _mm512_set1_pd(std::numeric_limits<double>::quiet_NaN()),
                inf = _mm512_set1_pd(std::numeric_limits<double>::infinity());
  // The estimate: Neumaier's sum of sum, err and -r over the count, one ulp
  // up where above zero (rounded_up).
  __m512d acc = zero, comp = zero;
  neumaier_add(acc, comp, s);
  neumaier_add(acc, comp, e);
  neumaier_add(acc, comp, negated(rv));
  __m512d t = _mm512_div_pd(_mm512_add_pd(acc, comp), cnt);
  t = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(t, zero, _CMP_GT_OQ), t, next_up_lanes(t));
  _mm512_storeu_pd(tau, t);
  // The proof where the set is stable (high <= tau < low): tau where the
  // shortfall is <= 0; else, where it is finite, tau raised by it, if that
  // stays below low and is proved in turn; NaN elsewhere.
  const __mmask8 stable =
      static_cast<__mmask8>(_mm512_cmp_pd_mask(hi, t, _CMP_LE_OQ) & _mm512_cmp_pd_mask(t, lo, _CMP_LT_OQ));
  const double nd = static_cast<double>(n);
  const __m512d need = kept_mass_shortfall_lanes(s, e, cnt, t, rv, nd);
  const __mmask8 fits = _mm512_cmp_pd_mask(need, zero, _CMP_LE_OQ);
  const __mmask8 finite = static_cast<__mmask8>(~fits & _mm512_cmp_pd_mask(need, inf, _CMP_LT_OQ));
  const __m512d step =
      _mm512_div_pd(_mm512_mul_pd(need, _mm512_set1_pd(1.0 + 4.0 * std::numeric_limits<double>::epsilon())), cnt);
  const __m512d up = next_up_lanes(_mm512_add_pd(t, step));
  const __m512d need_up = kept_mass_shortfall_lanes(s, e, cnt, up, rv, nd);
  const __mmask8 raised = static_cast<__mmask8>(finite & _mm512_cmp_pd_mask(up, lo, _CMP_LT_OQ) &
                                                _mm512_cmp_pd_mask(need_up, zero, _CMP_LE_OQ));
  __m512d p = nan;
  p = _mm512_mask_mov_pd(p, raised, up);
  p = _mm512_mask_mov_pd(p, fits, t);
  _mm512_storeu_pd(proved, _mm512_mask_blend_pd(stable, nan, p));
}

}  // namespace

void take_avx512_l1_blocks(KernelTable& t) {
  if (!__builtin_cpu_supports("avx512f")) return;
  t.l1_float_gather = &gather;
  t.l1_float_plain = &plain<float>;
  t.l1_float_kept = &kept<float>;
  t.l1_float_comp_gap = &gap_pass<float, true>;
  t.l1_float_exact_gap = &gap_pass<float, false>;
  t.l1_block_gather_f64 = &gather_f64;
  t.l1_block_plain = &plain<double>;
  t.l1_block_kept = &kept<double>;
  t.l1_block_comp_gap = &gap_pass<double, true>;
  t.l1_lane_estimates = &lane_estimates;
}

}  // namespace simd
}  // namespace bp

#else

namespace bp {
namespace simd {
void take_avx512_l1_blocks(KernelTable&) {}
}  // namespace simd
}  // namespace bp

#endif
