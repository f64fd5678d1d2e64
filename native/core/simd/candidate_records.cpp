#include "candidate_records.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "../numeric.hpp"
#include "target.hpp"

#ifdef BP_SIMD_X86
#include <immintrin.h>
#endif

namespace bp {
namespace simd {
namespace {

// Columns [j, c1) of row r, one entry at a time: every entry is stored at
// slot w, which advances only for a candidate (no branch to miss). Returns
// the next slot.
template <class T>
inline std::size_t record_entries(const T* r, std::size_t j, std::size_t c1, double scale, const double* bound,
                                  std::uint32_t* col, double* val, std::size_t w) {
  for (; j < c1; ++j) {
    const double a = std::fabs(static_cast<double>(r[j])) * scale;
    col[w] = static_cast<std::uint32_t>(j);
    val[w] = a;
    w += static_cast<std::size_t>(a >= bound[j]);
  }
  return w;
}

template <class T>
std::size_t records_scalar(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, double scale,
                           const double* bound, std::uint32_t* col, double* val, std::size_t cap, std::size_t* count) {
  std::size_t w = *count, i = 0;
  for (; i < n && w + (c1 - c0) <= cap; ++i) w = record_entries(y + i * stride, c0, c1, scale, bound, col, val, w);
  *count = w;
  return i;
}

// The band's twin of record_entries: an entry at or above upper[j] is
// counted and added to the column's compensated sum (add_nonneg, numeric.hpp:
// Neumaier's add of a term >= 0 to a sum >= 0 as a max and a min, the same
// operations as the vector loop's lanes, so the same bits); one in
// [bound[j], upper[j]) advances the slot.
template <class T>
inline std::size_t band_entries(const T* r, std::size_t j, std::size_t c1, double scale, const double* bound,
                                const double* upper, double* k, double* s, double* c, std::uint32_t* col, double* val,
                                std::size_t w) {
  for (; j < c1; ++j) {
    const double a = std::fabs(static_cast<double>(r[j])) * scale;
    const bool above = a >= upper[j];
    const double x = above ? a : 0.0;
    k[j] += above ? 1.0 : 0.0;
    add_nonneg(s[j], c[j], x);
    col[w] = static_cast<std::uint32_t>(j);
    val[w] = a;
    w += static_cast<std::size_t>(!above && a >= bound[j]);
  }
  return w;
}

template <class T>
std::size_t band_scalar(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, double scale,
                        const double* bound, const double* upper, double* k, double* s, double* c, std::uint32_t* col,
                        double* val, std::size_t cap, std::size_t* count) {
  std::size_t w = *count, i = 0;
  for (; i < n && w + (c1 - c0) <= cap; ++i)
    w = band_entries(y + i * stride, c0, c1, scale, bound, upper, k, s, c, col, val, w);
  *count = w;
  return i;
}

#ifdef BP_SIMD_X86

// For each 4-bit mask of kept lanes: the 32-bit indices that move the kept
// doubles (two 32-bit halves each) to the front, in lane order, and the
// kept lanes' numbers in the same order.
struct PackTable {
  alignas(32) std::int32_t halves[16][8];
  alignas(16) std::int32_t lanes[16][4];
  std::size_t kept[16];
};

constexpr PackTable make_pack_table() {
  PackTable t{};
  for (int k = 0; k < 16; ++k) {
    int s = 0;
    for (int l = 0; l < 4; ++l) {
      if ((k >> l & 1) == 0) continue;
      t.halves[k][2 * s] = 2 * l;
      t.halves[k][2 * s + 1] = 2 * l + 1;
      t.lanes[k][s] = l;
      ++s;
    }
    t.kept[k] = static_cast<std::size_t>(s);
  }
  return t;
}

constexpr PackTable kPack = make_pack_table();

// The rows are read in order, but the loop stalled on them all the same
// (most of its samples on the load, 4000 x 4000 Cauchy 0.9 seed 5: the
// record stores and the record moves between blocks leave the hardware
// prefetcher behind): each step asks for the line this many bytes ahead.
// 4 KB measured best of 1, 4, 8 and 16 KB (the kernel timed alone from C++, one thread: the
// records went from about 1.5 to 1.0 times a memcpy of the matrix; the
// projection 5.4-5.9 -> 4.9-5.1x).
constexpr std::size_t kRecordAheadBytes = 4096;

BP_SIMD_PUSH_AVX2

template <class T>
inline __m256d load4(const T* p) {
  if constexpr (sizeof(T) == 8)
    return _mm256_loadu_pd(reinterpret_cast<const double*>(p));
  else
    return _mm256_cvtps_pd(_mm_loadu_ps(reinterpret_cast<const float*>(p)));
}

// Four entries at a time: compared with their bounds, the kept ones packed
// to the front of the vector (a permutation looked up by the compare's mask)
// and the whole vector stored at the next slot, which advances by the number
// kept. The slots past it are overwritten by the next store or left unused.
template <class T>
std::size_t records_avx2(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, double scale,
                         const double* bound, std::uint32_t* col, double* val, std::size_t cap, std::size_t* count) {
  const __m256d sign = _mm256_set1_pd(-0.0), s = _mm256_set1_pd(scale);
  const std::size_t width = c1 - c0, vec_end = c0 + width / 4 * 4;
  std::size_t w = *count, i = 0;
  for (; i < n && w + width <= cap; ++i) {
    const T* r = y + i * stride;
    std::size_t j = c0;
    for (; j < vec_end; j += 4) {
      _mm_prefetch(reinterpret_cast<const char*>(r + j) + kRecordAheadBytes, _MM_HINT_T0);
      const __m256d a = _mm256_mul_pd(_mm256_andnot_pd(sign, load4(r + j)), s);
      const int k = _mm256_movemask_pd(_mm256_cmp_pd(a, _mm256_loadu_pd(bound + j), _CMP_GE_OQ));
      const __m256i perm = _mm256_load_si256(reinterpret_cast<const __m256i*>(kPack.halves[k]));
      _mm256_storeu_pd(val + w, _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_castpd_ps(a), perm)));
      const __m128i lanes = _mm_load_si128(reinterpret_cast<const __m128i*>(kPack.lanes[k]));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(col + w), _mm_add_epi32(lanes, _mm_set1_epi32(static_cast<int>(j))));
      w += kPack.kept[k];
    }
    w = record_entries(r, j, c1, scale, bound, col, val, w);
  }
  *count = w;
  return i;
}

