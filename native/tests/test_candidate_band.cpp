// The band's record loop (KernelTable::band_records, candidate_records.hpp)
// against a plain loop: the entries at or above their column's upper level
// counted and summed (plainly in row order over blocks of up to 16 rows,
// each block's sum then added with Neumaier's step), those between the levels
// recorded, each column's in row order; every table (AVX2 and AVX-512F where
// the CPU runs them, and scalar) with the same bits.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "harness.hpp"
#include "kernel_tables.hpp"
#include "record_checks.hpp"
#include "run.hpp"
#include "simd/candidate_records.hpp"
#include "simd/kernel_table.hpp"

using namespace bptest;

namespace {

// The first n records stably sorted by column.
void by_column(std::vector<std::uint32_t>& col, std::vector<double>& val, std::size_t n) {
  std::vector<std::size_t> at(n);
  for (std::size_t e = 0; e < n; ++e) at[e] = e;
  std::stable_sort(at.begin(), at.end(), [&](std::size_t a, std::size_t b) { return col[a] < col[b]; });
  std::vector<std::uint32_t> c(n);
  std::vector<double> v(n);
  for (std::size_t e = 0; e < n; ++e) {
    c[e] = col[at[e]];
    v[e] = val[at[e]];
  }
  std::copy(c.begin(), c.end(), col.begin());
  std::copy(v.begin(), v.end(), val.begin());
}

template <class T>
void check_band(const bp::simd::KernelTable& k, const std::vector<T>& y, std::size_t n, std::size_t m, std::size_t c0,
                std::size_t c1, double scale, const std::vector<double>& lo, const std::vector<double>& hi,
                std::size_t cap, const std::string& what) {
  std::vector<std::uint32_t> col(cap + 1, 7u);
  std::vector<double> val(cap + 1, -1.0), cnt(m, 0.5), s(m, 0.25), c(m, 0.0);
  std::size_t count = 0;
  const std::size_t rows = bp::simd::band_records(k, y.data(), n, m, c0, c1, scale, lo.data(), hi.data(), cnt.data(),
                                                  s.data(), c.data(), col.data(), val.data(), cap, &count);
  std::vector<std::uint32_t> want_col;
  std::vector<double> want_val, want_cnt(m, 0.5), want_s(m, 0.25), want_c(m, 0.0);
  std::size_t want_rows = 0;
  // Blocks of up to 16 rows, as many as the room holds whole; in each, every
  // column's terms summed plainly in row order, then added to its sum.
  const std::size_t width = c1 - c0;
  while (want_rows < n && want_col.size() + width <= cap) {
    const std::size_t block = std::min({std::size_t(16), n - want_rows, (cap - want_col.size()) / width});
    std::vector<double> part(m, 0.0);
    for (std::size_t i = want_rows; i < want_rows + block; ++i)
      for (std::size_t j = c0; j < c1; ++j) {
        const double a = std::fabs(static_cast<double>(y[i * m + j])) * scale;
        if (a >= hi[j]) {
          want_cnt[j] += 1.0;
          part[j] += a;
        } else if (a >= lo[j]) {
          want_col.push_back(static_cast<std::uint32_t>(j));
          want_val.push_back(a);
        }
      }
    for (std::size_t j = c0; j < c1; ++j) {
      const double a = part[j], u = want_s[j] + a;
      // Neumaier, written with the branch: the loops' max/min form must
      // give the same bits for terms >= 0.
      want_c[j] += std::fabs(want_s[j]) >= a ? (want_s[j] - u) + a : (a - u) + want_s[j];
      want_s[j] = u;
    }
    want_rows += block;
  }
  // The loop gives each column's records in row order, the columns in
  // blocks (not the row order across columns): compared by column, stably.
  std::vector<std::uint32_t> by_col(col.begin(), col.end());
  std::vector<double> by_val(val.begin(), val.end());
  by_column(by_col, by_val, std::min(count, cap));
  by_column(want_col, want_val, want_col.size());
  check_same_records(what, rows, want_rows, count, by_col, by_val, want_col, want_val, cap);
  CHECK_MSG(cnt == want_cnt && s == want_s && c == want_c, what << ": counts or sums differ");
}

}  // namespace

// Column ranges around the vector width, infinite levels (columns not
// copied; no upper level), ties at both levels, an empty band, float and
// double, a scale, and a room that refuses rows.
TEST(band_records_match_a_plain_loop) {
  Rng rng(171);
  const std::size_t n = 41, m = 23;
  std::vector<double> y(n * m);
  for (double& v : y) v = std::tan(3.141592653589793 * (rng.uniform() - 0.5));
  for (std::size_t i = 0; i < n; i += 5) y[i * m + 3] = -2.0;  // ties at column 3's lower level
  for (std::size_t i = 2; i < n; i += 6) y[i * m + 6] = 3.0;   // ties at column 6's upper level
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> lo(m), hi(m);
  for (std::size_t j = 0; j < m; ++j) {
    lo[j] = j % 4 == 1 ? inf : 0.25 * static_cast<double>(j % 7);
    hi[j] = j % 5 == 2 ? inf : lo[j] + 1.0 + 0.5 * static_cast<double>(j % 3);
  }
  lo[3] = 2.0;
  hi[6] = 3.0;
  hi[8] = lo[8];  // an empty band: everything from lo up counted
  std::vector<float> yf(y.begin(), y.end());
  if (bp::simd::avx2_kernels() == nullptr)
    std::printf("  (this CPU lacks AVX2: only the scalar band loop is checked)\n");
  else if (bp::simd::avx512_kernels() == nullptr)
    std::printf("  (skipped here: no kernel table has %s)\n", "the AVX-512F band loop");
  for (const bp::simd::KernelTable* k : tables()) {
    const std::string name = k->name;
    for (std::size_t c0 : {0, 1, 3})
      // Widths of whole 8-column blocks (c0 + 8), of a 4-column block and a
      // tail, and of a tail alone (c0 + 3), as well as the matrix's.
      for (std::size_t c1 : {m, m - 2, c0 + 3, c0 + 4, c0 + 5, c0 + 8})
        for (std::size_t cap : {n * m, std::size_t(60), c1 - c0}) {
          const std::string what =
              name + " [" + std::to_string(c0) + ", " + std::to_string(c1) + ") cap " + std::to_string(cap);
          check_band(*k, y, n, m, c0, c1, 1.0, lo, hi, cap, what);
          check_band(*k, y, n, m, c0, c1, 0.25, lo, hi, cap, what + " scaled");
          check_band(*k, yf, n, m, c0, c1, 1.0, lo, hi, cap, what + " float");
        }
  }
}
