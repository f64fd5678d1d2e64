#include "double_count_avx512.hpp"

#include <algorithm>
#include <cstddef>

#include "../scratch.hpp"
#include "target.hpp"

#ifdef BP_SIMD_X86
#include "avx512_intrinsics.hpp"
#include "rows_ahead.hpp"

namespace bp {
namespace simd {
namespace {

#define BP_AVX512 __attribute__((target("avx512f")))

// Why the same results as the loop it replaces (column_max_sum<WithCount>,
// loops-inl.hpp, plain code the compiler vectorises, without reassociation):
// per column the maxima are exact; the sum of a block of eight rows is
// |y| * scale added as the same tree ((0 + 1) + (2 + 3)) + ((4 + 5) + (6 +
// 7)), then added to the column's sum, and one row at a time after the last
// block; the count of entries above 0 is an integer either way (here in
// double lanes, exact below 2^53). The last columns (fewer than eight) take
// the same lanes under a mask of loads and stores.
template <std::size_t Rows>
BP_AVX512 inline void count_at(const double* r, std::size_t stride, std::size_t j, __mmask8 m, __m512d scale,
                               double* best, double* sum, double* cnt, __mmask8& nan) {
  __m512d a[Rows];
  const double* p = r + j;
  const __m512d zero = _mm512_setzero_pd(), one = _mm512_set1_pd(1.0);
  __m512d nz = _mm512_maskz_loadu_pd(m, cnt + j);
  for (std::size_t q = 0; q < Rows; ++q) {
    // Each row kRowsAheadBytes ahead, as the column pass (rows_ahead.hpp).
    _mm_prefetch(reinterpret_cast<const char*>(p + q * stride) + kRowsAheadBytes, _MM_HINT_T0);
    a[q] = _mm512_abs_pd(_mm512_maskz_loadu_pd(m, p + q * stride));
    nan = static_cast<__mmask8>(nan | _mm512_cmp_pd_mask(a[q], a[q], _CMP_UNORD_Q));
    nz = _mm512_mask_add_pd(nz, _mm512_cmp_pd_mask(a[q], zero, _CMP_GT_OQ), nz, one);
  }
  __m512d hi = a[0];
  for (std::size_t q = 1; q < Rows; ++q) hi = _mm512_max_pd(hi, a[q]);
  _mm512_mask_storeu_pd(best + j, m, _mm512_max_pd(_mm512_maskz_loadu_pd(m, best + j), hi));
  _mm512_mask_storeu_pd(cnt + j, m, nz);
  __m512d s;
  if constexpr (Rows == 8) {
    __m512d x[8];
    for (std::size_t q = 0; q < 8; ++q) x[q] = _mm512_mul_pd(a[q], scale);
    s = _mm512_add_pd(_mm512_add_pd(_mm512_add_pd(x[0], x[1]), _mm512_add_pd(x[2], x[3])),
                      _mm512_add_pd(_mm512_add_pd(x[4], x[5]), _mm512_add_pd(x[6], x[7])));
  } else {
    s = _mm512_mul_pd(a[0], scale);
  }
  _mm512_mask_storeu_pd(sum + j, m, _mm512_add_pd(_mm512_maskz_loadu_pd(m, sum + j), s));
}

template <std::size_t Rows>
BP_AVX512 inline void count_rows(const double* r, std::size_t stride, std::size_t w, __m512d scale, double* best,
                                 double* sum, double* cnt, __mmask8& nan) {
  std::size_t j = 0;
  for (; j + 8 <= w; j += 8) count_at<Rows>(r, stride, j, 0xff, scale, best, sum, cnt, nan);
  if (j < w) count_at<Rows>(r, stride, j, static_cast<__mmask8>((1u << (w - j)) - 1u), scale, best, sum, cnt, nan);
}

BP_AVX512 bool column_max_sum_count(const double* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                                    double scale, double* mx, double* sum, double* nz) {
  const std::size_t w = c1 - c0;
  ScratchVector<double> best(w, 0.0);
  std::fill(sum + c0, sum + c1, 0.0);
  std::fill(nz + c0, nz + c1, 0.0);
  const __m512d sc = _mm512_set1_pd(scale);
  __mmask8 nan = 0;
  const double* base = y + c0;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) count_rows<8>(base + i * stride, stride, w, sc, best.data(), sum + c0, nz + c0, nan);
  for (; i < n; ++i) count_rows<1>(base + i * stride, stride, w, sc, best.data(), sum + c0, nz + c0, nan);
  for (std::size_t j = 0; j < w; ++j) mx[c0 + j] = best[j];
  return nan == 0;
}

#undef BP_AVX512

}  // namespace

void take_avx512_double_count(KernelTable& t) {
  if (!__builtin_cpu_supports("avx512f")) return;
  t.column_max_sum_count_f64 = &column_max_sum_count;
}

}  // namespace simd
}  // namespace bp

#else

namespace bp {
namespace simd {
void take_avx512_double_count(KernelTable&) {}
}  // namespace simd
}  // namespace bp

#endif
