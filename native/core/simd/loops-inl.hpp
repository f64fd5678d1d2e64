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

// dst = clamp(src, -c, c): c per entry (Each) or one c, streamed. Returns
// whether every src entry was finite: x - x is +0 for a finite x and NaN
// otherwise, OR-ed over the row and tested once (as in `finite` below), two
// operations per vector that let a caller check its input in the write pass
// itself.
template <class W, bool Each, class T>
inline typename W::V clamp_at(typename W::V x, const T* c, T one, std::size_t k) {
  const typename W::V ck = Each ? W::load(c + k) : W::set1(one);
  return W::min(W::max(x, W::bit_xor(ck, W::set1(T(-0.0)))), ck);
}

// Where clamp_at finds an entry's parameter: the pointer and the index.
template <class T>
struct ClampParam {
  const T* c;
  std::size_t i;
};

// The streamed clip of n entries, scalar up to dst's first aligned vector,
// then whole vectors, then a scalar tail; at(k, w) gives the parameter
// pointer and index that clamp_at takes for the w entries from k, which
// clamp and clamp_wrap (below) find differently. True when every src entry
// was finite.
template <class Isa, bool Each, class T, class At>
bool clamp_stream(const T* src, T one, T* dst, std::size_t n, At&& at) {
  using V1 = Lanes<T, Scalar>;
  using L = Lanes<T, Isa>;
  auto bad1 = V1::zero();
  auto scalar_at = [&](std::size_t k) {
    const auto x = V1::load(src + k);
    bad1 = V1::bit_or(bad1, V1::sub(x, x));
    const ClampParam<T> p = at(k, 1);
    V1::store(dst + k, clamp_at<V1, Each>(x, p.c, one, p.i));
  };
  std::size_t k = 0;
  for (; k < n && misaligned<L>(dst + k); ++k) scalar_at(k);
  auto bad = L::zero();
  for (; k + L::kWidth <= n; k += L::kWidth) {
    prefetch_line<L>(src, k);
    const auto x = L::load(src + k);
    bad = L::bit_or(bad, L::sub(x, x));
    const ClampParam<T> p = at(k, L::kWidth);
    L::stream(dst + k, clamp_at<L, Each>(x, p.c, one, p.i));
  }
  for (; k < n; ++k) scalar_at(k);
  return !L::any(L::unordered(bad, bad)) && !V1::any(V1::unordered(bad1, bad1));
}

template <class Isa, bool Each, class T>
bool clamp(const T* src, const T* c, T one, T* dst, std::size_t n) {
  using L = Lanes<T, Isa>;
  // A row that ends inside a 64-byte line stores that line's part with plain
  // stores (the tail), which must first read the line, behind the streamed
  // stores; asked for now, the read is done by the time the streamed part is
  // (float rows of 8000 x 1000 are 4000 bytes: every other row).
  if (n > 0 && reinterpret_cast<std::uintptr_t>(dst + n) % 64 != 0) L::prefetch(dst + n - 1);
  return clamp_stream<Isa, Each>(src, one, dst, n, [c](std::size_t k, std::size_t) { return ClampParam<T>{c, k}; });
}

// The clip of whole rows of m entries laid end to end (n entries in all, the
// first at column j), as one stream: entry k takes the parameter of column
// (j + k) % m from cc, which holds the m parameters and then their first
// kWrapLanes again, so that a vector that runs past a row's end loads the
// next row's first parameters in one load (m >= kWrapLanes). Rows whose
// length is not a whole number of 64-byte lines (float rows of 1000: 4000
// bytes) then share no line that is stored in two parts, and only the
// range's two ends take plain stores (docs/exact-float32.md, "The float
// write of short rows as one stream"). The same operations per entry as
// `clamp`: the same bytes.
template <class Isa, class T>
bool clamp_wrap(const T* src, const T* cc, T* dst, std::size_t n, std::size_t m, std::size_t j) {
  static_assert(Lanes<T, Isa>::kWidth <= kWrapLanes, "cc repeats kWrapLanes parameters");
  // Entries are visited in order, so the column advances with each call.
  return clamp_stream<Isa, true>(src, T(0), dst, n, [cc, m, &j](std::size_t, std::size_t w) {
    const ClampParam<T> p{cc + j, 0};
    j += w;
    if (j >= m) j -= m;
    return p;
  });
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
  if (Stream)
    for (; k < n && misaligned<L>(dst + k); ++k) dst[k] = shrink_at<V1, Each>(src, t, one, k);
  for (; k + L::kWidth <= n; k += L::kWidth) {
    if (Stream) prefetch_line<L>(src, k);
    const typename L::V r = shrink_at<L, Each>(src, t, one, k);
    if (Stream)
      L::stream(dst + k, r);
    else
      L::store(dst + k, r);
  }
  for (; k < n; ++k) dst[k] = shrink_at<V1, Each>(src, t, one, k);
}

// One float entry of the same is shrink_entry (numeric.hpp): computed in
// double, rounded toward zero. The float vector loop, further down, falls
// back to it for the lanes it cannot truncate.

// True when no entry of v is NaN or infinite. x - x is +0 for a finite x and
// NaN otherwise; OR-ing the differences keeps any NaN a NaN (all-ones
// exponent, non-zero mantissa), so one test at the end sees them all. A few
// operations per vector: the check of a row costs next to nothing once the
// row is in cache.
template <class Isa, class T>
bool finite(const T* v, std::size_t n) {
  using V1 = Lanes<T, Scalar>;
  using L = Lanes<T, Isa>;
  auto acc = L::zero();
  std::size_t k = 0;
  for (; k + L::kWidth <= n; k += L::kWidth) {
    const auto x = L::load(v + k);
    acc = L::bit_or(acc, L::sub(x, x));
  }
  auto tail = V1::zero();
  for (; k < n; ++k) {
    const auto x = V1::load(v + k);
    tail = V1::bit_or(tail, V1::sub(x, x));
  }
  return !L::any(L::unordered(acc, acc)) && !V1::any(V1::unordered(tail, tail));
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
// column into mx[c0..c1) (sum[c0..c1)), and with WithCount the number of
// entries that are not zero into nz[c0..c1) (the exact method's bounds on
// sparse data). Plain code the compiler vectorises across columns, once per
// instruction set; false if an entry is NaN.
template <class Isa, bool WithSum, class T, bool WithCount = false>
bool column_max_sum(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, double scale,
                    double* mx, double* sum, double* nz) {
  const std::size_t m = c1 - c0;
  y += c0;
  mx += c0;
  if (WithSum) sum += c0;
  if (WithCount) nz += c0;
  ScratchVector<T> best(m, T(0));
  if (WithSum) std::fill(sum, sum + m, 0.0);
  using U = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>;
  ScratchVector<U> cnt_lanes(WithCount ? m : 0, U(0));
  U* cn = cnt_lanes.data();
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
      if (WithCount) {
        // Integer lanes of the entries' width: the compares' masks are added
        // as integers (cheaper than masking 1.0 and adding doubles).
        const T z(0);
        cn[j] +=
            ((U(a0 > z) + U(a1 > z)) + (U(a2 > z) + U(a3 > z))) + ((U(a4 > z) + U(a5 > z)) + (U(a6 > z) + U(a7 > z)));
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
      if (WithCount) cn[j] += U(a > T(0));
    }
  }
  for (std::size_t j = 0; j < m; ++j) mx[j] = static_cast<double>(b[j]);
  if (WithCount)
    for (std::size_t j = 0; j < m; ++j) nz[j] = static_cast<double>(cn[j]);
  return nan == 0;
}

// The table's entries without the count.
template <class Isa, bool WithSum, class T>
bool column_max_sum(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, double scale,
                    double* mx, double* sum) {
  return column_max_sum<Isa, WithSum, T, false>(y, n, stride, c0, c1, scale, mx, sum, nullptr);
}

// The passes of the streaming exact l1,inf method (exact_stream.cpp). Every
// entry is read as |y| * scale in double; sums of entries carry Neumaier's
// compensation. Lanes run across columns (or 8 fixed lanes within a group),
// so each result depends only on the order of the entries, never on the width.

// The D::kWidth entries of T at p, as doubles.
template <class Isa, class T>
inline typename Lanes<double, Isa>::V load_wide(const T* p) {
  if constexpr (std::is_same_v<T, double>) {
    return Lanes<double, Isa>::load(p);
  } else if constexpr (std::is_same_v<Isa, Scalar>) {
    return static_cast<double>(*p);
  } else {
    return Widen<Isa>::load(p);
  }
}

template <class Isa, class T>
inline typename Lanes<double, Isa>::V scaled_abs(const T* p, double scale) {
  using D = Lanes<double, Isa>;
  return D::mul(D::and_not(D::set1(-0.0), load_wide<Isa>(p)), D::set1(scale));
}

// The sum of |y| * scale over Rows rows (eight or one), stride entries
// apart, one vector of doubles from p on: the eight added as a tree, the
// same order wherever a column pass adds a row block into its sums.
template <class Isa, std::size_t Rows, class T>
inline typename Lanes<double, Isa>::V rows_scaled_abs(const T* p, std::size_t stride, double scale) {
  using D = Lanes<double, Isa>;
  if constexpr (Rows == 8) {
    typename D::V x[8];
    for (std::size_t q = 0; q < 8; ++q) x[q] = scaled_abs<Isa>(p + q * stride, scale);
    return D::add(D::add(D::add(x[0], x[1]), D::add(x[2], x[3])), D::add(D::add(x[4], x[5]), D::add(x[6], x[7])));
  } else {
    static_assert(Rows == 1, "rows come eight or one at a time");
    return scaled_abs<Isa>(p, scale);
  }
}

// Neumaier's compensated add of x >= 0 into sum >= 0, lane by lane. big and
// small are (s >= x ? s : x) and (s >= x ? x : s), as the lanes' max and min
// give them (the second operand unless the first is strictly larger, or
// smaller): they differ only where s == x, which for entries >= 0 (no -0)
// means the same bits, and with a NaN they pick the same operand.
template <class D>
inline void comp_add(double* sum, double* comp, typename D::V x) {
  const auto s = D::load(sum), t = D::add(s, x);
  const auto big = D::max(s, x), small = D::min(x, s);
  D::store(comp, D::add(D::load(comp), D::add(D::sub(big, t), small)));
  D::store(sum, t);
}

// Makes the compiler hold v, as it is now, in a register. Without it GCC
// defers the count sums of column_stats_at to the end of the unrolled rows,
// keeping every row's terms live until then and spilling them to the stack
// (the pass ran a few per cent slower at 1000 x 8000).
template <class V>
inline void in_register(V& v) {
#ifdef BP_SIMD_X86
  asm("" : "+x"(v));
#else
  (void)v;
#endif
}

// The row sweep of the column passes below: eight rows per step, then the
// rest one by one; each step covers the column range in vectors of the
// lanes' width, then in scalar lanes. At names the step: a struct whose
// static member template run<lanes, rows>(row, stride, j, args...) forwards
// to one of the *_at functions (a struct, not a lambda, so that the step
// surely compiles for this file's instruction set).
template <class Isa, class At, class T, class... A>
inline void sweep_column_rows(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, A... a) {
  constexpr std::size_t w = Lanes<double, Isa>::kWidth;
  const std::size_t cw = c0 + (c1 - c0) / w * w;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const T* r = y + i * stride;
    std::size_t j = c0;
    for (; j < cw; j += w) At::template run<Isa, 8>(r, stride, j, a...);
    for (; j < c1; ++j) At::template run<Scalar, 8>(r, stride, j, a...);
  }
  for (; i < n; ++i) {
    const T* r = y + i * stride;
    std::size_t j = c0;
    for (; j < cw; j += w) At::template run<Isa, 1>(r, stride, j, a...);
    for (; j < c1; ++j) At::template run<Scalar, 1>(r, stride, j, a...);
  }
}

