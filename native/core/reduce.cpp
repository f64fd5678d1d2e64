#include "reduce.hpp"

#include "parallel.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <type_traits>
#include <vector>

#include "scratch.hpp"
#include "simd/kernel_table.hpp"
#include "simd/lanes_scalar.hpp"
#include "simd/lanes_sse2.hpp"

namespace bp {
namespace {

// Inside [2^-450, 2^450] a plain sum of squares of up to 2^120 entries can
// neither overflow nor lose an entry that matters to underflow.
constexpr double kSafeLo = 0x1p-450;
constexpr double kSafeHi = 0x1p+450;

inline bool needs_rescue(double mx) {
  return mx > 0.0 && (mx < kSafeLo || mx > kSafeHi);
}

// Multiplying by 2^-e, e = exponent of the group's largest entry, brings the
// group to [0, 2). For subnormal groups 2^-e itself is not representable, so
// the factor is applied in two exact halves.
struct PowerOfTwoScaler {
  double f1, f2;
  explicit PowerOfTwoScaler(int e) : f1(std::ldexp(1.0, -e / 2)), f2(std::ldexp(1.0, -e - (-e / 2))) {}
  double operator()(double x) const { return (x * f1) * f2; }
};

// v[j] = sqrt(v[j]) over [c0, c1), on the baseline vector lanes: a square
// root is correctly rounded in every instruction set, so the same bits as
// std::sqrt, which the compiler keeps scalar (it may set errno). On 80000
// columns the scalar loop was about 3% of a float l1,2 call.
void sqrt_range(double* v, std::size_t c0, std::size_t c1) {
  using L = simd::Lanes<double, simd::Baseline>;
  std::size_t j = c0;
  for (; j + L::kWidth <= c1; j += L::kWidth) L::store(v + j, L::sqrt(L::load(v + j)));
  for (; j < c1; ++j) v[j] = std::sqrt(v[j]);
}

// 1 if x is NaN, as an integer so that OR-ing flags vectorises.
template <class T>
inline unsigned nan_bit(T x) {
  return x != x ? 1u : 0u;
}

// The column pass is compute-bound with SSE2 (the x86-64 baseline the
// prebuilds target): it is one of the dispatched loops (simd/loops-inl.hpp),
// so an AVX2 build of it runs where the CPU has AVX2. Every build does the
// same operations in the same order, so the results are identical.
template <bool WithSum, class T>
bool column_max_sum(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, double scale,
                    double* mx, double* sum) {
  const simd::KernelTable& k = simd::kernels();
  if constexpr (std::is_same_v<T, float>) {
    return (WithSum ? k.column_max_sum_f32 : k.column_max_f32)(y, n, stride, c0, c1, scale, mx, sum);
  } else {
    return (WithSum ? k.column_max_sum_f64 : k.column_max_f64)(y, n, stride, c0, c1, scale, mx, sum);
  }
}

// Max |y| and sum of y^2 (row order) per column of [c0, c1): the dispatched
// loop of simd/loops-inl.hpp, which tiles the columns.
template <class T>
bool column_max_squares(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1, double* mx,
                        double* sq) {
  const simd::KernelTable& k = simd::kernels();
  if constexpr (std::is_same_v<T, float>) {
    return k.column_max_squares_f32(y, n, stride, c0, c1, mx, sq);
  } else {
    return k.column_max_squares_f64(y, n, stride, c0, c1, mx, sq);
  }
}

// The groups of `rescue` (columns whose largest entry is extreme), their
// entries multiplied by 2^-e (e = exponent of the column's largest entry)
// before squaring; norm[j] = the l2 norm times 2^scale_exp.
template <class T>
void rescue_columns(const MatrixRef<T>& y, const double* mx, int scale_exp, const ScratchVector<std::size_t>& rescue,
                    double* norm) {
  const std::size_t n = y.rows, m = y.cols;
  ScratchVector<PowerOfTwoScaler> f;
  ScratchVector<double> acc(rescue.size(), 0.0);
  for (std::size_t j : rescue) f.emplace_back(std::ilogb(mx[j]));
  for (std::size_t i = 0; i < n; ++i) {
    const T* r = y.data + i * m;
    for (std::size_t q = 0; q < rescue.size(); ++q) {
      double a = f[q](static_cast<double>(r[rescue[q]]));
      acc[q] += a * a;
    }
  }
  for (std::size_t q = 0; q < rescue.size(); ++q) {
    std::size_t j = rescue[q];
    // sqrt(acc) * 2^e * scale, folded into one ldexp so nothing overflows
    // in between.
    norm[j] = std::ldexp(std::sqrt(acc[q]), std::ilogb(mx[j]) + scale_exp);
  }
}

// Rows [r0, r1) of an n x m row-major matrix.
template <bool WithSum, class T>
bool row_max_sum(const T* y, std::size_t r0, std::size_t r1, std::size_t m, double scale, double* mx, double* sum) {
  unsigned nan = 0;
  for (std::size_t i = r0; i < r1; ++i) {
    const T* r = y + i * m;
    // Independent accumulators: vectorised without reassociating one chain.
    T m0 = 0, m1 = 0, m2 = 0, m3 = 0;
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    std::size_t j = 0;
    for (; j + 4 <= m; j += 4) {
      T a0 = std::fabs(r[j]), a1 = std::fabs(r[j + 1]), a2 = std::fabs(r[j + 2]), a3 = std::fabs(r[j + 3]);
      m0 = std::max(m0, a0);
      m1 = std::max(m1, a1);
      m2 = std::max(m2, a2);
      m3 = std::max(m3, a3);
      nan |= nan_bit((a0 + a1) + (a2 + a3));
      if (WithSum) {
        s0 += static_cast<double>(a0) * scale;
        s1 += static_cast<double>(a1) * scale;
        s2 += static_cast<double>(a2) * scale;
        s3 += static_cast<double>(a3) * scale;
      }
    }
    for (; j < m; ++j) {
      T a = std::fabs(r[j]);
      m0 = std::max(m0, a);
      nan |= nan_bit(a);
      if (WithSum) s0 += static_cast<double>(a) * scale;
    }
    mx[i] = static_cast<double>(std::max(std::max(m0, m1), std::max(m2, m3)));
    if (WithSum) sum[i] = (s0 + s1) + (s2 + s3);
  }
  return nan == 0;
}

}  // namespace

template <bool WithSum, class T>
bool group_max_sum(const MatrixRef<T>& y, Groups g, double scale, double* mx, double* sum) {
  // Split by groups: each group is still reduced by one thread in one order.
  std::atomic<bool> ok{true};
  if (g == Groups::kColumns) {
    parallel_ranges(y.cols, 64, y.size(), [&](std::size_t c0, std::size_t c1) {
      if (!column_max_sum<WithSum>(y.data, y.rows, y.cols, c0, c1, scale, mx, sum)) ok = false;
    });
  } else {
    parallel_ranges(y.rows, 1, y.size(), [&](std::size_t r0, std::size_t r1) {
      if (!row_max_sum<WithSum>(y.data, r0, r1, y.cols, scale, mx, sum)) ok = false;
    });
  }
  return ok;
}

template bool group_max_sum<false, float>(const MatrixRef<float>&, Groups, double, double*, double*);
template bool group_max_sum<false, double>(const MatrixRef<double>&, Groups, double, double*, double*);
template bool group_max_sum<true, float>(const MatrixRef<float>&, Groups, double, double*, double*);
template bool group_max_sum<true, double>(const MatrixRef<double>&, Groups, double, double*, double*);

template <class T>
bool column_max_sum_count(const MatrixRef<T>& y, double* mx, double* sum, double* nz) {
  std::atomic<bool> ok{true};
  parallel_ranges(y.cols, 64, y.size(), [&](std::size_t c0, std::size_t c1) {
    const simd::KernelTable& k = simd::kernels();
    bool fine;
    if constexpr (std::is_same_v<T, float>) {
      fine = k.column_max_sum_count_f32(y.data, y.rows, y.cols, c0, c1, 1.0, mx, sum, nz);
    } else {
      fine = k.column_max_sum_count_f64(y.data, y.rows, y.cols, c0, c1, 1.0, mx, sum, nz);
    }
    if (!fine) ok = false;
  });
  return ok;
}

template bool column_max_sum_count<float>(const MatrixRef<float>&, double*, double*, double*);
template bool column_max_sum_count<double>(const MatrixRef<double>&, double*, double*, double*);

template <class T>
bool column_max_sum_count_low(const MatrixRef<T>& y, double* mx, double* sum, double* nz, const simd::LowLists& lists) {
  std::atomic<bool> ok{true};
  // Each column's list is filled by the one thread that reads the column,
  // in row order: the lists do not depend on the thread count.
  parallel_ranges(y.cols, 64, y.size(), [&](std::size_t c0, std::size_t c1) {
    const simd::KernelTable& k = simd::kernels();
    bool fine;
    if constexpr (std::is_same_v<T, float>) {
      fine = k.column_max_sum_count_low_f32(y.data, y.rows, y.cols, c0, c1, mx, sum, nz, &lists);
    } else {
      fine = k.column_max_sum_count_low_f64(y.data, y.rows, y.cols, c0, c1, mx, sum, nz, &lists);
    }
    if (!fine) ok = false;
  });
  return ok;
}

template bool column_max_sum_count_low<float>(const MatrixRef<float>&, double*, double*, double*,
                                              const simd::LowLists&);
template bool column_max_sum_count_low<double>(const MatrixRef<double>&, double*, double*, double*,
                                               const simd::LowLists&);

template <class T>
bool has_column_low_lists() {
  if constexpr (std::is_same_v<T, float>) return simd::kernels().column_max_sum_count_low_f32 != nullptr;
  return simd::kernels().column_max_sum_count_low_f64 != nullptr;
}

template bool has_column_low_lists<float>();
template bool has_column_low_lists<double>();

template <class T>
bool zeros_common(const MatrixRef<T>& y, double* sampled_norm, double* max_growth) {
  const std::size_t n = y.rows, m = y.cols;
  *sampled_norm = 0.0;
  if (max_growth != nullptr) *max_growth = 1.0;
  if (n == 0 || m == 0) return false;
  const std::size_t rows = (n + 255) / 256;
  std::size_t zeros = 0;
  for (std::size_t q = 0; q < rows; ++q) {
    const T* r = y.data + (q * n / rows + n / (2 * rows)) * m;
    for (std::size_t j = 0; j < m; ++j) zeros += r[j] == T(0) ? 1 : 0;
  }
  if (2 * zeros < rows * m) return false;
  // The norm's sample is sized for about eight nonzeros per column, so that
  // its maxima stand in a similar ratio to the true ones whatever the shape
  // (about half on normal nonzeros), and capped at an eighth of the rows.
  const double density =
      std::max(1.0 - static_cast<double>(zeros) / static_cast<double>(rows * m), 1.0 / static_cast<double>(n));
  const std::size_t want = static_cast<std::size_t>(std::ceil(8.0 / density));
  const std::size_t rows2 = std::max<std::size_t>(1, std::min(want, n / 8));
  ScratchVector<double> mx(m, 0.0);
  for (std::size_t q = 0; q < rows2; ++q) {
    const T* r = y.data + (q * n / rows2 + n / (2 * rows2)) * m;
    for (std::size_t j = 0; j < m; ++j) {
      const double a = std::fabs(static_cast<double>(r[j]));
      mx[j] = a > mx[j] ? a : mx[j];
    }
  }
  double norm = 0.0;
  for (std::size_t j = 0; j < m; ++j) norm += mx[j];
  *sampled_norm = norm;
  // The largest of k normal |y| grows about as sqrt(2 ln k): a column of c
  // nonzeros reaches sqrt(ln c / ln s) times its sample's s. On the grid's
  // sparse data (normal nonzeros) the sampled norm times this is 0.92-0.95
  // of the true one at 8000 x 1000, 4000 x 4000 and 1000 x 8000 (the sample
  // alone: 0.51 / 0.55 / 0.64, seeds 1-6).
  // Only where the sample holds a few nonzeros a column: the rows it may take
  // are capped at an eighth, and on short columns (8-20 nonzeros) s nears 1,
  // where ln s -> 0 made the ratio 3-5 and 0.95 of ||Y|| count (4000 x 200).
  // Capped at 2 (the grid's columns: 1.8).
  const double c = density * static_cast<double>(n), s = density * static_cast<double>(rows2);
  if (max_growth != nullptr && s >= 4.0 && c > s) *max_growth = std::min(2.0, std::sqrt(std::log(c) / std::log(s)));
  return true;
}

template bool zeros_common<float>(const MatrixRef<float>&, double*, double*);
template bool zeros_common<double>(const MatrixRef<double>&, double*, double*);

template <class T>
void group_l2(const MatrixRef<T>& y, Groups g, const double* mx, double scale, double* norm) {
  const std::size_t n = y.rows, m = y.cols;
  const std::size_t ng = group_count(n, m, g);
  // scale is a power of two (overflow_guard_scale), so its exponent is exact.
  const int scale_exp = std::ilogb(scale);
  ScratchVector<std::size_t> rescue;
  for (std::size_t j = 0; j < ng; ++j) {
    if (needs_rescue(mx[j])) rescue.push_back(j);
  }
  if (g == Groups::kColumns) {
    // The sums of squares come from the tiled column pass (its maxima are
    // recomputed and dropped: the pass is bound by the reads either way).
    ScratchVector<double> scratch_mx(m);
    parallel_ranges(m, 64, y.size(), [&](std::size_t c0, std::size_t c1) {
      column_max_squares(y.data, n, m, c0, c1, scratch_mx.data(), norm);
      for (std::size_t j = c0; j < c1; ++j) norm[j] = std::sqrt(norm[j]) * scale;
    });
    if (!rescue.empty()) rescue_columns(y, mx, scale_exp, rescue, norm);
  } else {
    std::size_t q = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const T* r = y.data + i * m;
      bool resc = q < rescue.size() && rescue[q] == i;
      const PowerOfTwoScaler f(resc ? std::ilogb(mx[i]) : 0);
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      std::size_t j = 0;
      for (; j + 4 <= m; j += 4) {
        double a0 = f(static_cast<double>(r[j])), a1 = f(static_cast<double>(r[j + 1]));
        double a2 = f(static_cast<double>(r[j + 2])), a3 = f(static_cast<double>(r[j + 3]));
        s0 += a0 * a0;
        s1 += a1 * a1;
        s2 += a2 * a2;
        s3 += a3 * a3;
      }
      for (; j < m; ++j) {
        double a = f(static_cast<double>(r[j]));
        s0 += a * a;
      }
      double root = std::sqrt((s0 + s1) + (s2 + s3));
      if (resc) {
        norm[i] = std::ldexp(root, std::ilogb(mx[i]) + scale_exp);
        ++q;
      } else {
        norm[i] = root * scale;
      }
    }
  }
}

