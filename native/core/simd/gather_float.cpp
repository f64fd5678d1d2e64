#include "gather_float.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "column_walk.hpp"
#include "mask_lists.hpp"
#include "target.hpp"

#ifdef BP_SIMD_X86
#include <immintrin.h>
#endif

namespace bp {
namespace simd {
namespace {

// One entry at a time: every entry's |y| is stored at its column's slot,
// which advances only for a kept one (every entry, or with `nonzero` those
// that are not zero) while the segment has room (no branch to miss).
void gather_scalar(const float* y, std::size_t n, std::size_t stride, const std::size_t* cols, std::size_t nf,
                   bool nonzero, std::size_t* pos, const std::size_t* end, float* out) {
  for (std::size_t i = 0; i < n; ++i) {
    const float* r = y + i * stride;
    for (std::size_t f = 0; f < nf; ++f) {
      const float a = std::fabs(r[cols[f]]);
      out[pos[f]] = a;
      pos[f] += static_cast<std::size_t>(((a != 0.0f) | !nonzero) & (pos[f] < end[f]));
    }
  }
}

#ifdef BP_SIMD_X86

// Down blocks of rows where the columns are sparse in their rows, else
// across the rows, as the double copy by index does (column_walk.hpp). The
// kept lanes' numbers for each 8-bit mask: kLaneLists (mask_lists.hpp).

BP_SIMD_PUSH_AVX2

// Eight rows of a column a step: the eight entries (row order in the lanes)
// tested, the kept ones packed to the front and the whole vector stored at
// the column's slot, which advances by the number kept. A step whose eight
// slots might pass end takes the scalar loop, so a full segment fills and
// drops entries as it does.
inline void gather_step8(const float* p, std::size_t stride, bool nonzero, std::size_t* at, const std::size_t* end,
                         float* out) {
  if (*at + 8 > *end) {
    const std::size_t zero = 0;
    gather_scalar(p, 8, stride, &zero, 1, nonzero, at, end, out);
    return;
  }
  const __m256 v = _mm256_set_ps(p[7 * stride], p[6 * stride], p[5 * stride], p[4 * stride], p[3 * stride],
                                 p[2 * stride], p[stride], p[0]);
  const __m256 a = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v);
  const int keep = nonzero ? _mm256_movemask_ps(_mm256_cmp_ps(a, _mm256_setzero_ps(), _CMP_NEQ_UQ)) : 0xff;
  const __m256i perm = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(kLaneLists.lane[keep])));
  _mm256_storeu_ps(out + *at, _mm256_permutevar8x32_ps(a, perm));
  *at += kLaneLists.count[keep];
}

void gather_avx2(const float* y, std::size_t n, std::size_t stride, const std::size_t* cols, std::size_t nf,
                 bool nonzero, std::size_t* pos, const std::size_t* end, float* out) {
  std::size_t i = 0;
  if (columns_sparse_in_rows<float>(cols, nf)) {
    for (; i + kDownRows <= n; i += kDownRows)
      for (std::size_t f = 0; f < nf; ++f) {
        const float* p = y + i * stride + cols[f];
        for (std::size_t r = 0; r < kDownRows; r += 8, p += 8 * stride)
          gather_step8(p, stride, nonzero, pos + f, end + f, out);
      }
  }
  for (; i + 8 <= n; i += 8) {
    const float* r0 = y + i * stride;
    for (std::size_t f = 0; f < nf; ++f) gather_step8(r0 + cols[f], stride, nonzero, pos + f, end + f, out);
  }
  gather_scalar(y + i * stride, n - i, stride, cols, nf, nonzero, pos, end, out);
}

BP_SIMD_POP

#endif  // BP_SIMD_X86

}  // namespace

void take_gather_float(KernelTable& t, bool avx2) {
  t.gather_float = &gather_scalar;
#ifdef BP_SIMD_X86
  if (avx2) t.gather_float = &gather_avx2;
#else
  (void)avx2;
#endif
}

}  // namespace simd
}  // namespace bp
