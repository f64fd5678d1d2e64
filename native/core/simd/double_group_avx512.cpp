#include "double_group_avx512.hpp"

#include <cmath>
#include <cstddef>

#include "target.hpp"

#ifdef BP_SIMD_X86
#include "avx512_intrinsics.hpp"
#include "avx512_widen.hpp"

namespace bp {
namespace simd {
namespace {

#define BP_AVX512 __attribute__((target("avx512f")))

// The eight lanes summed as fold8 (loops-inl.hpp) does:
// ((l0 + l4) + (l1 + l5)) + ((l2 + l6) + (l3 + l7)), in registers (each add
// here is one of those, its operands maybe swapped: the same bits). Through
// memory, a 512-bit store read back as doubles, the pass ran 6-8 % slower
// than the AVX2 loop on 100 x 80000 uniform 0.01 (columns of 100 entries:
// six folds a column).
BP_AVX512 inline double fold8(__m512d v) {
  const __m512d halves = _mm512_add_pd(v, _mm512_shuffle_f64x2(v, v, 0x4e));  // l0 + l4 .. l3 + l7
  const __m256d h = _mm512_castpd512_pd256(halves);
  const __m256d pairs = _mm256_add_pd(h, _mm256_permute_pd(h, 0x5));  // h0 + h1, h2 + h3 (twice)
  const __m128d lo = _mm256_castpd256_pd128(pairs), hi = _mm256_extractf128_pd(pairs, 1);
  return _mm_cvtsd_f64(_mm_add_sd(lo, hi));
}

// comp_add of the scalar lanes: Neumaier's add of x >= 0 into sum >= 0, big
// and small picked as the scalar lanes' max and min pick them.
inline void comp_add(double* sum, double* comp, double x) {
  const double s = *sum, t = s + x;
  const double big = s > x ? s : x, small = x < s ? x : s;
  *comp += (big - t) + small;
  *sum = t;
}

// Why the same bits as the AVX2 loop (group_stats, loops-inl.hpp): its two
// vectors of four are this vector's low and high halves (entries q..q+3 and
// q+4..q+7 of each eight); where it adds a masked value (a count of 0, a
// skipped entry of +0) this one leaves the lane as it is under a mask, and
// the counts and sums are >= +0, so x + 0 is x. Blocks of 64 entries (plain
// sums, one compensated add of their fold), then eight at a time, then one
// by one, as there.
// One entry as a double (eight: load8, avx512_widen.hpp).
BP_AVX512 inline double load1(const double* p) {
  return *p;
}
BP_AVX512 inline double load1(const float* p) {
  return static_cast<double>(*p);
}

// Over floats too (group_stats_f32: the float gather's copy holds floats,
// docs/exact-float32.md): each entry widened, then the same operations.
template <class T>
BP_AVX512 void group_stats(const T* r, std::size_t len, double scale, double u, double* k_out, double* s_out) {
  const __m512d uu = _mm512_set1_pd(u), one = _mm512_set1_pd(1.0), sc = _mm512_set1_pd(scale);
  __m512d kv = _mm512_setzero_pd();
  double sum = 0.0, comp = 0.0;
  std::size_t j = 0;
  for (; j + 64 <= len; j += 64) {
    __m512d sv = _mm512_setzero_pd();
    for (std::size_t q = 0; q < 64; q += 8) {
      const __m512d a = _mm512_mul_pd(_mm512_abs_pd(load8(r + j + q)), sc);
      const __mmask8 on = _mm512_cmp_pd_mask(a, uu, _CMP_GE_OQ);
      kv = _mm512_mask_add_pd(kv, on, kv, one);
      sv = _mm512_mask_add_pd(sv, on, sv, a);
    }
    comp_add(&sum, &comp, fold8(sv));
  }
  for (; j + 8 <= len; j += 8) {
    const __m512d a = _mm512_mul_pd(_mm512_abs_pd(load8(r + j)), sc);
    const __mmask8 on = _mm512_cmp_pd_mask(a, uu, _CMP_GE_OQ);
    kv = _mm512_mask_add_pd(kv, on, kv, one);
    comp_add(&sum, &comp, fold8(_mm512_maskz_mov_pd(on, a)));
  }
  // The last entries one by one, without a branch (as the scalar lanes: a
  // mask of the compare): with a branch on the compare the pass ran 7 %
  // slower than the AVX2 loop on 100 x 80000 uniform 0.01 (columns of 100
  // entries, the last four of each mispredicted half the time).
  double kt = 0.0;
  const __m128d abs_mask = _mm_castsi128_pd(_mm_set1_epi64x(0x7fffffffffffffffLL));
  const __m128d u1 = _mm_set_sd(u), sc1 = _mm_set_sd(scale), one1 = _mm_set_sd(1.0);
  for (; j < len; ++j) {
    const __m128d a = _mm_mul_sd(_mm_and_pd(_mm_set_sd(load1(r + j)), abs_mask), sc1);
    const __m128d on = _mm_cmp_sd(a, u1, _CMP_GE_OQ);
    kt += _mm_cvtsd_f64(_mm_and_pd(on, one1));
    comp_add(&sum, &comp, _mm_cvtsd_f64(_mm_and_pd(on, a)));
  }
  *k_out = fold8(kv) + kt;
  *s_out = sum + comp;
}

#undef BP_AVX512

}  // namespace

void take_avx512_double_group(KernelTable& t) {
  if (!__builtin_cpu_supports("avx512f")) return;
  t.group_stats_f64 = &group_stats<double>;
  t.group_stats_f32 = &group_stats<float>;
}

}  // namespace simd
}  // namespace bp

#else

namespace bp {
namespace simd {
void take_avx512_double_group(KernelTable&) {}
}  // namespace simd
}  // namespace bp

#endif
