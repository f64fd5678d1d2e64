#include "candidate_records.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "../numeric.hpp"
#include "band_blocks.hpp"
#include "column_walk.hpp"
#include "target.hpp"

#ifdef BP_SIMD_X86
#include <immintrin.h>
#endif

namespace bp {
namespace simd {
namespace {

using band::band_column;
using band::band_rows;

// What the plain record loop does with an entry, as a policy of the row
// walk below: it keeps the entries at or above their column's bound. The
// band (below: it also counts and sums those at or above the column's upper
// level and keeps only the ones between the two) walks blocks of rows
// instead (band_scalar; in AVX2 band_avx2, which keeps each column's count
// and sum in registers down a block: docs/exact-stream.md, round eleven).
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

// The band, a block of rows at a time, column by column down the block (the
// vector loop's blocks, so the same sums: each column's records in row order).
template <class T>
std::size_t band_scalar(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, double scale,
                        const double* bound, const double* upper, double* k, double* s, double* c, std::uint32_t* col,
                        double* val, std::size_t cap, std::size_t* count) {
  const std::size_t width = c1 - c0;
  std::size_t w = *count, i = 0;
  while (i < n && w + width <= cap) {
    const std::size_t rows = band_rows(i, n, width, w, cap);
    for (std::size_t j = c0; j < c1; ++j)
      w = band_column(y + i * stride, rows, stride, j, scale, bound, upper, k, s, c, col, val, w);
    i += rows;
  }
  *count = w;
  return i;
}

// The copy by index, one entry at a time (the loop topk_thresholds.cpp ran
// before the table had it): every entry is stored at its column's slot, which
// advances only for a kept one while the segment has room.
template <class T>
void segments_scalar(const T* y, std::size_t n, std::size_t stride, const std::size_t* cols, std::size_t nf,
                     double scale, const double* bound, std::size_t* pos, const std::size_t* end, double* out) {
  for (std::size_t i = 0; i < n; ++i) {
    const T* r = y + i * stride;
    for (std::size_t f = 0; f < nf; ++f) {
      const double a = std::fabs(static_cast<double>(r[cols[f]])) * scale;
      out[pos[f]] = a;
      pos[f] += static_cast<std::size_t>((a >= bound[f]) & (pos[f] < end[f]));
    }
  }
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

// Each step asks for the line band::kAheadBytes ahead (band_blocks.hpp).
constexpr std::size_t kRecordAheadBytes = band::kAheadBytes;

BP_SIMD_PUSH_AVX2

template <class T>
inline __m256d load4(const T* p) {
  if constexpr (sizeof(T) == 8)
    return _mm256_loadu_pd(reinterpret_cast<const double*>(p));
  else
    return _mm256_cvtps_pd(_mm_loadu_ps(reinterpret_cast<const float*>(p)));
}

// The lanes of four entries a (scaled |y| of columns j..j+3) that the
// plain records keep, as a 4-bit mask (the band has its own walk, below).
inline int keep_lanes(const Plain& lv, __m256d a, std::size_t j) {
  return _mm256_movemask_pd(_mm256_cmp_pd(a, _mm256_loadu_pd(lv.bound + j), _CMP_GE_OQ));
}

// The kept lanes of a (columns j..j+3) packed at slot w; returns the next.
inline std::size_t pack_lanes(__m256d a, int keep, std::size_t j, std::uint32_t* col, double* val, std::size_t w) {
  const __m256i perm = _mm256_load_si256(reinterpret_cast<const __m256i*>(kPack.halves[keep]));
  _mm256_storeu_pd(val + w, _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_castpd_ps(a), perm)));
  const __m128i lanes = _mm_load_si128(reinterpret_cast<const __m128i*>(kPack.lanes[keep]));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(col + w), _mm_add_epi32(lanes, _mm_set1_epi32(static_cast<int>(j))));
  return w + kPack.kept[keep];
}

// The plain records, four entries at a time: the kept lanes (keep_lanes)
// packed to the front of the vector (pack_lanes) and the whole vector stored
// at the next slot, which advances by the number kept. The slots past it
// are overwritten by the next store or left unused. The columns past the
// last whole vector go through Plain's scalar loop.
template <class T>
std::size_t records_avx2(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, double scale,
                         const double* bound, std::uint32_t* col, double* val, std::size_t cap, std::size_t* count) {
  const Plain lv{bound};
  const __m256d sign = _mm256_set1_pd(-0.0), s = _mm256_set1_pd(scale);
  const std::size_t width = c1 - c0, vec_end = c0 + width / 4 * 4;
  std::size_t w = *count, i = 0;
  for (; i < n && w + width <= cap; ++i) {
    const T* r = y + i * stride;
    std::size_t j = c0;
    for (; j < vec_end; j += 4) {
      _mm_prefetch(reinterpret_cast<const char*>(r + j) + kRecordAheadBytes, _MM_HINT_T0);
      const __m256d a = _mm256_mul_pd(_mm256_andnot_pd(sign, load4(r + j)), s);
      w = pack_lanes(a, keep_lanes(lv, a, j), j, col, val, w);
    }
    w = lv.entries(r, j, c1, scale, col, val, w);
  }
  *count = w;
  return i;
}

// The band's walk keeps its columns' counts and sums in registers: written
// row by row (as the plain records' loop is) the loop loaded and stored the
// count, sum and compensation of every four entries, 24 bytes of state a
// column from L2 for each 8 (or 4) bytes read, and the fill cost about two
// passes (docs/exact-stream.md, round eleven). Here a block of rows
// (band_rows) is walked eight columns at a time down the block, the eight
// columns' state in registers, loaded and stored once a block; the block's
// plain sums go into the compensated ones at its end (band_column's
// operations lane by lane, so the same bits). The records of a block come
// column block by column block, so a column's records stay in row order
// (all the fill's move needs: it stores them by column); across columns the
// order is no longer the row order.

// Four columns' levels and state (count, sum, compensation, the block's
// plain sum), loaded once a block and kept in registers (named locals: an
// array of them indexed in a loop was kept on the stack, the same load and
// store per entry as before).
struct BandLanes {
  __m256d lo, up, k, s, c, p = _mm256_setzero_pd();