// Rows consecutive rows of columns [j, j + width) into the statistics of
// column_stats: plain sums over the rows (entries >= 0: the error is a few
// ulps of the partial sum), then one compensated add.
template <class Isa, std::size_t Rows, class T>
inline void column_stats_at(const T* r, std::size_t stride, std::size_t j, double scale, const double* mu, double* k,
                            double* s, double* c, const double* lo, double* cnt) {
  using D = Lanes<double, Isa>;
  const auto u = D::load(mu + j), l = D::load(lo + j), one = D::set1(1.0);
  auto kk = D::zero(), ss = D::zero(), nn = D::zero();
  const T* p = r + j;
  for (std::size_t q = 0; q < Rows; ++q, p += stride) {
    const auto a = scaled_abs<Isa>(p, scale);
    const auto on = D::ge(a, u);
    kk = D::add(kk, D::bit_and(on, one));
    ss = D::add(ss, D::bit_and(on, a));
    nn = D::add(nn, D::bit_and(D::ge(a, l), one));
    in_register(kk);
    in_register(nn);
  }
  D::store(k + j, D::add(D::load(k + j), kk));
  D::store(cnt + j, D::add(D::load(cnt + j), nn));
  comp_add<D>(s + j, c + j, ss);
}

struct StatsAt {
  template <class W, std::size_t Rows, class T, class... A>
  static void run(const T* r, std::size_t stride, std::size_t j, A... a) {
    column_stats_at<W, Rows>(r, stride, j, a...);
  }
};

// Count k and compensated sum s of the entries |y| * scale >= mu[j], and count
// cnt of those >= lo[j], of columns [c0, c1) of an n x stride row-major
// matrix (c is the compensation's scratch). Eight rows per compensated add,
// so the pass stays bound by memory.
template <class Isa, class T>
void column_stats(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, double scale,
                  const double* mu, double* k, double* s, double* c, const double* lo, double* cnt) {
  for (std::size_t j = c0; j < c1; ++j) k[j] = s[j] = c[j] = cnt[j] = 0.0;
  sweep_column_rows<Isa, StatsAt>(y, n, stride, c0, c1, scale, mu, k, s, c, lo, cnt);
  for (std::size_t j = c0; j < c1; ++j) s[j] += c[j];
}

// column_stats, and per column the gap around its threshold: lb[j], the
// largest entry below mu[j] (0 if none), and ub[j], the smallest at or above
// it (+inf if none). Any threshold in (lb[j], ub[j]] has the same active set,
// which lets the Newton iteration see that its next pass would change
// nothing without making it.
template <class Isa, std::size_t Rows, class T>
inline void column_stats_gap_at(const T* r, std::size_t stride, std::size_t j, double scale, const double* mu,
                                double* k, double* s, double* c, const double* lo, double* cnt, double* lb,
                                double* ub) {
  using D = Lanes<double, Isa>;
  const auto u = D::load(mu + j), l = D::load(lo + j), one = D::set1(1.0);
  const auto inf = D::set1(std::numeric_limits<double>::infinity());
  auto kk = D::zero(), ss = D::zero(), nn = D::zero(), below = D::load(lb + j), above = D::load(ub + j);
  const T* p = r + j;
  for (std::size_t q = 0; q < Rows; ++q, p += stride) {
    // Each row kRowsAheadBytes ahead (rows_ahead.hpp): the hardware
    // prefetcher alone left the AVX-512F form of this pass at about 1.4
    // times a plain read of its blocks, and this AVX2 form at 1/0.91 of
    // itself with the prefetch (docs/exact-stream.md, round twenty-three).
    // This template is also the SSE2 table's pass and float data's at
    // scale != 1 (not timed there). No value changes.
    D::prefetch(reinterpret_cast<const char*>(p) + kRowsAheadBytes);
    const auto a = scaled_abs<Isa>(p, scale);
    const auto on = D::ge(a, u);
    kk = D::add(kk, D::bit_and(on, one));
    ss = D::add(ss, D::bit_and(on, a));
    nn = D::add(nn, D::bit_and(D::ge(a, l), one));
    below = D::max(below, D::and_not(on, a));
    above = D::min(above, D::add(a, D::and_not(on, inf)));
    in_register(kk);
    in_register(nn);
  }
  D::store(k + j, D::add(D::load(k + j), kk));
  D::store(cnt + j, D::add(D::load(cnt + j), nn));
  D::store(lb + j, below);
  D::store(ub + j, above);
  comp_add<D>(s + j, c + j, ss);
}

struct GapAt {
  template <class W, std::size_t Rows, class T, class... A>
  static void run(const T* r, std::size_t stride, std::size_t j, A... a) {
    column_stats_gap_at<W, Rows>(r, stride, j, a...);
  }
};

template <class Isa, class T>
void column_stats_gap(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, double scale,
                      const double* mu, double* k, double* s, double* c, const double* lo, double* cnt, double* lb,
                      double* ub) {
  for (std::size_t j = c0; j < c1; ++j) {
    k[j] = s[j] = c[j] = cnt[j] = lb[j] = 0.0;
    ub[j] = std::numeric_limits<double>::infinity();
  }
  sweep_column_rows<Isa, GapAt>(y, n, stride, c0, c1, scale, mu, k, s, c, lo, cnt, lb, ub);
  for (std::size_t j = c0; j < c1; ++j) s[j] += c[j];
}

// Eight lanes, held as 8 / width vectors, summed as
// ((l0 + l4) + (l1 + l5)) + ((l2 + l6) + (l3 + l7)): the one order every
// width uses (the first four adds lane-wise).
template <class D>
inline double fold8(const typename D::V* v) {
  constexpr std::size_t half = 4 / D::kWidth;
  alignas(64) double h[4];
  for (std::size_t q = 0; q < half; ++q) D::store(h + q * D::kWidth, D::add(v[q], v[q + half]));
  return (h[0] + h[1]) + (h[2] + h[3]);
}

// The same statistics for one contiguous group of len entries at threshold
// u: eight lanes (8 / width vectors) of plain sums over 64 entries, then one
// compensated add per 64; short groups (candidate lists) eight at a time,
// then one by one.
template <class Isa, class T>
void group_stats(const T* r, std::size_t len, double scale, double u, double* k_out, double* s_out) {
  using D = Lanes<double, Isa>;
  using S = Lanes<double, Scalar>;
  constexpr std::size_t w = D::kWidth, nv = 8 / w;
  static_assert(nv * w == 8, "eight lanes in whole vectors");
  const auto uu = D::set1(u), one = D::set1(1.0);
  typename D::V kv[nv], sv[nv];
  for (std::size_t v = 0; v < nv; ++v) kv[v] = D::zero();
  double sum = 0.0, comp = 0.0;
  std::size_t j = 0;
  for (; j + 64 <= len; j += 64) {
    for (std::size_t v = 0; v < nv; ++v) sv[v] = D::zero();
    for (std::size_t q = 0; q < 64; q += 8) {
      for (std::size_t v = 0; v < nv; ++v) {
        const auto a = scaled_abs<Isa>(r + j + q + v * w, scale);
        const auto on = D::ge(a, uu);
        kv[v] = D::add(kv[v], D::bit_and(on, one));
        sv[v] = D::add(sv[v], D::bit_and(on, a));
      }
    }
    comp_add<S>(&sum, &comp, fold8<D>(sv));
  }
  for (; j + 8 <= len; j += 8) {
    for (std::size_t v = 0; v < nv; ++v) {
      const auto a = scaled_abs<Isa>(r + j + v * w, scale);
      const auto on = D::ge(a, uu);
      kv[v] = D::add(kv[v], D::bit_and(on, one));
      sv[v] = D::bit_and(on, a);
    }
    comp_add<S>(&sum, &comp, fold8<D>(sv));
  }
  double kt = 0.0;
  for (; j < len; ++j) {
    const double a = scaled_abs<Scalar>(r + j, scale);
    const double on = S::ge(a, u);
    kt += S::bit_and(on, 1.0);
    comp_add<S>(&sum, &comp, S::bit_and(on, a));
  }
  *k_out = fold8<D>(kv) + kt;
  *s_out = sum + comp;
}

// Entry (i, j) of fill_candidates: appended if it reaches its column's bound
// and the column's segment has room. Without a branch: an entry left out is
// stored to *sink instead. Where candidates are dense (a third of the columns
// with a tenth of their entries above the bound: 4000 x 4000 Cauchy 0.9)
// the branch on the bound missed often enough to make the fill cost more
// than two reads of the matrix.
template <class T>
inline void fill_at(const T* r, std::size_t j, double scale, const double* bound, const std::size_t* cap,
                    const std::size_t* cbeg, std::size_t* len, double* out, double* sink) {
  const double a = scaled_abs<Scalar>(r + j, scale);
  const std::size_t l = len[j];
  const bool take = (a >= bound[j]) & (l < cap[j]);
  double* dst = take ? out + cbeg[j] + l : sink;
  *dst = a;
  len[j] = l + static_cast<std::size_t>(take);
}

// Appends the entries |y| * scale >= bound[j] of an n x m row-major matrix,
// row by row, to their column's segment of out (at cbeg[j] + len[j], at most
// cap[j] of them). Candidates are a small share of the entries: a vector of
// entries is compared at once and only one holding a candidate is looked at
// entry by entry.
template <class Isa, class T>
void fill_candidates(const T* y, std::size_t n, std::size_t m, double scale, const double* bound,
                     const std::size_t* cap, const std::size_t* cbeg, std::size_t* len, double* out) {
  using D = Lanes<double, Isa>;
  constexpr std::size_t w = D::kWidth;
  const std::size_t mw = m / w * w;
  double sink = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const T* r = y + i * m;
    std::size_t j = 0;
    for (; j < mw; j += w) {
      if (!D::any(D::ge(scaled_abs<Isa>(r + j, scale), D::load(bound + j)))) continue;
      for (std::size_t q = 0; q < w; ++q) fill_at(r, j + q, scale, bound, cap, cbeg, len, out, &sink);
    }
    for (; j < m; ++j) fill_at(r, j, scale, bound, cap, cbeg, len, out, &sink);
  }
}

// Rows consecutive rows of columns [j, j + width): count and sum of the
// entries |y| * scale >= hi[j] (as column_stats_at), and every entry below
// hi[j] appended as (column, value) while fewer than cap are held (*held
// counts them all, so *held > cap tells the caller the list overflowed).
template <class Isa, std::size_t Rows, class T>
inline void column_below_at(const T* r, std::size_t stride, std::size_t j, double scale, const double* hi, double* k,
                            double* s, double* c, std::size_t cap, std::uint32_t* col, double* val, std::size_t* held) {
  using D = Lanes<double, Isa>;
  constexpr std::size_t w = D::kWidth;
  const auto u = D::load(hi + j), one = D::set1(1.0);
  auto kk = D::zero(), ss = D::zero(), off = D::zero();
  const T* p = r + j;
  for (std::size_t q = 0; q < Rows; ++q, p += stride) {
    const auto a = scaled_abs<Isa>(p, scale);
    const auto on = D::ge(a, u);
    kk = D::add(kk, D::bit_and(on, one));
    ss = D::add(ss, D::bit_and(on, a));
    off = D::bit_or(off, D::gt(u, a));
    in_register(kk);
  }
  // Entries below hi are rare: one test per Rows rows, then those rows
  // again, entry by entry, in row order.
  if (D::any(off)) {
    p = r + j;
    for (std::size_t q = 0; q < Rows; ++q, p += stride) {
      for (std::size_t t = 0; t < w; ++t) {
        const double x = scaled_abs<Scalar>(p + t, scale);
        if (!(x >= hi[j + t])) {
          if (*held < cap) {
            col[*held] = static_cast<std::uint32_t>(j + t);
            val[*held] = x;
          }
          ++*held;
        }
      }
    }
  }
  D::store(k + j, D::add(D::load(k + j), kk));
  comp_add<D>(s + j, c + j, ss);
}