template void group_l2<float>(const MatrixRef<float>&, Groups, const double*, double, double*);
template void group_l2<double>(const MatrixRef<double>&, Groups, const double*, double, double*);

template <class T>
bool group_max_l2(const MatrixRef<T>& y, Groups g, double* mx, double* norm) {
  if (g != Groups::kColumns) {
    // Groups = rows keep the two passes (maxima, then norms): only the
    // column pass has been fused so far.
    if (!group_max_sum<false>(y, g, 1.0, mx, nullptr)) return false;
    if (is_finite(max_of(mx, y.rows))) group_l2(y, g, mx, 1.0, norm);
    return true;
  }
  const std::size_t n = y.rows, m = y.cols;
  std::atomic<bool> ok{true};
  parallel_ranges(m, 64, y.size(), [&](std::size_t c0, std::size_t c1) {
    if (!column_max_squares(y.data, n, m, c0, c1, mx, norm)) ok = false;
    // sqrt(s) * 1.0 in group_l2: the same bits.
    sqrt_range(norm, c0, c1);
  });
  if (!ok || !is_finite(max_of(mx, m))) return ok;
  ScratchVector<std::size_t> rescue;
  for (std::size_t j = 0; j < m; ++j) {
    if (needs_rescue(mx[j])) rescue.push_back(j);
  }
  if (!rescue.empty()) rescue_columns(y, mx, 0, rescue, norm);
  return true;
}

template bool group_max_l2<float>(const MatrixRef<float>&, Groups, double*, double*);
template bool group_max_l2<double>(const MatrixRef<double>&, Groups, double*, double*);

}  // namespace bp