  BandLanes(const double* bound, const double* upper, const double* k0, const double* s0, const double* c0)
      : lo(_mm256_loadu_pd(bound)),
        up(_mm256_loadu_pd(upper)),
        k(_mm256_loadu_pd(k0)),
        s(_mm256_loadu_pd(s0)),
        c(_mm256_loadu_pd(c0)) {}

  // The block's plain sum into the compensated one (add_nonneg's
  // operations), then the state back to memory.
  void store(double* k0, double* s0, double* c0) {
    const __m256d u = _mm256_add_pd(s, p);
    c = _mm256_add_pd(c, _mm256_add_pd(_mm256_sub_pd(_mm256_max_pd(s, p), u), _mm256_min_pd(s, p)));
    s = u;
    _mm256_storeu_pd(k0, k);
    _mm256_storeu_pd(s0, s);
    _mm256_storeu_pd(c0, c);
  }

  // The lanes of a (scaled |y|) kept as records; those at or above up
  // counted and added to the block's plain sum (band_column's operations).
  int step(__m256d a) {
    const __m256d above = _mm256_cmp_pd(a, up, _CMP_GE_OQ);
    const __m256d x = _mm256_and_pd(above, a);
    k = _mm256_add_pd(k, _mm256_and_pd(above, _mm256_set1_pd(1.0)));
    p = _mm256_add_pd(p, x);
    return _mm256_movemask_pd(_mm256_andnot_pd(above, _mm256_cmp_pd(a, lo, _CMP_GE_OQ)));
  }
};

// Rows [0, rows) of columns j..j+3 (Wide: j..j+7), the state in registers.
template <bool Wide, class T>
std::size_t band_block(const T* y, std::size_t rows, std::size_t stride, std::size_t j, __m256d scale,
                       const double* bound, const double* upper, double* k, double* s, double* c, std::uint32_t* col,
                       double* val, std::size_t w) {
  const __m256d sign = _mm256_set1_pd(-0.0);
  BandLanes a0(bound + j, upper + j, k + j, s + j, c + j);
  BandLanes a1 = Wide ? BandLanes(bound + j + 4, upper + j + 4, k + j + 4, s + j + 4, c + j + 4) : a0;
  for (std::size_t i = 0; i < rows; ++i) {
    const T* r = y + i * stride + j;
    _mm_prefetch(reinterpret_cast<const char*>(r) + kRecordAheadBytes, _MM_HINT_T0);
    const __m256d x0 = _mm256_mul_pd(_mm256_andnot_pd(sign, load4(r)), scale);
    w = pack_lanes(x0, a0.step(x0), j, col, val, w);
    if constexpr (Wide) {
      const __m256d x1 = _mm256_mul_pd(_mm256_andnot_pd(sign, load4(r + 4)), scale);
      w = pack_lanes(x1, a1.step(x1), j + 4, col, val, w);
    }
  }
  a0.store(k + j, s + j, c + j);
  if constexpr (Wide) a1.store(k + j + 4, s + j + 4, c + j + 4);
  return w;
}

template <class T>
std::size_t band_avx2(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, double scale,
                      const double* bound, const double* upper, double* k, double* s, double* c, std::uint32_t* col,
                      double* val, std::size_t cap, std::size_t* count) {
  const __m256d sc = _mm256_set1_pd(scale);
  const std::size_t width = c1 - c0, end8 = c0 + width / 8 * 8, end4 = c0 + width / 4 * 4;
  std::size_t w = *count, i = 0;
  while (i < n && w + width <= cap) {
    const std::size_t rows = band_rows(i, n, width, w, cap);
    const T* yb = y + i * stride;
    std::size_t j = c0;
    for (; j < end8; j += 8) w = band_block<true>(yb, rows, stride, j, sc, bound, upper, k, s, c, col, val, w);
    if (j < end4) w = band_block<false>(yb, rows, stride, j, sc, bound, upper, k, s, c, col, val, w);
    for (j = end4; j < c1; ++j) w = band_column(yb, rows, stride, j, scale, bound, upper, k, s, c, col, val, w);
    i += rows;
  }
  *count = w;
  return i;
}

// The copy by index, four rows of a column a step: the column's four
// entries (row order in the lanes) are tested against its bound, the kept
// ones packed to the front (pack_lanes' table) and the whole vector stored at
// its slot, which advances by the number kept. The one-at-a-time loop stored
// every entry and moved the slot in memory for each; on 8000 x 1000 Cauchy
// 0.5 seed 3 (186 failing columns, 1.4 M candidates) that copy cost about
// 1.6 first passes, the stores to 186 segments a row apart more than the
// reads. A step whose four slots might pass end (pos + 4 > end) takes the
// scalar loop, so a full segment fills and drops entries as it does.
template <class T>
inline void segment_step(const T* p, std::size_t stride, __m256d sign, __m256d s, double scale, const double* bound,
                         std::size_t* at, const std::size_t* end, double* out) {
  const __m256d v = _mm256_set_pd(static_cast<double>(p[3 * stride]), static_cast<double>(p[2 * stride]),
                                  static_cast<double>(p[stride]), static_cast<double>(p[0]));
  const __m256d a = _mm256_mul_pd(_mm256_andnot_pd(sign, v), s);
  if (*at + 4 <= *end) {
    const int keep = _mm256_movemask_pd(_mm256_cmp_pd(a, _mm256_set1_pd(*bound), _CMP_GE_OQ));
    const __m256i perm = _mm256_load_si256(reinterpret_cast<const __m256i*>(kPack.halves[keep]));
    _mm256_storeu_pd(out + *at, _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_castpd_ps(a), perm)));
    *at += kPack.kept[keep];
  } else {
    // p is the column's entry in the step's first row: as a row with the
    // column at index 0.
    const std::size_t zero = 0;
    segments_scalar(p, 4, stride, &zero, 1, scale, bound, at, end, out);
  }
}

