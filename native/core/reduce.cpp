#include "reduce.hpp"

#include <vector>

namespace bp {
namespace {

// Inside [2^-450, 2^450] a plain sum of squares of up to 2^120 entries can
// neither overflow nor lose an entry that matters to underflow.
constexpr double kSafeLo = 0x1p-450;
constexpr double kSafeHi = 0x1p+450;

inline bool needs_rescue(double mx) { return mx > 0.0 && (mx < kSafeLo || mx > kSafeHi); }

// Multiplying by 2^-e, e = exponent of the group's largest entry, brings the
// group to [0, 2). For subnormal groups 2^-e itself is not representable, so
// the factor is applied in two exact halves.
struct PowerOfTwoScaler {
  double f1, f2;
  explicit PowerOfTwoScaler(int e) : f1(std::ldexp(1.0, -e / 2)), f2(std::ldexp(1.0, -e - (-e / 2))) {}
  double operator()(double x) const { return (x * f1) * f2; }
};

}  // namespace

template <class T>
void group_l2(const MatrixRef<T>& y, Groups g, const double* mx, double scale, double* norm) {
  const std::size_t n = y.rows, m = y.cols;
  const std::size_t ng = group_count(n, m, g);
  // scale is a power of two (overflow_guard_scale), so its exponent is exact.
  const int scale_exp = std::ilogb(scale);
  std::vector<std::size_t> rescue;
  for (std::size_t j = 0; j < ng; ++j) {
    if (needs_rescue(mx[j])) rescue.push_back(j);
  }
  if (g == Groups::kColumns) {
    for (std::size_t j = 0; j < m; ++j) norm[j] = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const T* r = y.data + i * m;
      for (std::size_t j = 0; j < m; ++j) {
        double a = static_cast<double>(r[j]);
        norm[j] += a * a;
      }
    }
    for (std::size_t j = 0; j < m; ++j) norm[j] = std::sqrt(norm[j]) * scale;
    if (!rescue.empty()) {
      // Entries of a rescued group are multiplied by 2^-e (e = exponent of
      // its largest entry) before squaring.
      std::vector<PowerOfTwoScaler> f;
      std::vector<double> acc(rescue.size(), 0.0);
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
        s0 += a0 * a0; s1 += a1 * a1; s2 += a2 * a2; s3 += a3 * a3;
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

}  // namespace bp