struct BelowAt {
  template <class W, std::size_t Rows, class T, class... A>
  static void run(const T* r, std::size_t stride, std::size_t j, A... a) {
    column_below_at<W, Rows>(r, stride, j, a...);
  }
};

// Count k and compensated sum s of the entries |y| * scale >= hi[j] of
// columns [c0, c1) of an n x stride row-major matrix, and the list of the
// entries below hi[j] (see column_below_at), in row order within a column.
template <class Isa, class T>
void column_stats_below(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, double scale,
                        const double* hi, double* k, double* s, double* c, std::size_t cap, std::uint32_t* col,
                        double* val, std::size_t* held) {
  for (std::size_t j = c0; j < c1; ++j) k[j] = s[j] = c[j] = 0.0;
  sweep_column_rows<Isa, BelowAt>(y, n, stride, c0, c1, scale, hi, k, s, c, cap, col, val, held);
  for (std::size_t j = c0; j < c1; ++j) s[j] += c[j];
}

// dst = src * s (s per entry, or one s), computed in double and rounded
// toward zero for float: the write pass of the bilevel l1,2 projection
// (ScaleMap in apply.hpp); streamed when Stream. Returns whether every src
// entry was finite, by the x - x test of `clamp`.
template <class Isa, bool Each, bool Stream>
bool scale(const double* src, const double* s, double one, double* dst, std::size_t n) {
  using L = Lanes<double, Isa>;
  bool finite_ends = true;
  auto scalar_at = [&](std::size_t k) {
    finite_ends &= src[k] - src[k] == 0.0;
    dst[k] = src[k] * (Each ? s[k] : one);
  };
  std::size_t k = 0;
  if (Stream)
    for (; k < n && misaligned<L>(dst + k); ++k) scalar_at(k);
  auto bad = L::zero();
  for (; k + L::kWidth <= n; k += L::kWidth) {
    if (Stream) prefetch_line<L>(src, k);
    const auto x = L::load(src + k);
    bad = L::bit_or(bad, L::sub(x, x));
    const typename L::V r = L::mul(x, Each ? L::load(s + k) : L::set1(one));
    if (Stream)
      L::stream(dst + k, r);
    else
      L::store(dst + k, r);
  }
  for (; k < n; ++k) scalar_at(k);
  return finite_ends && !L::any(L::unordered(bad, bad));
}

inline float scale_entry(float y, double s) {
  return narrow_toward_zero<float>(static_cast<double>(y) * s);
}

// The float entries are widened and multiplied in double (rounded to
// nearest, as scale_entry does), and the product is narrowed toward zero by
// clearing the 29 mantissa bits a float does not hold: what is left is
// exactly representable as a float of magnitude at most the product's, so the
// narrowing that follows is exact. That holds wherever the result is a
// normal float or zero. The rest (a result at or below the smallest normal
// float, or beyond the largest, and any NaN or infinity) is rare, and the
// whole vector is then done entry by entry by scale_entry; so every entry
// gets exactly narrow_toward_zero's bits, and a non-finite src entry is
// always seen there (its product is never a finite normal).
// One vector of floats y times the factors slo, shi (its low and high
// halves' factors, in double) into f, narrowed as described below; false
// when a lane is outside the exact cases (the caller then does the vector
// entry by entry).
template <class Isa>
inline bool scale_floats(typename Lanes<float, Isa>::V y, typename Lanes<double, Isa>::V slo,
                         typename Lanes<double, Isa>::V shi, typename Lanes<float, Isa>::V& f) {
  using F = Lanes<float, Isa>;
  using D = Lanes<double, Isa>;
  using X = Widen<Isa>;
  const std::uint64_t keep_bits = ~((std::uint64_t(1) << 29) - 1);
  double keep_d;
  std::memcpy(&keep_d, &keep_bits, sizeof keep_d);
  const auto keep = D::set1(keep_d);
  f = X::narrow(D::bit_and(D::mul(X::lo(y), slo), keep), D::bit_and(D::mul(X::hi(y), shi), keep));
  // Outside the exact cases: NaN or infinite, or 0 < |f| <= the smallest
  // normal float (a subnormal result, or one rounded up to that bound).
  const auto a = F::and_not(F::set1(-0.0f), f);
  const auto odd = F::bit_or(F::bit_or(F::unordered(a, a), F::ge(a, F::set1(std::numeric_limits<float>::infinity()))),
                             F::bit_and(F::gt(a, F::zero()), F::ge(F::set1(std::numeric_limits<float>::min()), a)));
  return !F::any(odd);
}

template <class Isa, bool Each, bool Stream>
bool scale(const float* src, const double* s, double one, float* dst, std::size_t n) {
  using F = Lanes<float, Isa>;
  bool finite_ends = true;
  auto scalar_at = [&](std::size_t k) {
    finite_ends &= src[k] - src[k] == 0.0f;
    dst[k] = scale_entry(src[k], Each ? s[k] : one);
  };
  std::size_t k = 0;
  if constexpr (!std::is_same_v<Isa, Scalar>) {
    using D = Lanes<double, Isa>;
    if (Stream)
      for (; k < n && misaligned<F>(dst + k); ++k) scalar_at(k);
    const auto s1 = D::set1(one);
    for (; k + F::kWidth <= n; k += F::kWidth) {
      if (Stream) prefetch_line<F>(src, k);
      const auto slo = Each ? D::load(s + k) : s1, shi = Each ? D::load(s + k + D::kWidth) : s1;
      typename F::V f;
      if (!scale_floats<Isa>(F::load(src + k), slo, shi, f)) {
        for (std::size_t q = 0; q < F::kWidth; ++q) scalar_at(k + q);
        continue;
      }
      if (Stream)
        F::stream(dst + k, f);
      else
        F::store(dst + k, f);
    }
  }
  for (; k < n; ++k) scalar_at(k);
  return finite_ends;
}

// Columns [c0, c1) of an n x stride row-major matrix: max |y| per column
// into mx[c0..c1) and the plain sum of the squares of the entries (in double,
// added row after row from row 0: the order of the l2 norms in reduce.cpp)
// into sq[c0..c1); false if an entry is NaN. Lanes run across columns, so no
// column's order depends on the lane width: every build gives the same bits.
// The columns are taken in tiles whose accumulators stay in the inner
// caches, all rows per tile, eight rows per load and store of them: a wide
// matrix's accumulators (80000 columns: 1.25 MB) would otherwise travel to
// and from the outer caches once per sweep of rows.
// 4096 columns: accumulators of 64 KB (second-level cache), rows read in
// runs of 32 KB, long enough for the hardware prefetcher; smaller tiles
// (512, 1024) measured slower, as each run of a row starts a new stream.
constexpr std::size_t kSquaresTile = 4096;

// Rows consecutive rows of the columns [j, j + width) of a tile into its
// accumulators: best (the maxima, in T) and acc (the sums of squares).
template <class Isa, std::size_t Rows, class T>
inline void max_squares_at(const T* r, std::size_t stride, std::size_t j, T* best, double* acc,
                           typename Lanes<T, Isa>::V& probe) {
  using F = Lanes<T, Isa>;
  using D = Lanes<double, Isa>;
  constexpr std::size_t h = F::kWidth / D::kWidth;  // double vectors per vector of T
  static_assert(h * D::kWidth == F::kWidth, "a vector of T widens into whole double vectors");
  const auto sign = F::set1(T(-0.0));
  auto b = F::load(best + j);
  typename D::V s[h];
  for (std::size_t q = 0; q < h; ++q) s[q] = D::load(acc + j + q * D::kWidth);
  const T* p = r + j;
  for (std::size_t i = 0; i < Rows; ++i, p += stride) {
    const auto a = F::and_not(sign, F::load(p));
    b = F::max(b, a);
    probe = F::bit_or(probe, F::unordered(a, a));
    for (std::size_t q = 0; q < h; ++q) {
      const auto w = load_wide<Isa>(p + q * D::kWidth);
      s[q] = D::add(s[q], D::mul(w, w));
    }
  }
  F::store(best + j, b);
  for (std::size_t q = 0; q < h; ++q) D::store(acc + j + q * D::kWidth, s[q]);
}

template <class Isa, std::size_t Rows, class T>
inline void max_squares_rows(const T* r, std::size_t stride, std::size_t m, T* best, double* acc,
                             typename Lanes<T, Isa>::V& probe, typename Lanes<T, Scalar>::V& probe1) {
  constexpr std::size_t w = Lanes<T, Isa>::kWidth;
  const std::size_t mw = m / w * w;
  std::size_t j = 0;
  for (; j < mw; j += w) max_squares_at<Isa, Rows>(r, stride, j, best, acc, probe);
  for (; j < m; ++j) max_squares_at<Scalar, Rows>(r, stride, j, best, acc, probe1);
}

// The tiled sweep of column_max_squares and column_max_sum_top: columns
// [c0, c1) of an n x stride row-major matrix in tiles of at most `tile`
// columns, whose accumulators (the step's scratch) stay in L2 while the rows
// stream by; per tile the step zeroes them (clear), takes eight rows then
// one at a time (rows<8>, rows<1>, which also OR a NaN probe) and copies
// them out (out). False if an entry is NaN.
template <class Isa, class T, class Step>
bool sweep_column_tiles(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, std::size_t tile,
                        Step& step) {
  using F = Lanes<T, Isa>;
  using F1 = Lanes<T, Scalar>;
  auto probe = F::zero();
  auto probe1 = F1::zero();
  for (std::size_t t0 = c0; t0 < c1; t0 += tile) {
    const std::size_t m = std::min(tile, c1 - t0);
    const T* base = y + t0;
    step.clear(m);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) step.template rows<8>(base + i * stride, stride, m, probe, probe1);
    for (; i < n; ++i) step.template rows<1>(base + i * stride, stride, m, probe, probe1);
    step.out(t0, m);
  }
  return !F::any(probe) && !F1::any(probe1);
}

// column_max_squares' step: per tile column, the largest |y| (in T) and the
// sum of squares.
template <class Isa, class T>
struct MaxSquaresTile {
  T* best;
  double* acc;
  double* mx;
  double* sq;
  void clear(std::size_t m) {
    for (std::size_t j = 0; j < m; ++j) {
      best[j] = T(0);
      acc[j] = 0.0;
    }
  }
  template <std::size_t Rows>
  void rows(const T* r, std::size_t stride, std::size_t m, typename Lanes<T, Isa>::V& probe,
            typename Lanes<T, Scalar>::V& probe1) {
    max_squares_rows<Isa, Rows>(r, stride, m, best, acc, probe, probe1);
  }
  void out(std::size_t t0, std::size_t m) {
    for (std::size_t j = 0; j < m; ++j) {
      mx[t0 + j] = static_cast<double>(best[j]);
      sq[t0 + j] = acc[j];
    }
  }
};