// records_avx2 with the band: the lanes at or above upper are counted and
// summed in the columns' accumulators (the same operations as band_entries,
// lane by lane), and only the lanes in [bound, upper) are packed.
template <class T>
std::size_t band_avx2(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, double scale,
                      const double* bound, const double* upper, double* k, double* s, double* c, std::uint32_t* col,
                      double* val, std::size_t cap, std::size_t* count) {
  const __m256d sign = _mm256_set1_pd(-0.0), sc = _mm256_set1_pd(scale), one = _mm256_set1_pd(1.0);
  const std::size_t width = c1 - c0, vec_end = c0 + width / 4 * 4;
  std::size_t w = *count, i = 0;
  for (; i < n && w + width <= cap; ++i) {
    const T* r = y + i * stride;
    std::size_t j = c0;
    for (; j < vec_end; j += 4) {
      _mm_prefetch(reinterpret_cast<const char*>(r + j) + kRecordAheadBytes, _MM_HINT_T0);
      const __m256d a = _mm256_mul_pd(_mm256_andnot_pd(sign, load4(r + j)), sc);
      const __m256d above = _mm256_cmp_pd(a, _mm256_loadu_pd(upper + j), _CMP_GE_OQ);
      const __m256d x = _mm256_and_pd(above, a);
      _mm256_storeu_pd(k + j, _mm256_add_pd(_mm256_loadu_pd(k + j), _mm256_and_pd(above, one)));
      const __m256d sj = _mm256_loadu_pd(s + j), u = _mm256_add_pd(sj, x);
      const __m256d e = _mm256_add_pd(_mm256_sub_pd(_mm256_max_pd(sj, x), u), _mm256_min_pd(sj, x));
      _mm256_storeu_pd(c + j, _mm256_add_pd(_mm256_loadu_pd(c + j), e));
      _mm256_storeu_pd(s + j, u);
      const __m256d in = _mm256_andnot_pd(above, _mm256_cmp_pd(a, _mm256_loadu_pd(bound + j), _CMP_GE_OQ));
      const int m = _mm256_movemask_pd(in);
      const __m256i perm = _mm256_load_si256(reinterpret_cast<const __m256i*>(kPack.halves[m]));
      _mm256_storeu_pd(val + w, _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_castpd_ps(a), perm)));
      const __m128i lanes = _mm_load_si128(reinterpret_cast<const __m128i*>(kPack.lanes[m]));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(col + w), _mm_add_epi32(lanes, _mm_set1_epi32(static_cast<int>(j))));
      w += kPack.kept[m];
    }
    w = band_entries(r, j, c1, scale, bound, upper, k, s, c, col, val, w);
  }
  *count = w;
  return i;
}

BP_SIMD_POP

#endif  // BP_SIMD_X86

}  // namespace

void take_candidate_records(KernelTable& t, bool avx2) {
  t.candidate_records_f64 = &records_scalar<double>;
  t.candidate_records_f32 = &records_scalar<float>;
  t.candidate_records_in_lanes = false;
  t.band_records_f64 = &band_scalar<double>;
  t.band_records_f32 = &band_scalar<float>;
#ifdef BP_SIMD_X86
  if (!avx2) return;
  t.band_records_f64 = &band_avx2<double>;
  t.band_records_f32 = &band_avx2<float>;
  t.candidate_records_f64 = &records_avx2<double>;
  t.candidate_records_f32 = &records_avx2<float>;
  t.candidate_records_in_lanes = true;
#else
  (void)avx2;
#endif
}

}  // namespace simd
}  // namespace bp
