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

// What a record loop does with an entry, as a policy of the row walks below
// (walk_scalar, walk_avx2), so the two kinds of records share one walk:
// the plain records keep the entries at or above their column's bound; the
// band (Band) also counts and sums those at or above the column's upper
// level and keeps only the ones between the two.
//
// entries(): columns [j, c1) of row r, one entry at a time: every entry is
// stored at slot w, which advances only for a kept one (no branch to miss).
// Returns the next slot.
struct Plain {
  const double* bound;

  template <class T>
  std::size_t entries(const T* r, std::size_t j, std::size_t c1, double scale, std::uint32_t* col, double* val,
                      std::size_t w) const {
    for (; j < c1; ++j) {
      const double a = std::fabs(static_cast<double>(r[j])) * scale;
      col[w] = static_cast<std::uint32_t>(j);
      val[w] = a;
      w += static_cast<std::size_t>(a >= bound[j]);
    }
    return w;
  }
};

// The band: an entry at or above upper[j] is counted and added to the
// column's compensated sum (add_nonneg, numeric.hpp: Neumaier's add of a
// term >= 0 to a sum >= 0 as a max and a min, the same operations as the
// vector loop's lanes, so the same bits); one in [bound[j], upper[j])
// advances the slot.
struct Band {
  const double* bound;
  const double* upper;
  double* k;
  double* s;
  double* c;

  template <class T>
  std::size_t entries(const T* r, std::size_t j, std::size_t c1, double scale, std::uint32_t* col, double* val,
                      std::size_t w) const {
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
};

// Rows of columns [c0, c1) while the room holds a whole row more: returns
// the rows read and leaves the records held in *count.
template <class T, class Levels>
std::size_t walk_scalar(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, double scale,
                        Levels lv, std::uint32_t* col, double* val, std::size_t cap, std::size_t* count) {
  std::size_t w = *count, i = 0;
  for (; i < n && w + (c1 - c0) <= cap; ++i) w = lv.entries(y + i * stride, c0, c1, scale, col, val, w);
  *count = w;
  return i;
}

template <class T>
std::size_t records_scalar(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, double scale,
                           const double* bound, std::uint32_t* col, double* val, std::size_t cap, std::size_t* count) {
  return walk_scalar(y, n, stride, c0, c1, scale, Plain{bound}, col, val, cap, count);
}

template <class T>
std::size_t band_scalar(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, double scale,
                        const double* bound, const double* upper, double* k, double* s, double* c, std::uint32_t* col,
                        double* val, std::size_t cap, std::size_t* count) {
  return walk_scalar(y, n, stride, c0, c1, scale, Band{bound, upper, k, s, c}, col, val, cap, count);
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

// The lanes of four entries a (scaled |y| of columns j..j+3) that the
// policy keeps, as a 4-bit mask; the band also counts and sums the lanes
// at or above the upper level in the columns' accumulators (the same
// operations as Band::entries, lane by lane).
inline int keep_lanes(const Plain& lv, __m256d a, std::size_t j) {
  return _mm256_movemask_pd(_mm256_cmp_pd(a, _mm256_loadu_pd(lv.bound + j), _CMP_GE_OQ));
}

inline int keep_lanes(const Band& lv, __m256d a, std::size_t j) {
  const __m256d above = _mm256_cmp_pd(a, _mm256_loadu_pd(lv.upper + j), _CMP_GE_OQ);
  const __m256d x = _mm256_and_pd(above, a);
  _mm256_storeu_pd(lv.k + j, _mm256_add_pd(_mm256_loadu_pd(lv.k + j), _mm256_and_pd(above, _mm256_set1_pd(1.0))));
  const __m256d sj = _mm256_loadu_pd(lv.s + j), u = _mm256_add_pd(sj, x);
  const __m256d e = _mm256_add_pd(_mm256_sub_pd(_mm256_max_pd(sj, x), u), _mm256_min_pd(sj, x));
  _mm256_storeu_pd(lv.c + j, _mm256_add_pd(_mm256_loadu_pd(lv.c + j), e));
  _mm256_storeu_pd(lv.s + j, u);
  return _mm256_movemask_pd(_mm256_andnot_pd(above, _mm256_cmp_pd(a, _mm256_loadu_pd(lv.bound + j), _CMP_GE_OQ)));
}

// Four entries at a time: the kept lanes (keep_lanes) packed to the front
// of the vector (a permutation looked up by their mask) and the whole
// vector stored at the next slot, which advances by the number kept. The
// slots past it are overwritten by the next store or left unused. The
// columns past the last whole vector go through the policy's scalar loop.
template <class T, class Levels>
std::size_t walk_avx2(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, double scale,
                      Levels lv, std::uint32_t* col, double* val, std::size_t cap, std::size_t* count) {
  const __m256d sign = _mm256_set1_pd(-0.0), s = _mm256_set1_pd(scale);
  const std::size_t width = c1 - c0, vec_end = c0 + width / 4 * 4;
  std::size_t w = *count, i = 0;
  for (; i < n && w + width <= cap; ++i) {
    const T* r = y + i * stride;
    std::size_t j = c0;
    for (; j < vec_end; j += 4) {
      _mm_prefetch(reinterpret_cast<const char*>(r + j) + kRecordAheadBytes, _MM_HINT_T0);
      const __m256d a = _mm256_mul_pd(_mm256_andnot_pd(sign, load4(r + j)), s);
      const int k = keep_lanes(lv, a, j);
      const __m256i perm = _mm256_load_si256(reinterpret_cast<const __m256i*>(kPack.halves[k]));
      _mm256_storeu_pd(val + w, _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_castpd_ps(a), perm)));
      const __m128i lanes = _mm_load_si128(reinterpret_cast<const __m128i*>(kPack.lanes[k]));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(col + w), _mm_add_epi32(lanes, _mm_set1_epi32(static_cast<int>(j))));
      w += kPack.kept[k];
    }
    w = lv.entries(r, j, c1, scale, col, val, w);
  }
  *count = w;
  return i;
}

template <class T>
std::size_t records_avx2(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, double scale,
                         const double* bound, std::uint32_t* col, double* val, std::size_t cap, std::size_t* count) {
  return walk_avx2(y, n, stride, c0, c1, scale, Plain{bound}, col, val, cap, count);
}

template <class T>
std::size_t band_avx2(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, double scale,
                      const double* bound, const double* upper, double* k, double* s, double* c, std::uint32_t* col,
                      double* val, std::size_t cap, std::size_t* count) {
  return walk_avx2(y, n, stride, c0, c1, scale, Band{bound, upper, k, s, c}, col, val, cap, count);
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
