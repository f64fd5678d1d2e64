// The AVX-512F double column passes and first reads start their full vectors
// at the first 64-byte line boundary of the rows (simd/line_start.hpp), with
// a masked vector for the columns before it: the matrix placed at every start
// offset in a line (0..7 doubles), over column ranges wider and narrower than
// that lead, must give the scalar table's bytes (and, with lists, the lists
// add_to_low_list files in row order). Strides that are not a multiple of 8
// doubles (no common start) are here too.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "harness.hpp"
#include "simd/kernel_table.hpp"
#include "simd/low_lists.hpp"

using namespace bptest;
using bp::simd::KernelTable;

namespace {

template <class T>
bool same(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

struct Free {
  void operator()(void* p) const { std::free(p); }
};

// rows x cols doubles starting `off` doubles past a 64-byte line: zeros,
// signed zeros, normals and values equal to the thresholds used below.
double* place(std::unique_ptr<double, Free>& hold, Rng& rng, std::size_t rows, std::size_t cols, std::size_t off) {
  const std::size_t bytes = ((rows * cols + off) * sizeof(double) + 63) / 64 * 64 + 64;
  hold.reset(static_cast<double*>(std::aligned_alloc(64, bytes)));
  double* y = hold.get() + off;
  for (std::size_t e = 0; e < rows * cols; ++e) {
    const std::size_t r = rng.below(8);
    y[e] = r == 0 ? 0.0 : r == 1 ? -0.0 : r == 2 ? 0.75 : rng.normal();
  }
  return y;
}

}  // namespace

TEST(double_column_passes_give_the_scalar_bytes_at_every_start_in_a_line) {
  const KernelTable* wide = bp::simd::avx512_kernels();
  if (wide == nullptr) return;  // no AVX-512F: nothing aligns its loads
  const KernelTable& plain = bp::simd::scalar_kernels();
  Rng rng(2020);
  const std::size_t shapes[][2] = {{19, 40}, {9, 64}, {19, 37}, {3, 16}};
  for (const auto& shape : shapes) {
    const std::size_t rows = shape[0], cols = shape[1];
    const std::size_t ranges[][2] = {{0, cols}, {3, cols - 2}, {1, 4}, {5, 6}};
    for (std::size_t off = 0; off < 8; ++off) {
      std::unique_ptr<double, Free> hold;
      const double* y = place(hold, rng, rows, cols, off);
      std::vector<double> mu(cols), lo(cols);
      for (std::size_t j = 0; j < cols; ++j) {
        mu[j] = j % 3 == 0 ? 0.375 : 0.5 * std::fabs(rng.normal());
        lo[j] = 0.5 * mu[j];
      }
      for (const auto& range : ranges) {
        const std::size_t c0 = range[0], c1 = range[1];
        for (int gap = 0; gap < 2; ++gap) {
          std::vector<double> k[2], s[2], c[2], cnt[2], lb[2], ub[2];
          for (int t = 0; t < 2; ++t) {
            k[t] = s[t] = c[t] = cnt[t] = lb[t] = ub[t] = std::vector<double>(cols, -1.0);
            const KernelTable& kt = t == 0 ? *wide : plain;
            if (gap)
              kt.column_stats_gap_f64(y, rows, cols, c0, c1, 2.0, mu.data(), k[t].data(), s[t].data(), c[t].data(),
                                      lo.data(), cnt[t].data(), lb[t].data(), ub[t].data());
            else
              kt.column_stats_f64(y, rows, cols, c0, c1, 2.0, mu.data(), k[t].data(), s[t].data(), c[t].data(),
                                  lo.data(), cnt[t].data());
          }
          CHECK_MSG(
              same(k[0], k[1]) && same(s[0], s[1]) && same(cnt[0], cnt[1]) && same(lb[0], lb[1]) && same(ub[0], ub[1]),
              "column pass gap=" << gap << " " << rows << "x" << cols << " start +" << off << " doubles, columns " << c0
                                 << ".." << c1);
        }
        std::vector<double> mx[2], sum[2], nz[2];
        for (int t = 0; t < 2; ++t) {
          mx[t] = sum[t] = nz[t] = std::vector<double>(cols, -1.0);
          const KernelTable& kt = t == 0 ? *wide : plain;
          CHECK(kt.column_max_sum_count_f64(y, rows, cols, c0, c1, 0.5, mx[t].data(), sum[t].data(), nz[t].data()));
        }
        CHECK_MSG(
            same(mx[0], mx[1]) && same(sum[0], sum[1]) && same(nz[0], nz[1]),
            "first read " << rows << "x" << cols << " start +" << off << " doubles, columns " << c0 << ".." << c1);
        if (wide->column_max_sum_count_low_f64 == nullptr) continue;
        // Lists of 4 slots, bounds 0.75 (most lists fill and halve) or +inf.
        const std::size_t cap = 4;
        std::vector<double> vals[2], bound[2];
        std::vector<std::uint32_t> held[2];
        for (int t = 0; t < 2; ++t) {
          vals[t] = std::vector<double>(cols * cap, -1.0);
          bound[t] = std::vector<double>(cols);
          held[t] = std::vector<std::uint32_t>(cols, 0);
          for (std::size_t j = 0; j < cols; ++j) bound[t][j] = j % 2 ? 0.75 : std::numeric_limits<double>::infinity();
        }
        const bp::simd::LowLists got{cap, vals[0].data(), held[0].data(), bound[0].data()};
        const bp::simd::LowLists want{cap, vals[1].data(), held[1].data(), bound[1].data()};
        std::vector<double> mx2(cols, -1.0), sum2(cols, -1.0), nz2(cols, -1.0), sum1(cols, -1.0);
        CHECK(wide->column_max_sum_count_low_f64(y, rows, cols, c0, c1, mx2.data(), sum2.data(), nz2.data(), &got));
        CHECK(plain.column_max_sum_count_f64(y, rows, cols, c0, c1, 1.0, mx[1].data(), sum1.data(), nz[1].data()));
        for (std::size_t i = 0; i < rows; ++i)
          for (std::size_t j = c0; j < c1; ++j) {
            const double a = std::fabs(y[i * cols + j]);
            if (a > 0.0 && a < want.bound[j]) bp::simd::add_to_low_list(want, j, a);
          }
        CHECK_MSG(same(mx2, mx[1]) && same(sum2, sum1) && same(nz2, nz[1]) && same(held[0], held[1]) &&
                      same(bound[0], bound[1]) && same(vals[0], vals[1]),
                  "first read with lists " << rows << "x" << cols << " start +" << off << " doubles, columns " << c0
                                           << ".." << c1);
      }
    }
  }
}