template <class Isa, class T>
bool column_max_squares(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, double* mx,
                        double* sq) {
  const std::size_t tile = std::min(kSquaresTile, c1 - c0);
  ScratchVector<T> best(tile);
  ScratchVector<double> acc(tile);
  MaxSquaresTile<Isa, T> step{best.data(), acc.data(), mx, sq};
  return sweep_column_tiles<Isa>(y, n, stride, c0, c1, tile, step);
}

// The first pass of the exact method with its top entries (column_topk.cpp):
// per column of [c0, c1) of an n x stride row-major matrix, max |y| into
// mx[c0..c1), the sum of |y| * scale into sum[c0..c1) with the very
// operations and order of column_max_sum<WithSum = true> (the same bits), and
// the kTopK largest |y| (in T, largest first; zeros where the column has
// fewer) into top[j * kTopK .. (j + 1) * kTopK). False if an entry is NaN.
// The top entries are kept sorted per column by an insertion network of
// vector max and min, run only for the eight-row blocks in which some lane
// beats its column's floor (the kTopK-th largest so far): after the first
// rows that is rare, so the pass stays about as cheap as the plain one.
// Columns go in tiles whose kTopK + 2 accumulator arrays stay in L2.
constexpr std::size_t kTopK = kColumnTop;
constexpr std::size_t kTopTile = kFirstReadTile;

template <class Isa, std::size_t Rows, class T>
inline void max_sum_top_at(const T* r, std::size_t stride, std::size_t j, double scale, std::size_t tile, T* best,
                           double* acc, T* tops, typename Lanes<T, Isa>::V& probe) {
  using F = Lanes<T, Isa>;
  using D = Lanes<double, Isa>;
  constexpr std::size_t h = F::kWidth / D::kWidth;  // double vectors per vector of T
  static_assert(h * D::kWidth == F::kWidth, "a vector of T widens into whole double vectors");
  const auto sign = F::set1(T(-0.0));
  typename F::V a[Rows];
  const T* p = r + j;
  for (std::size_t q = 0; q < Rows; ++q) {
    a[q] = F::and_not(sign, F::load(p + q * stride));
    probe = F::bit_or(probe, F::unordered(a[q], a[q]));
  }
  auto hi = a[0];
  for (std::size_t q = 1; q < Rows; ++q) hi = F::max(hi, a[q]);
  F::store(best + j, F::max(F::load(best + j), hi));
  for (std::size_t v = 0; v < h; ++v) {
    const std::size_t o = v * D::kWidth;
    D::store(acc + j + o, D::add(D::load(acc + j + o), rows_scaled_abs<Isa, Rows>(p + o, stride, scale)));
  }
  // Nothing in these rows reaches any lane's floor: the lists stay as they are.
  if (!F::any(F::gt(hi, F::load(tops + (kTopK - 1) * tile + j)))) return;
  typename F::V t[kTopK];
  for (std::size_t k = 0; k < kTopK; ++k) t[k] = F::load(tops + k * tile + j);
  if constexpr (Rows == 8 && kTopK == 8) {
    // Eight rows at once: sort them (19 compare-exchanges), then keep the top
    // eight of the two sorted lists (max of t[k] and the rows' (7-k)-th: a
    // bitonic sequence) and sort that (12 more): 31 compare-exchanges where
    // inserting the rows one by one takes 64.
    auto cx = [](typename F::V& hi_, typename F::V& lo_) {
      const auto up = F::max(hi_, lo_);
      lo_ = F::min(hi_, lo_);
      hi_ = up;
    };
    cx(a[0], a[2]), cx(a[1], a[3]), cx(a[4], a[6]), cx(a[5], a[7]);
    cx(a[0], a[4]), cx(a[1], a[5]), cx(a[2], a[6]), cx(a[3], a[7]);
    cx(a[0], a[1]), cx(a[2], a[3]), cx(a[4], a[5]), cx(a[6], a[7]);
    cx(a[2], a[4]), cx(a[3], a[5]);
    cx(a[1], a[4]), cx(a[3], a[6]);
    cx(a[1], a[2]), cx(a[3], a[4]), cx(a[5], a[6]);
    for (std::size_t k = 0; k < 8; ++k) t[k] = F::max(t[k], a[7 - k]);
    cx(t[0], t[4]), cx(t[1], t[5]), cx(t[2], t[6]), cx(t[3], t[7]);
    cx(t[0], t[2]), cx(t[1], t[3]), cx(t[4], t[6]), cx(t[5], t[7]);
    cx(t[0], t[1]), cx(t[2], t[3]), cx(t[4], t[5]), cx(t[6], t[7]);
  } else {
    for (std::size_t q = 0; q < Rows; ++q) {
      auto x = a[q];
      for (std::size_t k = 0; k < kTopK; ++k) {
        const auto up = F::max(t[k], x);
        x = F::min(t[k], x);
        t[k] = up;
      }
    }
  }
  for (std::size_t k = 0; k < kTopK; ++k) F::store(tops + k * tile + j, t[k]);
}

template <class Isa, std::size_t Rows, class T>
inline void max_sum_top_rows(const T* r, std::size_t stride, std::size_t m, double scale, std::size_t tile, T* best,
                             double* acc, T* tops, typename Lanes<T, Isa>::V& probe,
                             typename Lanes<T, Scalar>::V& probe1) {
  constexpr std::size_t w = Lanes<T, Isa>::kWidth;
  const std::size_t mw = m / w * w;
  std::size_t j = 0;
  for (; j < mw; j += w) max_sum_top_at<Isa, Rows>(r, stride, j, scale, tile, best, acc, tops, probe);
  for (; j < m; ++j) max_sum_top_at<Scalar, Rows>(r, stride, j, scale, tile, best, acc, tops, probe1);
}

// column_max_sum_top's step: per tile column, the largest |y| (in T), the
// sum of |y| * scale and the kTopK largest |y| (list k of the tile at
// tops + k * tile).
template <class Isa, class T>
struct MaxSumTopTile {
  std::size_t tile;
  double scale;
  T* best;
  double* acc;
  T* tops;
  double* mx;
  double* sum;
  T* top;
  void clear(std::size_t m) {
    for (std::size_t j = 0; j < m; ++j) {
      best[j] = T(0);
      acc[j] = 0.0;
    }
    std::fill(tops, tops + tile * kTopK, T(0));
  }
  template <std::size_t Rows>
  void rows(const T* r, std::size_t stride, std::size_t m, typename Lanes<T, Isa>::V& probe,
            typename Lanes<T, Scalar>::V& probe1) {
    max_sum_top_rows<Isa, Rows>(r, stride, m, scale, tile, best, acc, tops, probe, probe1);
  }
  void out(std::size_t t0, std::size_t m) {
    for (std::size_t j = 0; j < m; ++j) {
      mx[t0 + j] = static_cast<double>(best[j]);
      sum[t0 + j] = acc[j];
      for (std::size_t k = 0; k < kTopK; ++k) top[(t0 + j) * kTopK + k] = tops[k * tile + j];
    }
  }
};

template <class Isa, class T>
bool column_max_sum_top(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, double scale,
                        double* mx, double* sum, T* top) {
  const std::size_t tile = std::min(kTopTile, c1 - c0);
  ScratchVector<T> best(tile), tops(tile * kTopK);
  ScratchVector<double> acc(tile);
  MaxSumTopTile<Isa, T> step{tile, scale, best.data(), acc.data(), tops.data(), mx, sum, top};
  return sweep_column_tiles<Isa>(y, n, stride, c0, c1, tile, step);
}

// The float passes of the exact method, in float lanes. The loops above
// widen every float entry to double before they compare it, so a float
// pass does the arithmetic of a double pass (plus the conversions) while
// reading half the bytes, and ran at the double pass's speed or slower.
// These compare, count and take maxima in float lanes (eight per AVX2
// vector where the double lanes hold four) and widen only what they add.
// For a float a and a double t, a >= t exactly when a >= up_to_float(t), the
// least float >= t, so every compare gives the double compare's answer, and
// the sums add the same doubles in the same order: each result has the
// bits of the double-lane loop it replaces. That needs scale == 1 (a float
// entry times 1 is the entry itself); float data never needs the overflow
// scale (its entries are below 2^128), so with another scale the double-lane
// loops run, as before. docs/exact-float32.md has the measurements.

// The least float >= t: +inf above the largest float, -inf for -inf, NaN
// for NaN (so a compare against it stays false, as against t).
inline float up_to_float(double t) {
  constexpr float kMax = std::numeric_limits<float>::max();
  constexpr float kInfF = std::numeric_limits<float>::infinity();
  if (t != t) return std::numeric_limits<float>::quiet_NaN();
  if (t > static_cast<double>(kMax)) return kInfF;
  if (t < -static_cast<double>(kMax)) return t == -std::numeric_limits<double>::infinity() ? -kInfF : -kMax;
  float f = static_cast<float>(t);
  if (static_cast<double>(f) < t) {
    // One float up (f is finite and below kMax here), by its bits: nextafter
    // was a library call per column and pass.
    std::uint32_t b;
    std::memcpy(&b, &f, sizeof b);
    b = f == 0.0f ? 1u : (f > 0.0f ? b + 1u : b - 1u);
    std::memcpy(&f, &b, sizeof f);
  }
  return f;
}

// The index of the lowest set bit of bits != 0.
inline std::size_t lowest_bit(unsigned bits) {
#if defined(__GNUC__) || defined(__clang__)
  return static_cast<std::size_t>(__builtin_ctz(bits));
#else
  std::size_t t = 0;
  while (((bits >> t) & 1u) == 0) ++t;
  return t;
#endif
}

// Half v (0: the low lanes, 1: the high ones) of a float vector, widened;
// a scalar lane is its own half.
template <class Isa>
inline typename Lanes<double, Isa>::V widen_half(typename Lanes<float, Isa>::V f, std::size_t v) {
  if constexpr (std::is_same_v<Isa, Scalar>) {
    (void)v;
    return static_cast<double>(f);
  } else {
    return v == 0 ? Widen<Isa>::lo(f) : Widen<Isa>::hi(f);
  }
}

// column_max_sum<WithCount = true> for float, the first read of the exact
// method on sparse data. GCC left that loop scalar for float (float
// entries, double sums and integer counts in one loop): it ran at a third
// of the double loop's speed per entry. Maxima and counts in float lanes
// (at most eight per column per step, exact), sums as column_max_sum adds
// them (same order, same bits), over tiles whose accumulators stay in L2.
constexpr std::size_t kCountTile = kFirstReadTile;

template <class Isa, std::size_t Rows>
inline void max_sum_count_at(const float* r, std::size_t stride, std::size_t j, double scale, float* best, double* acc,
                             double* cnt, typename Lanes<float, Isa>::V& probe) {
  using F = Lanes<float, Isa>;
  using D = Lanes<double, Isa>;
  constexpr std::size_t h = F::kWidth / D::kWidth;
  static_assert(h * D::kWidth == F::kWidth, "a float vector widens into whole double vectors");
  const auto sign = F::set1(-0.0f), zero = F::zero(), one = F::set1(1.0f);
  const float* p = r + j;
  auto hi = F::load(best + j), nz = F::zero();
  for (std::size_t q = 0; q < Rows; ++q) {
    const auto a = F::and_not(sign, F::load(p + q * stride));
    probe = F::bit_or(probe, F::unordered(a, a));
    hi = F::max(hi, a);
    nz = F::add(nz, F::bit_and(F::gt(a, zero), one));
  }
  F::store(best + j, hi);
  for (std::size_t v = 0; v < h; ++v) {
    const std::size_t o = v * D::kWidth;
    D::store(acc + j + o, D::add(D::load(acc + j + o), rows_scaled_abs<Isa, Rows>(p + o, stride, scale)));
    D::store(cnt + j + o, D::add(D::load(cnt + j + o), widen_half<Isa>(nz, v)));
  }
}