// Eight rows of a column a step, across the rows: the column's slot and
// bound are read once for two vectors. Timed alone (8000 x 1000, 850 or 200
// columns, after a read of 128 MB): 0.84-0.96 of two four-row steps, whose
// time is the slots' and stores', not the loads' (docs/exact-stream.md,
// round sixteen). A step whose eight slots might pass end takes two four-row
// steps, so a full segment stops where it did.
template <class T>
inline void segment_step8(const T* p, std::size_t stride, __m256d sign, __m256d s, double scale, const double* bound,
                          std::size_t* at, const std::size_t* end, double* out) {
  if (*at + 8 > *end) {
    segment_step(p, stride, sign, s, scale, bound, at, end, out);
    segment_step(p + 4 * stride, stride, sign, s, scale, bound, at, end, out);
    return;
  }
  const __m256d v0 = _mm256_set_pd(static_cast<double>(p[3 * stride]), static_cast<double>(p[2 * stride]),
                                   static_cast<double>(p[stride]), static_cast<double>(p[0]));
  const __m256d v1 = _mm256_set_pd(static_cast<double>(p[7 * stride]), static_cast<double>(p[6 * stride]),
                                   static_cast<double>(p[5 * stride]), static_cast<double>(p[4 * stride]));
  const __m256d a0 = _mm256_mul_pd(_mm256_andnot_pd(sign, v0), s);
  const __m256d a1 = _mm256_mul_pd(_mm256_andnot_pd(sign, v1), s);
  const __m256d b = _mm256_set1_pd(*bound);
  const int keep0 = _mm256_movemask_pd(_mm256_cmp_pd(a0, b, _CMP_GE_OQ));
  const int keep1 = _mm256_movemask_pd(_mm256_cmp_pd(a1, b, _CMP_GE_OQ));
  const __m256i perm0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(kPack.halves[keep0]));
  const __m256i perm1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(kPack.halves[keep1]));
  const std::size_t w = *at;
  _mm256_storeu_pd(out + w, _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_castpd_ps(a0), perm0)));
  const std::size_t w1 = w + kPack.kept[keep0];
  _mm256_storeu_pd(out + w1, _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_castpd_ps(a1), perm1)));
  *at = w1 + kPack.kept[keep1];
}

