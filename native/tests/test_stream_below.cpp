// The AVX-512F below-bound pass (simd/double_below_avx512.cpp) against the
// AVX2 loop: counts, sums and the list of entries below the bound, in the
// same order, on column ranges that start and end off both vector widths,
// row counts around the eight-row blocks, a scale, ties at the bound, and
// rooms that run out mid-block (the entry-by-entry append and *held counting
// past the room); and the AVX-512F first read on sparse data against its
// AVX2 loop.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "harness.hpp"
#include "simd/kernel_table.hpp"

using namespace bptest;

TEST(stream_below_avx512_gives_the_avx2_counts_sums_and_list) {
  const bp::simd::KernelTable* wide = bp::simd::avx512_kernels();
  const bp::simd::KernelTable* avx2 = bp::simd::avx2_kernels();
  if (wide == nullptr || avx2 == nullptr) {
    std::printf("  (skipped here: the CPU lacks %s)\n", avx2 == nullptr ? "AVX2" : "AVX-512F");
    return;
  }
  Rng rng(1919);
  const std::size_t shapes[][4] = {{1, 13, 3, 10},  {7, 21, 1, 20}, {9, 37, 5, 30},  {17, 40, 0, 39},
                                   {16, 45, 2, 45}, {25, 19, 3, 4}, {65, 27, 9, 26}, {33, 64, 0, 64}};
  for (const auto& sh : shapes) {
    const std::size_t n = sh[0], m = sh[1], c0 = sh[2], c1 = sh[3];
    std::vector<double> y(n * m), hi(m);
    for (double& v : y) {
      const double u = rng.uniform();
      v = u < 0.2 ? 0.0 : (u < 0.5 ? std::floor(rng.uniform() * 4.0) : 3.0 * rng.uniform());
      if (rng.uniform() < 0.5) v = -v;
    }
    for (std::size_t j = 0; j < m; ++j) hi[j] = j % 5 == 0 ? 1.0 : 0.25 * static_cast<double>(j % 9);
    for (double scale : {1.0, 0.75}) {
      for (std::size_t cap : {n * m, std::size_t(9), std::size_t(0), n * (c1 - c0) / 3}) {
        std::vector<double> k(m, -1), s(m, -1), c(m, -1), k2(m, -1), s2(m, -1), c2(m, -1);
        std::vector<std::uint32_t> col(cap + 1, 7u), col2(cap + 1, 7u);
        std::vector<double> val(cap + 1, -1.0), val2(cap + 1, -1.0);
        std::size_t held = 0, held2 = 0;
        wide->column_stats_below_f64(y.data(), n, m, c0, c1, scale, hi.data(), k.data(), s.data(), c.data(), cap,
                                     col.data(), val.data(), &held);
        avx2->column_stats_below_f64(y.data(), n, m, c0, c1, scale, hi.data(), k2.data(), s2.data(), c2.data(), cap,
                                     col2.data(), val2.data(), &held2);
        const std::string what = std::to_string(n) + "x" + std::to_string(m) + " [" + std::to_string(c0) + ", " +
                                 std::to_string(c1) + ") scale " + std::to_string(scale) + " cap " +
                                 std::to_string(cap);
        CHECK_MSG(held == held2, what << ": held " << held << " vs " << held2);
        CHECK_MSG(std::memcmp(k.data(), k2.data(), m * sizeof(double)) == 0, what << ": counts differ");
        CHECK_MSG(std::memcmp(s.data(), s2.data(), m * sizeof(double)) == 0, what << ": sums differ");
        const std::size_t kept = std::min(held2, cap);
        CHECK_MSG(std::memcmp(col.data(), col2.data(), kept * sizeof(std::uint32_t)) == 0, what << ": columns differ");
        CHECK_MSG(std::memcmp(val.data(), val2.data(), kept * sizeof(double)) == 0, what << ": values differ");
        CHECK_MSG(col[cap] == 7u && val[cap] == -1.0, what << ": a store past the room");
      }
    }
  }
}

// The AVX-512F first read on sparse data (simd/double_count_avx512.cpp)
// against the AVX2 loop: maxima, sums and counts of the entries that are not
// zero, bit for bit, on odd column ranges, rows around the eight-row blocks,
// mostly zeros, and a scale.
TEST(stream_count_avx512_gives_the_avx2_maxima_sums_and_counts) {
  const bp::simd::KernelTable* wide = bp::simd::avx512_kernels();
  const bp::simd::KernelTable* avx2 = bp::simd::avx2_kernels();
  if (wide == nullptr || avx2 == nullptr) {
    std::printf("  (skipped here: the CPU lacks %s)\n", avx2 == nullptr ? "AVX2" : "AVX-512F");
    return;
  }
  Rng rng(1920);
  const std::size_t shapes[][4] = {{1, 13, 3, 10},  {7, 21, 1, 20}, {9, 37, 5, 30}, {17, 40, 0, 39},
                                   {16, 45, 2, 45}, {25, 19, 3, 4}, {65, 27, 9, 26}};
  for (const auto& sh : shapes) {
    const std::size_t n = sh[0], m = sh[1], c0 = sh[2], c1 = sh[3];
    std::vector<double> y(n * m);
    for (double& v : y) {
      const double u = rng.uniform();
      v = u < 0.7 ? 0.0 : (u < 0.8 ? std::floor(rng.uniform() * 4.0) : std::tan(3.1 * (rng.uniform() - 0.5)));
      if (rng.uniform() < 0.5) v = -v;
    }
    for (double scale : {1.0, 0.375}) {
      std::vector<double> mx(m, -1), s(m, -1), nz(m, -1), mx2(m, -1), s2(m, -1), nz2(m, -1);
      CHECK(wide->column_max_sum_count_f64(y.data(), n, m, c0, c1, scale, mx.data(), s.data(), nz.data()));
      CHECK(avx2->column_max_sum_count_f64(y.data(), n, m, c0, c1, scale, mx2.data(), s2.data(), nz2.data()));
      const std::string what = std::to_string(n) + "x" + std::to_string(m) + " [" + std::to_string(c0) + ", " +
                               std::to_string(c1) + ") scale " + std::to_string(scale);
      CHECK_MSG(std::memcmp(mx.data(), mx2.data(), m * sizeof(double)) == 0, what << ": maxima differ");
      CHECK_MSG(std::memcmp(s.data(), s2.data(), m * sizeof(double)) == 0, what << ": sums differ");
      CHECK_MSG(std::memcmp(nz.data(), nz2.data(), m * sizeof(double)) == 0, what << ": counts differ");
    }
  }
  std::vector<double> y(40 * 12, 1.0), mx(12), s(12), nz(12);
  y[17 * 12 + 5] = std::nan("");
  CHECK(!wide->column_max_sum_count_f64(y.data(), 40, 12, 0, 12, 1.0, mx.data(), s.data(), nz.data()));
}