template <class Isa>
struct MaxSumCountTile {
  double scale;
  float* best;
  double* acc;
  double* cnt;
  double* mx;
  double* sum;
  double* nz;
  void clear(std::size_t m) {
    for (std::size_t j = 0; j < m; ++j) {
      best[j] = 0.0f;
      acc[j] = cnt[j] = 0.0;
    }
  }
  template <std::size_t Rows>
  void rows(const float* r, std::size_t stride, std::size_t m, typename Lanes<float, Isa>::V& probe,
            typename Lanes<float, Scalar>::V& probe1) {
    constexpr std::size_t w = Lanes<float, Isa>::kWidth;
    const std::size_t mw = m / w * w;
    std::size_t j = 0;
    for (; j < mw; j += w) max_sum_count_at<Isa, Rows>(r, stride, j, scale, best, acc, cnt, probe);
    for (; j < m; ++j) max_sum_count_at<Scalar, Rows>(r, stride, j, scale, best, acc, cnt, probe1);
  }
  void out(std::size_t t0, std::size_t m) {
    for (std::size_t j = 0; j < m; ++j) {
      mx[t0 + j] = static_cast<double>(best[j]);
      sum[t0 + j] = acc[j];
      nz[t0 + j] = cnt[j];
    }
  }
};

template <class Isa>
bool column_max_sum_count_f32(const float* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                              double scale, double* mx, double* sum, double* nz) {
  const std::size_t tile = std::min(kCountTile, c1 - c0);
  ScratchVector<float> best(tile);
  ScratchVector<double> acc(tile), cnt(tile);
  MaxSumCountTile<Isa> step{scale, best.data(), acc.data(), cnt.data(), mx, sum, nz};
  return sweep_column_tiles<Isa>(y, n, stride, c0, c1, tile, step);
}

// The row sweep of sweep_column_rows in float-wide steps, over columns
// [0, m) of y (the caller offsets y and the arrays to its first column).
template <class Isa, class At, class... A>
inline void sweep_float_rows(const float* y, std::size_t n, std::size_t stride, std::size_t m, A... a) {
  constexpr std::size_t w = Lanes<float, Isa>::kWidth;
  const std::size_t mw = m / w * w;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const float* r = y + i * stride;
    std::size_t j = 0;
    for (; j < mw; j += w) At::template run<Isa, 8>(r, stride, j, a...);
    for (; j < m; ++j) At::template run<Scalar, 8>(r, stride, j, a...);
  }
  for (; i < n; ++i) {
    const float* r = y + i * stride;
    std::size_t j = 0;
    for (; j < mw; j += w) At::template run<Isa, 1>(r, stride, j, a...);
    for (; j < m; ++j) At::template run<Scalar, 1>(r, stride, j, a...);
  }
}

// column_stats_at (and with Gap column_stats_gap_at) on float entries at
// scale 1: u and l are the thresholds mu and lo rounded up to floats, lb
// and ub the gap, held in floats (entries, 0 or +inf: exact). Without
// Count every l is +inf (no candidate bounds yet, or groups too short to
// get them: 100 x 80000), so no entry reaches it and the count is skipped.
// One row of float lanes: the entries a >= u counted into kk and added,
// widened to double, into ss (one double vector per half of the lanes);
// returns the lanes that were at or above u.
template <class Isa>
inline typename Lanes<float, Isa>::V count_and_add_kept(typename Lanes<float, Isa>::V a,
                                                        typename Lanes<float, Isa>::V u,
                                                        typename Lanes<float, Isa>::V& kk,
                                                        typename Lanes<double, Isa>::V* ss) {
  using F = Lanes<float, Isa>;
  using D = Lanes<double, Isa>;
  constexpr std::size_t h = F::kWidth / D::kWidth;
  const auto on = F::ge(a, u);
  kk = F::add(kk, F::bit_and(on, F::set1(1.0f)));
  const auto kept = F::bit_and(on, a);
  for (std::size_t v = 0; v < h; ++v) ss[v] = D::add(ss[v], widen_half<Isa>(kept, v));
  return on;
}

template <class Isa, std::size_t Rows, bool Gap, bool Count>
inline void float_stats_at(const float* r, std::size_t stride, std::size_t j, const float* u, const float* l, double* k,
                           double* s, double* c, double* cnt, float* lb, float* ub) {
  using F = Lanes<float, Isa>;
  using D = Lanes<double, Isa>;
  constexpr std::size_t h = F::kWidth / D::kWidth;
  const auto uu = F::load(u + j), ll = F::load(l + j), one = F::set1(1.0f), sign = F::set1(-0.0f);
  const auto inf = F::set1(std::numeric_limits<float>::infinity());
  auto kk = F::zero(), nn = F::zero(), below = F::zero(), above = F::zero();
  if constexpr (Gap) {
    below = F::load(lb + j);
    above = F::load(ub + j);
  }
  typename D::V ss[h];
  for (std::size_t v = 0; v < h; ++v) ss[v] = D::zero();
  const float* p = r + j;
  for (std::size_t q = 0; q < Rows; ++q, p += stride) {
    const auto a = F::and_not(sign, F::load(p));
    const auto on = count_and_add_kept<Isa>(a, uu, kk, ss);
    if constexpr (Count) nn = F::add(nn, F::bit_and(F::ge(a, ll), one));
    if constexpr (Gap) {
      below = F::max(below, F::and_not(on, a));
      above = F::min(above, F::add(a, F::and_not(on, inf)));
    }
  }
  for (std::size_t v = 0; v < h; ++v) {
    const std::size_t o = j + v * D::kWidth;
    D::store(k + o, D::add(D::load(k + o), widen_half<Isa>(kk, v)));
    if constexpr (Count) D::store(cnt + o, D::add(D::load(cnt + o), widen_half<Isa>(nn, v)));
    comp_add<D>(s + o, c + o, ss[v]);
  }
  if constexpr (Gap) {
    F::store(lb + j, below);
    F::store(ub + j, above);
  }
}

template <bool Gap, bool Count>
struct FloatStatsAt {
  template <class W, std::size_t Rows, class... A>
  static void run(const float* r, std::size_t stride, std::size_t j, A... a) {
    float_stats_at<W, Rows, Gap, Count>(r, stride, j, a...);
  }
};

// column_stats and column_stats_gap for float: the float-lane loop at scale
// 1, the double-lane one otherwise. The thresholds are rounded up once per
// call (a few per cent of a pass on 100 x 80000, where a column is 100 entries).
template <class Isa, bool Gap>
void float_stats(const float* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, const double* mu,
                 double* k, double* s, double* c, const double* lo, double* cnt, double* lb, double* ub) {
  const std::size_t m = c1 - c0;
  ScratchVector<float> u(m), l(m), fb(Gap ? m : 0), fu(Gap ? m : 0);
  bool count = false;
  for (std::size_t j = 0; j < m; ++j) {
    u[j] = up_to_float(mu[c0 + j]);
    l[j] = up_to_float(lo[c0 + j]);
    count |= l[j] < std::numeric_limits<float>::infinity();
  }
  if constexpr (Gap) {
    std::fill(fb.begin(), fb.end(), 0.0f);
    std::fill(fu.begin(), fu.end(), std::numeric_limits<float>::infinity());
  }
  for (std::size_t j = c0; j < c1; ++j) k[j] = s[j] = c[j] = cnt[j] = 0.0;
  if (count)
    sweep_float_rows<Isa, FloatStatsAt<Gap, true>>(y + c0, n, stride, m, u.data(), l.data(), k + c0, s + c0, c + c0,
                                                   cnt + c0, fb.data(), fu.data());
  else
    sweep_float_rows<Isa, FloatStatsAt<Gap, false>>(y + c0, n, stride, m, u.data(), l.data(), k + c0, s + c0, c + c0,
                                                    cnt + c0, fb.data(), fu.data());
  for (std::size_t j = c0; j < c1; ++j) s[j] += c[j];
  if constexpr (Gap) {
    for (std::size_t j = 0; j < m; ++j) {
      lb[c0 + j] = static_cast<double>(fb[j]);
      ub[c0 + j] = static_cast<double>(fu[j]);
    }
  }
}

template <class Isa>
void column_stats_f32(const float* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, double scale,
                      const double* mu, double* k, double* s, double* c, const double* lo, double* cnt) {
  if (scale != 1.0) return column_stats<Isa, float>(y, n, stride, c0, c1, scale, mu, k, s, c, lo, cnt);
  float_stats<Isa, false>(y, n, stride, c0, c1, mu, k, s, c, lo, cnt, nullptr, nullptr);
}

template <class Isa>
void column_stats_gap_f32(const float* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                          double scale, const double* mu, double* k, double* s, double* c, const double* lo,
                          double* cnt, double* lb, double* ub) {
  if (scale != 1.0) return column_stats_gap<Isa, float>(y, n, stride, c0, c1, scale, mu, k, s, c, lo, cnt, lb, ub);
  float_stats<Isa, true>(y, n, stride, c0, c1, mu, k, s, c, lo, cnt, lb, ub);
}

// column_below_at on float entries at scale 1 (u: hi rounded up to floats).
// Columns are relative to c0, the list's are absolute.
template <class Isa, std::size_t Rows>
inline void float_below_at(const float* r, std::size_t stride, std::size_t j, const float* u, double* k, double* s,
                           double* c, std::size_t c0, std::size_t cap, std::uint32_t* col, double* val,
                           std::size_t* held) {
  using F = Lanes<float, Isa>;
  using D = Lanes<double, Isa>;
  constexpr std::size_t h = F::kWidth / D::kWidth;
  const auto uu = F::load(u + j), sign = F::set1(-0.0f);
  auto kk = F::zero(), off = F::zero();
  typename D::V ss[h];
  for (std::size_t v = 0; v < h; ++v) ss[v] = D::zero();
  const float* p = r + j;
  for (std::size_t q = 0; q < Rows; ++q, p += stride) {
    const auto a = F::and_not(sign, F::load(p));
    count_and_add_kept<Isa>(a, uu, kk, ss);
    off = F::bit_or(off, F::gt(uu, a));
  }
  // Entries below hi are rare: one test per Rows rows, then per row only
  // the lanes below (the float compare's answer is the double one's).
  if (F::any(off)) {
    p = r + j;
    for (std::size_t q = 0; q < Rows; ++q, p += stride) {
      for (unsigned bits = F::mask_bits(F::gt(uu, F::and_not(sign, F::load(p)))); bits != 0; bits &= bits - 1) {
        const std::size_t t = lowest_bit(bits);
        if (*held < cap) {
          col[*held] = static_cast<std::uint32_t>(c0 + j + t);
          val[*held] = std::fabs(static_cast<double>(p[t]));
        }
        ++*held;
      }
    }
  }
  for (std::size_t v = 0; v < h; ++v) {
    const std::size_t o = j + v * D::kWidth;
    D::store(k + o, D::add(D::load(k + o), widen_half<Isa>(kk, v)));
    comp_add<D>(s + o, c + o, ss[v]);
  }
}

struct FloatBelowAt {
  template <class W, std::size_t Rows, class... A>
  static void run(const float* r, std::size_t stride, std::size_t j, A... a) {
    float_below_at<W, Rows>(r, stride, j, a...);
  }
};