// Down blocks of rows or across them: column_walk.hpp (four rows a step
// down a block).
template <class T>
void segments_avx2(const T* y, std::size_t n, std::size_t stride, const std::size_t* cols, std::size_t nf, double scale,
                   const double* bound, std::size_t* pos, const std::size_t* end, double* out) {
  const __m256d sign = _mm256_set1_pd(-0.0), s = _mm256_set1_pd(scale);
  std::size_t i = 0;
  if (columns_sparse_in_rows<T>(cols, nf)) {
    for (; i + kDownRows <= n; i += kDownRows)
      for (std::size_t f = 0; f < nf; ++f) {
        const T* p = y + i * stride + cols[f];
        for (std::size_t r = 0; r < kDownRows; r += 4, p += 4 * stride)
          segment_step(p, stride, sign, s, scale, bound + f, pos + f, end + f, out);
      }
  }
  for (; i + 8 <= n; i += 8) {
    const T* r0 = y + i * stride;
    for (std::size_t f = 0; f < nf; ++f)
      segment_step8(r0 + cols[f], stride, sign, s, scale, bound + f, pos + f, end + f, out);
  }
  for (; i + 4 <= n; i += 4) {
    const T* r0 = y + i * stride;
    for (std::size_t f = 0; f < nf; ++f)
      segment_step(r0 + cols[f], stride, sign, s, scale, bound + f, pos + f, end + f, out);
  }
  segments_scalar(y + i * stride, n - i, stride, cols, nf, scale, bound, pos, end, out);
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
  t.column_segments_f64 = &segments_scalar<double>;
  t.column_segments_f32 = &segments_scalar<float>;
#ifdef BP_SIMD_X86
  if (!avx2) return;
  t.column_segments_f64 = &segments_avx2<double>;
  t.column_segments_f32 = &segments_avx2<float>;
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
