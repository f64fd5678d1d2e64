// The dispatched loops, each written once over lane traits. Deliberately
// without include guard or includes: kernels_baseline.cpp and kernels_avx2.cpp
// include it after everything it needs, the second inside BP_SIMD_PUSH_AVX2,
// so the same text is compiled once per instruction set. Every template takes
// the instruction set as a parameter, so the two compilations are distinct
// symbols. Each loop's prologue and tail run the scalar lanes, which do the
// same operations in the same order as the vector lanes: every instruction set
// writes the same bytes.

namespace bp {
namespace simd {
namespace {  // internal to each including file: its copy is for its instruction set only
namespace loops {

// Streaming stores leave the hardware prefetcher less to go on: a software
// prefetch of the source, a few pages ahead, once per cache line.
constexpr std::size_t kPrefetchBytes = 4096;

template <class L, class T>
inline void prefetch_line(const T* src, std::size_t k) {
  if ((k * sizeof(T)) % 64 == 0) L::prefetch(reinterpret_cast<const char*>(src + k) + kPrefetchBytes);
}

template <class L, class T>
inline bool misaligned(const T* p) {
  return (reinterpret_cast<std::uintptr_t>(p) % L::kBytes) != 0;
}

// The loops' bodies are function templates over the lanes W (not lambdas:
// a lambda would not reliably inherit the instruction set of the region).

// dst = clamp(src, -c, c): c per entry (Each) or one c, streamed.
template <class W, bool Each, class T>
inline typename W::V clamp_at(const T* src, const T* c, T one, std::size_t k) {
  const typename W::V ck = Each ? W::load(c + k) : W::set1(one);
  return W::min(W::max(W::load(src + k), W::bit_xor(ck, W::set1(T(-0.0)))), ck);
}

template <class Isa, bool Each, class T>
void clamp(const T* src, const T* c, T one, T* dst, std::size_t n) {
  using V1 = Lanes<T, Scalar>;
  using L = Lanes<T, Isa>;
  std::size_t k = 0;
  for (; k < n && misaligned<L>(dst + k); ++k) dst[k] = clamp_at<V1, Each>(src, c, one, k);
  for (; k + L::kWidth <= n; k += L::kWidth) {
    prefetch_line<L>(src, k);
    L::stream(dst + k, clamp_at<L, Each>(src, c, one, k));
  }
  for (; k < n; ++k) dst[k] = clamp_at<V1, Each>(src, c, one, k);
}

// dst = sign(src) * max(|src| - t, 0) for double: t per entry or one t.
// Zero results are +0.
template <class L>
inline typename L::V shrink_lanes(typename L::V y, typename L::V t) {
  const auto sign = L::set1(-0.0), zero = L::zero();
  const auto d = L::max(L::sub(L::and_not(sign, y), t), zero);
  return L::bit_or(d, L::bit_and(L::bit_and(sign, y), L::gt(d, zero)));
}

template <class W, bool Each>
inline typename W::V shrink_at(const double* src, const double* t, double one, std::size_t k) {
  return shrink_lanes<W>(W::load(src + k), Each ? W::load(t + k) : W::set1(one));
}

template <class Isa, bool Each, bool Stream>
void shrink(const double* src, const double* t, double one, double* dst, std::size_t n) {
  using V1 = Lanes<double, Scalar>;
  using L = Lanes<double, Isa>;
  std::size_t k = 0;
  if (Stream) for (; k < n && misaligned<L>(dst + k); ++k) dst[k] = shrink_at<V1, Each>(src, t, one, k);
  for (; k + L::kWidth <= n; k += L::kWidth) {
    if (Stream) prefetch_line<L>(src, k);
    const typename L::V r = shrink_at<L, Each>(src, t, one, k);
    if (Stream) L::stream(dst + k, r); else L::store(dst + k, r);
  }
  for (; k < n; ++k) dst[k] = shrink_at<V1, Each>(src, t, one, k);
}

// The same for float entries: computed in double, rounded toward zero (a
// result that rounds up in magnitude is stepped down by one ulp).
inline float shrink_entry(float y, double t) {
  const double a = static_cast<double>(y);
  return narrow_toward_zero<float>(a > t ? a - t : (a < -t ? a + t : 0.0));
}

template <class Isa, bool Each, bool Stream>
void shrink(const float* src, const double* t, double one, float* dst, std::size_t n) {
  using F = Lanes<float, Isa>;
  std::size_t k = 0;
  if constexpr (!std::is_same_v<Isa, Scalar>) {
    using D = Lanes<double, Isa>;
    using X = Widen<Isa>;
    static_assert(F::kWidth == 2 * D::kWidth, "a float vector widens into two double vectors");
    if (Stream) for (; k < n && misaligned<F>(dst + k); ++k) dst[k] = shrink_entry(src[k], Each ? t[k] : one);
    const auto t1 = D::set1(one);
    const auto fsign = F::set1(-0.0f), fzero = F::zero();
    for (; k + F::kWidth <= n; k += F::kWidth) {
      if (Stream) prefetch_line<F>(src, k);
      const auto y = F::load(src + k);
      const auto tlo = Each ? D::load(t + k) : t1, thi = Each ? D::load(t + k + D::kWidth) : t1;
      const auto dlo = D::max(D::sub(D::and_not(D::set1(-0.0), X::lo(y)), tlo), D::zero());
      const auto dhi = D::max(D::sub(D::and_not(D::set1(-0.0), X::hi(y)), thi), D::zero());
      auto f = X::narrow(dlo, dhi);  // rounded to nearest
      f = X::step_down(f, X::pack_masks(D::gt(X::lo(f), dlo), D::gt(X::hi(f), dhi)));
      const auto r = F::bit_or(f, F::bit_and(F::bit_and(fsign, y), F::gt(f, fzero)));
      if (Stream) F::stream(dst + k, r); else F::store(dst + k, r);
    }
  }
  for (; k < n; ++k) dst[k] = shrink_entry(src[k], Each ? t[k] : one);
}

// dst = +0, streamed.
template <class Isa, class T>
void zero(T* dst, std::size_t n) {
  using L = Lanes<T, Isa>;
  std::size_t k = 0;
  for (; k < n && misaligned<L>(dst + k); ++k) dst[k] = T(0);
  for (; k + L::kWidth <= n; k += L::kWidth) L::stream(dst + k, L::zero());
  for (; k < n; ++k) dst[k] = T(0);
}

// One Adam update of n parameters (adam.hpp): every operation is a correctly
// rounded IEEE one, so every lane width gives the same bits.
template <class W, class T>
inline void adam_at(const AdamCoefficients<T>& c, T* p, const T* g, T* m, T* v, std::size_t i) {
  const auto gi = W::load(g + i);
  const auto mi = W::add(W::mul(W::set1(c.b1), W::load(m + i)), W::mul(W::set1(c.c1), gi));
  const auto vi = W::add(W::mul(W::set1(c.b2), W::load(v + i)), W::mul(W::set1(c.c2), W::mul(gi, gi)));
  W::store(m + i, mi);
  W::store(v + i, vi);
  const auto den = W::add(W::mul(W::sqrt(vi), W::set1(c.inv_sqrt_bc2)), W::set1(c.eps));
  W::store(p + i, W::sub(W::load(p + i), W::div(W::mul(W::set1(c.step), mi), den)));
}

template <class Isa, class T>
void adam(const AdamCoefficients<T>& c, T* p, const T* g, T* m, T* v, std::size_t n) {
  using L = Lanes<T, Isa>;
  std::size_t i = 0;
  for (; i + L::kWidth <= n; i += L::kWidth) adam_at<L>(c, p, g, m, v, i);
  for (; i < n; ++i) adam_at<Lanes<T, Scalar>>(c, p, g, m, v, i);
}

// 1 if x is NaN, as an integer so that OR-ing flags vectorises.
template <class T>
inline unsigned nan_bit(T x) {
  return x != x ? 1u : 0u;
}

// The column pass of the group reductions (reduce.cpp): columns [c0, c1) of
// an n x stride row-major matrix, max |y| (and the sum of |y| * scale) per
// column into mx[c0..c1) (sum[c0..c1)). Plain code the compiler vectorises
// across columns, once per instruction set; false if an entry is NaN.
template <class Isa, bool WithSum, class T>
bool column_max_sum(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, double scale,
                    double* mx, double* sum) {
  const std::size_t m = c1 - c0;
  y += c0;
  mx += c0;
  if (WithSum) sum += c0;
  ScratchVector<T> best(m, T(0));
  if (WithSum) std::fill(sum, sum + m, 0.0);
  unsigned nan = 0;
  T* b = best.data();
  std::size_t i = 0;
  // Eight rows per sweep: the accumulators (8 KB per 1000 columns, beyond L1
  // for wide matrices) are loaded and stored once per eight entries.
  for (; i + 8 <= n; i += 8) {
    const T* r0 = y + i * stride;
    for (std::size_t j = 0; j < m; ++j) {
      T a0 = std::fabs(r0[j]), a1 = std::fabs(r0[stride + j]);
      T a2 = std::fabs(r0[2 * stride + j]), a3 = std::fabs(r0[3 * stride + j]);
      T a4 = std::fabs(r0[4 * stride + j]), a5 = std::fabs(r0[5 * stride + j]);
      T a6 = std::fabs(r0[6 * stride + j]), a7 = std::fabs(r0[7 * stride + j]);
      T hi = std::max(std::max(std::max(a0, a1), std::max(a2, a3)), std::max(std::max(a4, a5), std::max(a6, a7)));
      b[j] = std::max(b[j], hi);
      // A NaN anywhere makes the sum NaN (entries are >= 0, so no inf - inf).
      nan |= nan_bit(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)));
      if (WithSum) {
        // Scaled before adding: with entries near 1e308 the unscaled partial
        // sum could overflow (that is what scale is for).
        sum[j] += ((static_cast<double>(a0) * scale + static_cast<double>(a1) * scale) +
                   (static_cast<double>(a2) * scale + static_cast<double>(a3) * scale)) +
                  ((static_cast<double>(a4) * scale + static_cast<double>(a5) * scale) +
                   (static_cast<double>(a6) * scale + static_cast<double>(a7) * scale));
      }
    }
  }
  for (; i < n; ++i) {
    const T* r = y + i * stride;
    for (std::size_t j = 0; j < m; ++j) {
      T a = std::fabs(r[j]);
      b[j] = std::max(b[j], a);
      nan |= nan_bit(a);
      if (WithSum) sum[j] += static_cast<double>(a) * scale;
    }
  }
  for (std::size_t j = 0; j < m; ++j) mx[j] = static_cast<double>(b[j]);
  return nan == 0;
}

}  // namespace loops

// The table of one instruction set.
template <class Isa>
KernelTable make_table() {
  KernelTable t;
  t.clamp_each_f64 = &loops::clamp<Isa, true, double>;
  t.clamp_one_f64 = &loops::clamp<Isa, false, double>;
  t.clamp_each_f32 = &loops::clamp<Isa, true, float>;
  t.clamp_one_f32 = &loops::clamp<Isa, false, float>;
  t.shrink_f64[0][0] = &loops::shrink<Isa, false, false>;
  t.shrink_f64[0][1] = &loops::shrink<Isa, false, true>;
  t.shrink_f64[1][0] = &loops::shrink<Isa, true, false>;
  t.shrink_f64[1][1] = &loops::shrink<Isa, true, true>;
  t.shrink_f32[0][0] = &loops::shrink<Isa, false, false>;
  t.shrink_f32[0][1] = &loops::shrink<Isa, false, true>;
  t.shrink_f32[1][0] = &loops::shrink<Isa, true, false>;
  t.shrink_f32[1][1] = &loops::shrink<Isa, true, true>;
  t.zero_f64 = &loops::zero<Isa, double>;
  t.zero_f32 = &loops::zero<Isa, float>;
  t.adam_f64 = &loops::adam<Isa, double>;
  t.adam_f32 = &loops::adam<Isa, float>;
  t.column_max_f64 = &loops::column_max_sum<Isa, false, double>;
  t.column_max_f32 = &loops::column_max_sum<Isa, false, float>;
  t.column_max_sum_f64 = &loops::column_max_sum<Isa, true, double>;
  t.column_max_sum_f32 = &loops::column_max_sum<Isa, true, float>;
  return t;
}

}  // namespace
}  // namespace simd
}  // namespace bp