template <class Isa>
void column_stats_below_f32(const float* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                            double scale, const double* hi, double* k, double* s, double* c, std::size_t cap,
                            std::uint32_t* col, double* val, std::size_t* held) {
  if (scale != 1.0)
    return column_stats_below<Isa, float>(y, n, stride, c0, c1, scale, hi, k, s, c, cap, col, val, held);
  const std::size_t m = c1 - c0;
  ScratchVector<float> u(m);
  for (std::size_t j = 0; j < m; ++j) u[j] = up_to_float(hi[c0 + j]);
  for (std::size_t j = c0; j < c1; ++j) k[j] = s[j] = c[j] = 0.0;
  sweep_float_rows<Isa, FloatBelowAt>(y + c0, n, stride, m, u.data(), k + c0, s + c0, c + c0, c0, cap, col, val, held);
  for (std::size_t j = c0; j < c1; ++j) s[j] += c[j];
}

// fill_candidates for float at scale 1: a float vector (twice the double
// lanes) is tested against the bounds rounded up to floats, and only one
// holding a candidate goes entry by entry (fill_at, against the bounds
// themselves). Where many vectors hold one (a third of them on 8000 x 1000
// Gaussian at 0.5 of the norm), that branch missed so often that the fill
// took about a third of the call; there a row's candidate columns are listed
// first without a branch (every lane's column is written, the count advances
// by its mask bit), and the list is then filled. Each row takes the way its
// predecessor's share of such vectors calls for (more than one in
// kDenseFill<Isa>): the callers' caps are only bounds (the top-list path's are
// far above the candidates), so they cannot tell. Both ways give the same
// bytes.
// 32 for AVX2, whose list takes one store a vector (MaskList, mask_lists.hpp):
// the first way's branch on 4000 x 4000 sparse 0.5 missed between one
// vector in 32 and one in 8 holding a candidate. 8 elsewhere, where the list
// still takes a store a lane (the value measured before the AVX2 list).
template <class Isa>
constexpr std::size_t kDenseFill = std::is_same_v<Isa, Avx2> ? 32 : 8;

template <class Isa>
void fill_candidates_f32(const float* y, std::size_t n, std::size_t m, double scale, const double* bound,
                         const std::size_t* cap, const std::size_t* cbeg, std::size_t* len, double* out) {
  if (scale != 1.0 || m > std::numeric_limits<std::uint32_t>::max())
    return fill_candidates<Isa, float>(y, n, m, scale, bound, cap, cbeg, len, out);
  using F = Lanes<float, Isa>;
  constexpr std::size_t w = F::kWidth;
  const std::size_t mw = m / w * w;
  ScratchVector<float> b(m);
  for (std::size_t j = 0; j < m; ++j) b[j] = up_to_float(bound[j]);
  ScratchVector<std::uint32_t> list(m);
  std::uint32_t* at = list.data();
  const auto sign = F::set1(-0.0f);
  double sink = 0.0;
  bool dense = false;
  for (std::size_t i = 0; i < n; ++i) {
    const float* r = y + i * m;
    std::size_t j = 0, hit = 0;
    if (!dense) {
      for (; j < mw; j += w) {
        if (!F::any(F::ge(F::and_not(sign, F::load(r + j)), F::load(b.data() + j)))) continue;
        ++hit;
        for (std::size_t q = 0; q < w; ++q) fill_at(r, j + q, scale, bound, cap, cbeg, len, out, &sink);
      }
      for (; j < m; ++j) fill_at(r, j, scale, bound, cap, cbeg, len, out, &sink);
    } else {
      std::size_t held = 0;
      for (; j < mw; j += w) {
        const unsigned bits = F::mask_bits(F::ge(F::and_not(sign, F::load(r + j)), F::load(b.data() + j)));
        hit += bits != 0 ? 1 : 0;
        held = MaskList<Isa, w>::append(bits, j, at, held);
      }
      for (; j < m; ++j) {
        at[held] = static_cast<std::uint32_t>(j);
        held += std::fabs(r[j]) >= b[j] ? 1 : 0;
      }
      for (std::size_t e = 0; e < held; ++e) fill_at(r, at[e], scale, bound, cap, cbeg, len, out, &sink);
    }
    dense = hit * kDenseFill<Isa> > mw / w;
  }
}

// The streamed writes of the l1,inf clip and the double l1,2 scale for
// `rows` rows at once (at most kWriteRows)
// (row r at src + r * stride, dst + r * stride), columns
// [0, n), with a parameter per column: each vector of parameters is loaded
// once for all the rows. For a wide matrix the parameters of a row (8 bytes
// per column) do not fit the first-level cache, and reloading them for every
// row cost as much as the data's own traffic. Each row gets exactly the bytes
// of the one-row loops (clamp, scale): the same operations per entry. (The
// float scale is bound by its arithmetic, not by these loads: more rows at
// once measured slower there, so it has no such loop.) The
// rows' destinations share one alignment only when the stride is a multiple
// of the vector's bytes; otherwise the rows go one by one. True when every
// src entry was finite.
// (Fixed: the row count known when compiled, so that the loop over the
// rows of a block is unrolled; 0: `rows`.)
template <class Isa, class T, std::size_t Fixed>
bool clamp_rows_n(const T* src, std::size_t stride, const T* c, T* dst, std::size_t n, std::size_t rows) {
  using V1 = Lanes<T, Scalar>;
  using L = Lanes<T, Isa>;
  const std::size_t R = Fixed != 0 ? Fixed : rows;
  if ((stride * sizeof(T)) % L::kBytes != 0) {
    bool ok = true;
    for (std::size_t r = 0; r < R; ++r) ok &= clamp<Isa, true>(src + r * stride, c, T(0), dst + r * stride, n);
    return ok;
  }
  auto bad1 = V1::zero();
  auto scalar_at = [&](std::size_t k) {
    for (std::size_t r = 0; r < R; ++r) {
      const auto x = V1::load(src + r * stride + k);
      bad1 = V1::bit_or(bad1, V1::sub(x, x));
      V1::store(dst + r * stride + k, clamp_at<V1, true>(x, c, T(0), k));
    }
  };
  std::size_t k = 0;
  for (; k < n && misaligned<L>(dst + k); ++k) scalar_at(k);
  auto bad = L::zero();
  const auto sign = L::set1(T(-0.0));
  auto vector_at = [&](std::size_t at) {
    const auto ck = L::load(c + at), lo = L::bit_xor(ck, sign);
    for (std::size_t r = 0; r < R; ++r) {
      prefetch_line<L>(src + r * stride, at);
      const auto x = L::load(src + r * stride + at);
      bad = L::bit_or(bad, L::sub(x, x));
      L::stream(dst + r * stride + at, L::min(L::max(x, lo), ck));
    }
  };
  // With 32-byte vectors (AVX2): a whole 64-byte line of each row per step
  // where the rows' lines fall alike, without the software prefetch
  // (docs/bilevel-write.md, "Half lines in the float clip's row blocks"):
  // with half a line per row and step, the block's lines were half written
  // at once and at some placements it ran 2.5-4 times slower, float and
  // double. The same operations per entry.
  if constexpr (L::kWidth * sizeof(T) == 32) {
    if ((stride * sizeof(T)) % 64 == 0) {
      for (; k + L::kWidth <= n && reinterpret_cast<std::uintptr_t>(dst + k) % 64 != 0; k += L::kWidth) vector_at(k);
      for (; k + 2 * L::kWidth <= n; k += 2 * L::kWidth) {
        const auto ck0 = L::load(c + k), lo0 = L::bit_xor(ck0, sign);
        const auto ck1 = L::load(c + k + L::kWidth), lo1 = L::bit_xor(ck1, sign);
        for (std::size_t r = 0; r < R; ++r) {
          const auto x0 = L::load(src + r * stride + k), x1 = L::load(src + r * stride + k + L::kWidth);
          bad = L::bit_or(bad, L::sub(x0, x0));
          bad = L::bit_or(bad, L::sub(x1, x1));
          L::stream(dst + r * stride + k, L::min(L::max(x0, lo0), ck0));
          L::stream(dst + r * stride + k + L::kWidth, L::min(L::max(x1, lo1), ck1));
        }
      }
    }
  }
  for (; k + L::kWidth <= n; k += L::kWidth) vector_at(k);
  for (; k < n; ++k) scalar_at(k);
  return !L::any(L::unordered(bad, bad)) && !V1::any(V1::unordered(bad1, bad1));
}

template <class Isa, class T>
bool clamp_rows(const T* src, std::size_t stride, const T* c, T* dst, std::size_t n, std::size_t rows) {
  if (rows >= kWriteRows) return clamp_rows_n<Isa, T, kWriteRows>(src, stride, c, dst, n, kWriteRows);
  return clamp_rows_n<Isa, T, 0>(src, stride, c, dst, n, rows);
}

template <class Isa, std::size_t Fixed>
bool scale_rows_n(const double* src, std::size_t stride, const double* s, double* dst, std::size_t n,
                  std::size_t rows) {
  using L = Lanes<double, Isa>;
  const std::size_t R = Fixed != 0 ? Fixed : rows;
  if ((stride * sizeof(double)) % L::kBytes != 0) {
    bool ok = true;
    for (std::size_t r = 0; r < R; ++r) ok &= scale<Isa, true, true>(src + r * stride, s, 0.0, dst + r * stride, n);
    return ok;
  }
  bool finite_ends = true;
  auto scalar_at = [&](std::size_t k) {
    for (std::size_t r = 0; r < R; ++r) {
      const double x = src[r * stride + k];
      finite_ends &= x - x == 0.0;
      dst[r * stride + k] = x * s[k];
    }
  };
  std::size_t k = 0;
  for (; k < n && misaligned<L>(dst + k); ++k) scalar_at(k);
  auto bad = L::zero();
  for (; k + L::kWidth <= n; k += L::kWidth) {
    const auto sk = L::load(s + k);
    for (std::size_t r = 0; r < R; ++r) {
      prefetch_line<L>(src + r * stride, k);
      const auto x = L::load(src + r * stride + k);
      bad = L::bit_or(bad, L::sub(x, x));
      L::stream(dst + r * stride + k, L::mul(x, sk));
    }
  }
  for (; k < n; ++k) scalar_at(k);
  return finite_ends && !L::any(L::unordered(bad, bad));
}

template <class Isa>
bool scale_rows(const double* src, std::size_t stride, const double* s, double* dst, std::size_t n, std::size_t rows) {
  if (rows >= kWriteRows) return scale_rows_n<Isa, kWriteRows>(src, stride, s, dst, n, kWriteRows);
  return scale_rows_n<Isa, 0>(src, stride, s, dst, n, rows);
}

// The bilevel l1,1 block passes (group_l1_thresholds.cpp): a holds n rows
// of kL1BlockLanes doubles, one column per lane; per lane q, the count of the
// entries above t[q] and their sum: plain, or compensated (each term's
// rounding error recovered by a two-sum and summed apart, the pair added at
// the end), and with Minus the sum of x - t[q]. Each lane adds its column's
// entries one by one in row order, so every instruction set gives the same
// bits.
//
// With Compact (plain passes only), the rows with an entry above t are also
// moved, in order, to the front of a, and their count returned: a row whose
// every entry is at or below t adds exactly +0 to every lane, so dropping it
// changes no bit of any later pass whose thresholds are at least t.
template <class Isa, bool Comp, bool Minus, bool Compact = false>
std::size_t l1_block_pass(double* a, std::size_t n, const double* t, double* sum, double* count) {
  using W = Lanes<double, Isa>;
  using V = typename W::V;
  constexpr std::size_t H = kL1BlockLanes / W::kWidth;
  const V one = W::set1(1.0);
  V tv[H], s[H], e[H], c[H];
  for (std::size_t h = 0; h < H; ++h) {
    tv[h] = W::load(t + h * W::kWidth);
    s[h] = e[h] = c[h] = W::zero();
  }
  std::size_t kept = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double* r = a + i * kL1BlockLanes;
    V x[H], any = W::zero();
    for (std::size_t h = 0; h < H; ++h) x[h] = W::load(r + h * W::kWidth);
    for (std::size_t h = 0; h < H; ++h) {
      const V m = W::gt(x[h], tv[h]);
      if (Compact) any = W::bit_or(any, m);
      const V term = W::bit_and(m, Minus ? W::sub(x[h], tv[h]) : x[h]);
      if (Comp) {
        const V next = W::add(s[h], term);
        const V bp = W::sub(next, s[h]);
        e[h] = W::add(e[h], W::add(W::sub(s[h], W::sub(next, bp)), W::sub(term, bp)));
        s[h] = next;
      } else {
        s[h] = W::add(s[h], term);
      }
      c[h] = W::add(c[h], W::bit_and(m, one));
    }
    if (Compact) {
      // Written always, kept when any lane is above its threshold: no branch.
      for (std::size_t h = 0; h < H; ++h) W::store(a + kept * kL1BlockLanes + h * W::kWidth, x[h]);
      kept += W::any(any) ? 1 : 0;
    }
  }
  for (std::size_t h = 0; h < H; ++h) {
    W::store(sum + h * W::kWidth, Comp ? W::add(s[h], e[h]) : s[h]);
    W::store(count + h * W::kWidth, c[h]);
  }
  return Compact ? kept : n;
}

// The float soft threshold (shrink for float entries), narrowed by truncation
// instead of compare-and-step (the float l1,2 scale's trick, scale_floats above):
// d = max(|y| - t, 0) in double, then its 29 low mantissa bits cleared, which
// leaves a float-representable value of magnitude at most d, so the narrowing
// is exact and equals rounding d toward zero wherever the result is a normal
// float or zero. A vector with a lane outside that (a subnormal result or one
// at the smallest normal, an infinity or NaN) is done entry by entry by
// shrink_entry, so every entry gets its bits. (|y| - t cannot overflow: it is
// at most |y|.) This replaces a compare of both halves, a mask pack and a
// step per vector: the float write was bound by that arithmetic.
template <class Isa, bool Each, bool Stream>
void shrink(const float* src, const double* t, double one, float* dst, std::size_t n) {
  using F = Lanes<float, Isa>;
  std::size_t k = 0;
  if constexpr (!std::is_same_v<Isa, Scalar>) {
    using D = Lanes<double, Isa>;
    using X = Widen<Isa>;
    static_assert(F::kWidth == 2 * D::kWidth, "a float vector widens into two double vectors");
    const std::uint64_t keep_bits = ~((std::uint64_t(1) << 29) - 1);
    double keep_d;
    std::memcpy(&keep_d, &keep_bits, sizeof keep_d);
    const auto keep = D::set1(keep_d), dsign = D::set1(-0.0), t1 = D::set1(one);
    const auto fsign = F::set1(-0.0f), fzero = F::zero(), fmin = F::set1(std::numeric_limits<float>::min()),
               finf = F::set1(std::numeric_limits<float>::infinity());
    if (Stream)
      for (; k < n && misaligned<F>(dst + k); ++k) dst[k] = shrink_entry(src[k], Each ? t[k] : one);
    for (; k + F::kWidth <= n; k += F::kWidth) {
      if (Stream) prefetch_line<F>(src, k);
      const auto y = F::load(src + k);
      const auto tlo = Each ? D::load(t + k) : t1, thi = Each ? D::load(t + k + D::kWidth) : t1;
      const auto ylo = X::lo(y), yhi = X::hi(y);
      auto dlo = D::max(D::sub(D::and_not(dsign, ylo), tlo), D::zero());
      auto dhi = D::max(D::sub(D::and_not(dsign, yhi), thi), D::zero());
      // y's sign wherever d > 0, before the narrowing: a positive d too small
      // for a float narrows to zero, and shrink_entry gives that zero y's
      // sign (-0 for a negative y), which a sign taken from f > 0 missed.
      dlo = D::bit_or(dlo, D::bit_and(D::bit_and(dsign, ylo), D::gt(dlo, D::zero())));
      dhi = D::bit_or(dhi, D::bit_and(D::bit_and(dsign, yhi), D::gt(dhi, D::zero())));
      const auto r = X::narrow(D::bit_and(dlo, keep), D::bit_and(dhi, keep));  // y's sign, or +0, or NaN
      const auto f = F::and_not(fsign, r);
      const auto odd =
          F::bit_or(F::bit_or(F::unordered(f, f), F::ge(f, finf)), F::bit_and(F::gt(f, fzero), F::ge(fmin, f)));
      if (F::any(odd)) {
        for (std::size_t q = 0; q < F::kWidth; ++q) dst[k + q] = shrink_entry(src[k + q], Each ? t[k + q] : one);
        continue;
      }
      if (Stream)
        F::stream(dst + k, r);
      else
        F::store(dst + k, r);
    }
  }
  for (; k < n; ++k) dst[k] = shrink_entry(src[k], Each ? t[k] : one);
}

// The bilevel l1,1 gather of one 8-column block (group_l1_thresholds.cpp):
// `rows` rows of the block, each `stride` entries after the previous, are
// appended as |y| * scale in double to dst's rows of kL1BlockLanes, from row
// `kept` on; a row is kept (the count moves on) only when one of its entries
// is above its lane's filter t[q], and each lane adds the entries above its
// filter to sum[q] and count[q], one by one in row order (so the bits do not
// depend on the lane width). Entries past `width` (a partial last block) are
// +0. Then each lane's filter is raised to the mean-rule bound of what it
// kept (see below; r holds the radii). Row i is prefetched kL1GatherAhead rows ahead while that row is below
// `ahead` (the rows that exist from src): a row's slice lies a stride away
// from the previous one, where the hardware prefetcher does not follow.
// Returns the rows kept. In the kernel table so that it runs on the widest
// lanes: on the baseline lanes its 8-lane state did not fit the registers.

template <class Isa, class T>
inline void l1_gather_row(const T* src, std::size_t width, typename Lanes<double, Isa>::V scale,
                          typename Lanes<double, Isa>::V* x) {
  using D = Lanes<double, Isa>;
  constexpr std::size_t H = kL1BlockLanes / D::kWidth;
  T pad[kL1BlockLanes];
  if (width < kL1BlockLanes) {
    for (std::size_t q = 0; q < kL1BlockLanes; ++q) pad[q] = q < width ? src[q] : T(0);
    src = pad;
  }
  for (std::size_t h = 0; h < H; ++h) {
    typename D::V v;
    if constexpr (std::is_same_v<T, double>) {
      v = D::load(src + h * D::kWidth);
    } else if constexpr (std::is_same_v<Isa, Scalar>) {
      v = D::set1(static_cast<double>(src[h]));
    } else {
      v = Widen<Isa>::load(src + h * D::kWidth);
    }
    x[h] = D::mul(D::and_not(D::set1(-0.0), v), scale);
  }
}

template <class Isa, class T>
std::size_t l1_block_gather(const T* src, std::size_t stride, std::size_t rows, std::size_t ahead, std::size_t width,
                            double scale, double* dst, std::size_t kept, double* t, const double* r, double* sum,
                            double* count) {
  using D = Lanes<double, Isa>;
  constexpr std::size_t H = kL1BlockLanes / D::kWidth;
  const typename D::V one = D::set1(1.0), sc = D::set1(scale);
  typename D::V tv[H], sv[H], cv[H];
  for (std::size_t h = 0; h < H; ++h) {
    tv[h] = D::load(t + h * D::kWidth);
    sv[h] = D::load(sum + h * D::kWidth);
    cv[h] = D::load(count + h * D::kWidth);
  }
  const std::size_t last = (width < kL1BlockLanes ? width : kL1BlockLanes) - 1;
  for (std::size_t i = 0; i < rows; ++i, src += stride) {
    if (i + kL1GatherAhead < ahead) {
      // The slice's first and last entries: it may straddle two lines.
      D::prefetch(reinterpret_cast<const char*>(src + kL1GatherAhead * stride));
      D::prefetch(reinterpret_cast<const char*>(src + kL1GatherAhead * stride + last));
    }
    typename D::V x[H], any = D::zero();
    l1_gather_row<Isa>(src, width, sc, x);
    double* const row = dst + kept * kL1BlockLanes;
    for (std::size_t h = 0; h < H; ++h) {
      D::store(row + h * D::kWidth, x[h]);
      const typename D::V m = D::gt(x[h], tv[h]);
      any = D::bit_or(any, m);
      sv[h] = D::add(sv[h], D::bit_and(m, x[h]));
      cv[h] = D::add(cv[h], D::bit_and(m, one));
    }
    kept += D::any(any) ? 1 : 0;
  }
  // Each lane's filter raised to the mean-rule bound of what it kept,
  // (sum - r) / count, lowered by the error bound of a plain sum (`lowered`
  // in group_l1_thresholds.cpp, the same operations in the same order); a
  // lane that kept nothing keeps its filter. Vector divisions: one scalar
  // division per lane per call cost about as much as the gather's own work
  // on short columns (100 rows).
  const typename D::V eps4 = D::set1(4.0 * std::numeric_limits<double>::epsilon()),
                      tiny = D::set1(std::numeric_limits<double>::denorm_min()), zero = D::zero();
  for (std::size_t h = 0; h < H; ++h) {
    const typename D::V rv = D::load(r + h * D::kWidth);
    const typename D::V b = D::sub(D::div(D::sub(sv[h], rv), cv[h]), D::add(D::mul(eps4, sv[h]), tiny));
    const typename D::V up = D::bit_and(D::gt(b, tv[h]), D::gt(cv[h], zero));
    D::store(t + h * D::kWidth, D::bit_or(D::bit_and(up, b), D::and_not(up, tv[h])));
    D::store(sum + h * D::kWidth, sv[h]);
    D::store(count + h * D::kWidth, cv[h]);
  }
  return kept;
}

// --- bilevel l1,1: the compensated pass that can prove a block's set stable
// (group_l1_thresholds.cpp, block_thresholds). The compensated block pass
// (l1_block_pass<Isa, true, false>) with its two chains' parts returned
// apart, sum[q] = s and err[q] = e (s + e rounds to the bits of that pass's
// sum), and the gap around t[q]: low[q], the smallest entry above it (+inf
// where none), and high[q], the largest at or below it (+0 where none; the
// entries are >= +0). When the estimate tau the lane computes from this pass
// has high[q] <= tau < low[q], the entries of a above tau are exactly the
// ones this pass summed, which is what the kept pass would count again;
// with s and e apart the caller can also bound the kept mass from this pass
// alone. Same bits on every table: each lane adds its column's entries in
// row order, and a minimum or maximum has no rounding.
template <class Isa>
void l1_block_comp_gap(const double* a, std::size_t n, const double* t, double* sum, double* err, double* count,
                       double* low, double* high) {
  using W = Lanes<double, Isa>;
  using V = typename W::V;
  constexpr std::size_t H = kL1BlockLanes / W::kWidth;
  const V one = W::set1(1.0), inf = W::set1(std::numeric_limits<double>::infinity());
  V tv[H], s[H], e[H], c[H], lo[H], hi[H];
  for (std::size_t h = 0; h < H; ++h) {
    tv[h] = W::load(t + h * W::kWidth);
    s[h] = e[h] = c[h] = hi[h] = W::zero();
    lo[h] = inf;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const double* r = a + i * kL1BlockLanes;
    for (std::size_t h = 0; h < H; ++h) {
      const V x = W::load(r + h * W::kWidth);
      const V m = W::gt(x, tv[h]);
      const V term = W::bit_and(m, x);
      const V next = W::add(s[h], term);
      const V bp = W::sub(next, s[h]);
      e[h] = W::add(e[h], W::add(W::sub(s[h], W::sub(next, bp)), W::sub(term, bp)));
      s[h] = next;
      c[h] = W::add(c[h], W::bit_and(m, one));
      lo[h] = W::min(lo[h], W::bit_or(term, W::and_not(m, inf)));  // the others as +inf
      hi[h] = W::max(hi[h], W::and_not(m, x));                     // the others as +0
    }
  }
  for (std::size_t h = 0; h < H; ++h) {
    W::store(sum + h * W::kWidth, s[h]);
    W::store(err + h * W::kWidth, e[h]);
    W::store(count + h * W::kWidth, c[h]);
    W::store(low + h * W::kWidth, lo[h]);
    W::store(high + h * W::kWidth, hi[h]);
  }
}

// The threshold passes of l1ball.cpp (the l1 ball's tau over the bilevel
// projections' group norms), in fixed logical lanes whatever the vector width
// (entry i + q of a step into lane q), so that every table gives the bits of
// the baseline (SSE2) loops those passes were written with; a wider vector
// only does the same lanes' operations in fewer instructions.
//
// l1_sum_above: over steps of 8 entries, lane q adds the entry if it is above
// t (a masked add, +0 otherwise) and counts it (in double: exact). Returns
// the end of the steps; the caller reduces the lanes and adds the tail.
template <class Isa>
std::size_t l1_sum_above(const double* a, std::size_t n, double t, double* sum8, double* count8) {
  using L = Lanes<double, Isa>;
  constexpr std::size_t W = L::kWidth, V = 8 / W;
  static_assert(8 % W == 0, "eight lanes in whole vectors");
  const auto tv = L::set1(t), one = L::set1(1.0);
  typename L::V s[V], c[V];
  for (std::size_t v = 0; v < V; ++v) s[v] = c[v] = L::zero();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (std::size_t v = 0; v < V; ++v) {
      const auto x = L::load(a + i + v * W);
      const auto m = L::gt(x, tv);
      s[v] = L::add(s[v], L::bit_and(m, x));
      c[v] = L::add(c[v], L::bit_and(m, one));
    }
  }
  for (std::size_t v = 0; v < V; ++v) {
    L::store(sum8 + v * W, s[v]);
    L::store(count8 + v * W, c[v]);
  }
  return i;
}

// The envelope's sweep (KernelTable::envelope_sum4): four lanes as 4 / width
// vectors, each lane the operations of envelope_at's scalar lane
// (exact_stream.cpp) in the same order: the vector max and min return their
// second operand unless the first is strictly larger (smaller), which is
// std::max(b, a) and std::min(b, a); an unset mask gives +0, as the scalar
// selects. Groups by index are loaded one by one into the lanes.
template <class Isa>
void envelope_sum4(const double* s, const double* mx, const double* nz, double inv_len, const std::size_t* idx,
                   std::size_t n, double theta, double* sum4, double* comp4, double* slope4) {
  using D = Lanes<double, Isa>;
  constexpr std::size_t w = D::kWidth, nv = 4 / w;
  static_assert(nv * w == 4, "four lanes in whole vectors");
  const auto th = D::set1(theta), one = D::set1(1.0), zero = D::zero(), il = D::set1(inv_len);
  typename D::V sum[nv], comp[nv], slope[nv];
  for (std::size_t v = 0; v < nv; ++v) {
    sum[v] = D::load(sum4 + v * w);
    comp[v] = D::load(comp4 + v * w);
    slope[v] = D::load(slope4 + v * w);
  }
  alignas(64) double gs[4], gm[4], gz[4];
  for (std::size_t q = 0; q + 4 <= n; q += 4) {
    const double *ps = s + q, *pm = mx + q, *pz = nz != nullptr ? nz + q : nullptr;
    if (idx != nullptr) {
      for (std::size_t l = 0; l < 4; ++l) {
        const std::size_t j = idx[q + l];
        gs[l] = s[j];
        gm[l] = mx[j];
        if (nz != nullptr) gz[l] = nz[j];
      }
      ps = gs;
      pm = gm;
      pz = gz;
    }
    for (std::size_t v = 0; v < nv; ++v) {
      const auto inv = nz != nullptr ? D::div(one, D::max(D::load(pz + v * w), one)) : il;
      const auto by_sum = D::mul(D::sub(D::load(ps + v * w), th), inv);
      const auto by_max = D::sub(D::load(pm + v * w), th);
      const auto t = D::max(by_sum, by_max);  // std::max(by_max, by_sum)
      const auto on = D::gt(t, zero);
      const auto x = D::bit_and(on, t);
      const auto steep = D::ge(by_max, by_sum);
      const auto tt = D::add(sum[v], x);
      comp[v] = D::add(comp[v], D::add(D::sub(D::max(x, sum[v]), tt), D::min(x, sum[v])));
      sum[v] = tt;
      slope[v] = D::add(slope[v], D::bit_and(on, D::bit_or(D::bit_and(steep, one), D::and_not(steep, inv))));
    }
  }
  for (std::size_t v = 0; v < nv; ++v) {
    D::store(sum4 + v * w, sum[v]);
    D::store(comp4 + v * w, comp[v]);
    D::store(slope4 + v * w, slope[v]);
  }
}

// l1_masked_sum4: over steps of 4 entries, lane q adds x - shift for an entry
// x above t (+0 otherwise) with an error-free two-sum, the errors summed
// apart, and counts it: the operations of masked_sum_lanes (masked_sum_lanes.hpp)
// with SSE2's two chains of two lanes.
template <class Isa>
std::size_t l1_masked_sum4(const double* a, std::size_t n, double t, double shift, double* sum4, double* err4,
                           double* count4) {
  using M = Lanes<double, Isa>;
  constexpr std::size_t W = M::kWidth, V = 4 / W;
  static_assert(4 % W == 0, "four lanes in whole vectors");
  const auto tv = M::set1(t), sv = M::set1(shift), one = M::set1(1.0);
  typename M::V s[V], e[V], c[V];
  for (std::size_t v = 0; v < V; ++v) s[v] = e[v] = c[v] = M::zero();
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    for (std::size_t v = 0; v < V; ++v) {
      const auto x = M::load(a + i + v * W);
      const auto m = M::gt(x, tv);
      c[v] = M::add(c[v], M::bit_and(m, one));
      const auto y = M::bit_and(m, M::sub(x, sv));
      const auto sum = M::add(s[v], y), z = M::sub(sum, s[v]);
      e[v] = M::add(e[v], M::add(M::sub(s[v], M::sub(sum, z)), M::sub(y, z)));
      s[v] = sum;
    }
  }
  for (std::size_t v = 0; v < V; ++v) {
    M::store(sum4 + v * W, s[v]);
    M::store(err4 + v * W, e[v]);
    M::store(count4 + v * W, c[v]);
  }
  return i;
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
  t.clamp_wrap_f32 = &loops::clamp_wrap<Isa, float>;
  t.shrink_f64[0][0] = &loops::shrink<Isa, false, false>;
  t.shrink_f64[0][1] = &loops::shrink<Isa, false, true>;
  t.shrink_f64[1][0] = &loops::shrink<Isa, true, false>;
  t.shrink_f64[1][1] = &loops::shrink<Isa, true, true>;
  t.shrink_f32[0][0] = &loops::shrink<Isa, false, false>;
  t.shrink_f32[0][1] = &loops::shrink<Isa, false, true>;
  t.shrink_f32[1][0] = &loops::shrink<Isa, true, false>;
  t.shrink_f32[1][1] = &loops::shrink<Isa, true, true>;
  t.finite_f64 = &loops::finite<Isa, double>;
  t.finite_f32 = &loops::finite<Isa, float>;
  t.zero_f64 = &loops::zero<Isa, double>;
  t.zero_f32 = &loops::zero<Isa, float>;
  t.adam_f64 = &loops::adam<Isa, double>;
  t.adam_f32 = &loops::adam<Isa, float>;
  t.column_max_f64 = &loops::column_max_sum<Isa, false, double>;
  t.column_max_f32 = &loops::column_max_sum<Isa, false, float>;
  t.column_max_sum_f64 = &loops::column_max_sum<Isa, true, double>;
  t.column_max_sum_f32 = &loops::column_max_sum<Isa, true, float>;
  t.column_max_sum_count_f64 = &loops::column_max_sum<Isa, true, double, true>;
  t.column_max_sum_count_f32 = &loops::column_max_sum_count_f32<Isa>;
  t.column_stats_f64 = &loops::column_stats<Isa, double>;
  t.column_stats_f32 = &loops::column_stats_f32<Isa>;
  t.group_stats_f64 = &loops::group_stats<Isa, double>;
  t.group_stats_f32 = &loops::group_stats<Isa, float>;
  t.fill_candidates_f64 = &loops::fill_candidates<Isa, double>;
  t.fill_candidates_f32 = &loops::fill_candidates_f32<Isa>;
  t.column_stats_gap_f64 = &loops::column_stats_gap<Isa, double>;
  t.column_stats_gap_f32 = &loops::column_stats_gap_f32<Isa>;
  t.column_stats_below_f64 = &loops::column_stats_below<Isa, double>;
  t.column_stats_below_f32 = &loops::column_stats_below_f32<Isa>;
  t.scale_f64[0][0] = &loops::scale<Isa, false, false>;
  t.scale_f64[0][1] = &loops::scale<Isa, false, true>;
  t.scale_f64[1][0] = &loops::scale<Isa, true, false>;
  t.scale_f64[1][1] = &loops::scale<Isa, true, true>;
  t.scale_f32[0][0] = &loops::scale<Isa, false, false>;
  t.scale_f32[0][1] = &loops::scale<Isa, false, true>;
  t.scale_f32[1][0] = &loops::scale<Isa, true, false>;
  t.scale_f32[1][1] = &loops::scale<Isa, true, true>;
  t.column_max_squares_f64 = &loops::column_max_squares<Isa, double>;
  t.column_max_squares_f32 = &loops::column_max_squares<Isa, float>;
  t.column_max_sum_top_f64 = &loops::column_max_sum_top<Isa, double>;
  t.column_max_sum_top_f32 = &loops::column_max_sum_top<Isa, float>;
  t.clamp_rows_f64 = &loops::clamp_rows<Isa, double>;
  t.clamp_rows_f32 = &loops::clamp_rows<Isa, float>;
  t.scale_rows_f64 = &loops::scale_rows<Isa>;
  t.l1_block_plain = &loops::l1_block_pass<Isa, false, false, true>;
  t.l1_block_compensated = &loops::l1_block_pass<Isa, true, false>;
  t.l1_block_kept = &loops::l1_block_pass<Isa, true, true>;
  t.l1_block_gather_f64 = &loops::l1_block_gather<Isa, double>;
  t.l1_block_gather_f32 = &loops::l1_block_gather<Isa, float>;
  t.l1_block_comp_gap = &loops::l1_block_comp_gap<Isa>;  // bilevel l1,1 stable-set proof
  t.l1_sum_above = &loops::l1_sum_above<Isa>;            // the l1 ball's threshold passes
  t.l1_masked_sum4 = &loops::l1_masked_sum4<Isa>;
  t.envelope_sum4 = &loops::envelope_sum4<Isa>;
  return t;
}

}  // namespace
}  // namespace simd
}  // namespace bp
