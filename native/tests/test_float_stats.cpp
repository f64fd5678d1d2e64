// The float column passes of the exact method (column_stats_f32 and
// column_stats_gap_f32 of the kernel table) in every table against the scalar
// one, byte for byte, at widths that cross the sixteen-lane vectors of the
// AVX-512F loops (float_stats_avx512.cpp) and their masked tails, at scale 1
// (the float-lane loops) and at another scale (the double-lane ones); and the
// below-bound pass's list, column by column; the candidate fill and the
// first read with the top lists.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "harness.hpp"
#include "kernel_tables.hpp"

using namespace bptest;

namespace {

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

// Thresholds a float pass must round up exactly: entries themselves (ties),
// the doubles either side of one, zero, +inf (dead columns), a double below
// the least float above zero and one above the largest float, and their
// negatives (rounded up too, toward zero).
double odd_threshold(Rng& rng, const std::vector<float>& y) {
  const double e = static_cast<double>(std::fabs(y[rng.below(y.size())]));
  switch (rng.below(11)) {
    case 0:
      return e;
    case 1:
      return std::nextafter(e, 0.0);
    case 2:
      return std::nextafter(e, 10.0);
    case 3:
      return 0.0;
    case 4:
      return std::numeric_limits<double>::infinity();
    case 5:
      return 1e-50;
    case 6:
      return 3.5e38;
    case 7:
      return -1.0;
    case 8:
      return -1e-50;
    case 9:
      return -3.5e38;
    default:
      return std::fabs(rng.normal());
  }
}

}  // namespace

TEST(float_stream_passes_match_the_scalar_table_across_vector_widths) {
  Rng rng(4242);
  const bp::simd::KernelTable& ref = bp::simd::scalar_kernels();
  for (std::size_t rows : {1, 8, 13, 16, 21}) {
    // 2100 columns: reads that wide ask for their rows ahead
    // (kAheadMinColumns); 13 rows only (the harness also runs under valgrind).
    for (std::size_t cols : {15, 16, 17, 31, 33, 50, 2100}) {
      if (cols > 64 && rows != 13) continue;
      std::vector<float> y(rows * cols);
      // Magnitudes over 2^-40 .. 2^40: the double sums round, so the
      // compensation carries bits (sums of floats of one scale are exact).
      for (float& v : y) v = static_cast<float>(std::ldexp(rng.normal(), static_cast<int>(rng.below(81)) - 40));
      for (std::size_t i = 0; i < rows; i += 3) y[i * cols + cols / 2] = -y[cols / 2];  // ties down a column
      for (std::size_t c0 : {std::size_t(0), std::size_t(1)}) {
        const std::size_t c1 = cols - c0;
        std::vector<double> mu(cols), lo(cols);
        for (std::size_t j = 0; j < cols; ++j) {
          mu[j] = odd_threshold(rng, y);
          lo[j] = (j + rows) % 5 == 0 ? std::numeric_limits<double>::infinity() : odd_threshold(rng, y);
        }
        // Every lo at +inf: the loops that skip the count.
        const std::vector<double> no_lo(cols, std::numeric_limits<double>::infinity());
        for (const std::vector<double>* l : {static_cast<const std::vector<double>*>(&lo), &no_lo}) {
          for (double scale : {1.0, 0.5}) {
            std::vector<double> kr(cols, -1), sr(cols, -1), cr(cols, -1), nr(cols, -1), lbr(cols, -1), ubr(cols, -1);
            std::vector<double> gk = kr, gs = sr, gc = cr, gn = nr;
            ref.column_stats_gap_f32(y.data(), rows, cols, c0, c1, scale, mu.data(), kr.data(), sr.data(), cr.data(),
                                     l->data(), nr.data(), lbr.data(), ubr.data());
            ref.column_stats_f32(y.data(), rows, cols, c0, c1, scale, mu.data(), gk.data(), gs.data(), gc.data(),
                                 l->data(), gn.data());
            CHECK_MSG(same_bits(gk, kr) && same_bits(gs, sr) && same_bits(gn, nr),
                      "scalar column_stats_f32 differs from its gap variant");
            for (const bp::simd::KernelTable* k : tables()) {
              const std::string what = std::string(k->name) + " rows=" + std::to_string(rows) +
                                       " cols=" + std::to_string(cols) + " c0=" + std::to_string(c0) +
                                       " scale=" + std::to_string(scale);
              std::vector<double> kk(cols, -1), s(cols, -1), c(cols, -1), n(cols, -1), lb(cols, -1), ub(cols, -1);
              k->column_stats_gap_f32(y.data(), rows, cols, c0, c1, scale, mu.data(), kk.data(), s.data(), c.data(),
                                      l->data(), n.data(), lb.data(), ub.data());
              CHECK_MSG(same_bits(kk, kr) && same_bits(s, sr) && same_bits(n, nr), what << ": gap pass statistics");
              CHECK_MSG(same_bits(lb, lbr) && same_bits(ub, ubr), what << ": gap pass gaps");
              std::vector<double> pk(cols, -1), ps(cols, -1), pc(cols, -1), pn(cols, -1);
              k->column_stats_f32(y.data(), rows, cols, c0, c1, scale, mu.data(), pk.data(), ps.data(), pc.data(),
                                  l->data(), pn.data());
              CHECK_MSG(same_bits(pk, kr) && same_bits(ps, sr) && same_bits(pn, nr), what << ": plain pass");
            }
          }
        }
      }
    }
  }
}

// column_stats_below_f32: the statistics of the plain pass at hi, bit for
// bit, and per column the entries below hi in row order (the order across
// columns is the loop's own); with too little room it writes nothing past
// cap and still counts every entry below.
TEST(float_below_pass_matches_the_scalar_table_across_vector_widths) {
  Rng rng(9191);
  const bp::simd::KernelTable& ref = bp::simd::scalar_kernels();
  for (std::size_t rows : {1, 8, 13, 16, 21}) {
    // 2100 columns: reads that wide ask for their rows ahead
    // (kAheadMinColumns); 13 rows only (the harness also runs under valgrind).
    for (std::size_t cols : {15, 16, 17, 31, 33, 50, 2100}) {
      if (cols > 64 && rows != 13) continue;
      std::vector<float> y(rows * cols);
      // Magnitudes over 2^-40 .. 2^40: the double sums round, so the
      // compensation carries bits (sums of floats of one scale are exact).
      for (float& v : y) v = static_cast<float>(std::ldexp(rng.normal(), static_cast<int>(rng.below(81)) - 40));
      for (std::size_t i = 0; i < rows; i += 3) y[i * cols + cols / 2] = -y[cols / 2];
      for (std::size_t c0 : {std::size_t(0), std::size_t(2)}) {
        const std::size_t c1 = cols - c0;
        std::vector<double> hi(cols);
        for (double& h : hi) h = odd_threshold(rng, y);
        for (double scale : {1.0, 0.5}) {
          const std::size_t all = rows * cols;
          std::vector<double> kr(cols, -1), sr(cols, -1), cr(cols, -1), vr(all + 1, -1);
          std::vector<std::uint32_t> colr(all + 1, 0xffffffffu);
          std::size_t heldr = 0;
          ref.column_stats_below_f32(y.data(), rows, cols, c0, c1, scale, hi.data(), kr.data(), sr.data(), cr.data(),
                                     all, colr.data(), vr.data(), &heldr);
          std::vector<std::vector<double>> want(cols);
          for (std::size_t e = 0; e < heldr; ++e) want[colr[e]].push_back(vr[e]);
          for (const bp::simd::KernelTable* k : tables()) {
            const std::string what = std::string(k->name) + " rows=" + std::to_string(rows) +
                                     " cols=" + std::to_string(cols) + " c0=" + std::to_string(c0) +
                                     " scale=" + std::to_string(scale);
            for (std::size_t cap : {all, std::size_t(3)}) {
              std::vector<double> kk(cols, -1), s(cols, -1), c(cols, -1), val(cap + 1, -1);
              std::vector<std::uint32_t> col(cap + 1, 0xffffffffu);
              std::size_t held = 0;
              k->column_stats_below_f32(y.data(), rows, cols, c0, c1, scale, hi.data(), kk.data(), s.data(), c.data(),
                                        cap, col.data(), val.data(), &held);
              CHECK_MSG(same_bits(kk, kr) && same_bits(s, sr), what << ": below pass statistics");
              CHECK_MSG(held == heldr, what << ": held " << held << " of " << heldr);
              CHECK_MSG(val[cap] == -1.0 && col[cap] == 0xffffffffu, what << ": wrote past cap " << cap);
              if (cap < held) continue;
              std::vector<std::vector<double>> got(cols);
              for (std::size_t e = 0; e < held; ++e) got[col[e]].push_back(val[e]);
              CHECK_MSG(got == want, what << ": the list by column");
            }
          }
        }
      }
    }
  }
}

// fill_candidates_f32: every table's fill against the scalar table's and the
// definition (row by row, each column's entries |y| * scale >= bound in row
// order while it has room), byte for byte, at widths across the sixteen-lane
// list of the AVX-512F loop (float_stats_avx512.cpp) and its masked tail,
// with the odd thresholds above and columns that run out of room.
TEST(float_fill_matches_the_scalar_table_across_vector_widths) {
  Rng rng(5151);
  const bp::simd::KernelTable& ref = bp::simd::scalar_kernels();
  if (bp::simd::avx512_kernels() == nullptr)
    std::printf("  (skipped here: no kernel table has %s)\n", "the AVX-512F float fill");
  for (std::size_t rows : {0, 1, 5, 23}) {
    for (std::size_t cols : {1, 15, 16, 17, 31, 33, 50}) {
      std::vector<float> y(rows * cols);
      for (float& v : y) v = static_cast<float>(std::ldexp(rng.normal(), static_cast<int>(rng.below(81)) - 40));
      const std::vector<float> probe = y.empty() ? std::vector<float>{1.0f} : y;
      std::vector<double> bound(cols);
      for (double& b : bound) b = odd_threshold(rng, probe);
      std::vector<std::size_t> cap(cols), cbeg(cols + 1, 0);
      for (std::size_t j = 0; j < cols; ++j) {
        cap[j] = rng.below(rows + 1);
        cbeg[j + 1] = cbeg[j] + cap[j];
      }
      for (double scale : {1.0, 0.5}) {
        std::vector<std::size_t> lenr(cols, 0), lend(cols, 0);
        std::vector<double> outr(cbeg[cols] + 1, -1.0), outd = outr;
        ref.fill_candidates_f32(y.data(), rows, cols, scale, bound.data(), cap.data(), cbeg.data(), lenr.data(),
                                outr.data());
        for (std::size_t i = 0; i < rows; ++i)
          for (std::size_t j = 0; j < cols; ++j) {
            const double a = std::fabs(static_cast<double>(y[i * cols + j])) * scale;
            if (a >= bound[j] && lend[j] < cap[j]) outd[cbeg[j] + lend[j]++] = a;
          }
        CHECK_MSG(same_bits(lend, lenr) && same_bits(outd, outr), "scalar fill against the definition");
        for (const bp::simd::KernelTable* k : tables()) {
          std::vector<std::size_t> len(cols, 0);
          std::vector<double> out(cbeg[cols] + 1, -1.0);
          k->fill_candidates_f32(y.data(), rows, cols, scale, bound.data(), cap.data(), cbeg.data(), len.data(),
                                 out.data());
          CHECK_MSG(same_bits(len, lenr) && same_bits(out, outr),
                    k->name << " fill rows=" << rows << " cols=" << cols << " scale=" << scale);
        }
      }
    }
  }
}

// column_max_sum_top_f32 (the first read with the top lists): every table
// against the scalar one, byte for byte (maxima, sums, the kColumnTop lists),
// at widths across the sixteen lanes of the AVX-512F loop and its masked
// tail, rows in blocks of eight and one by one, ties, columns with fewer
// entries than a list, a column range that starts past 0, two column tiles,
// scale 1 and 0.5, and a NaN (false from every table).
TEST(float_top_read_matches_the_scalar_table_across_vector_widths) {
  Rng rng(6161);
  const bp::simd::KernelTable& ref = bp::simd::scalar_kernels();
  if (bp::simd::avx512_kernels() == nullptr)
    std::printf("  (skipped here: no kernel table has %s)\n", "the AVX-512F float top-list read");
  constexpr std::size_t K = bp::simd::kColumnTop;
  for (std::size_t rows : {1, 5, 8, 13, 16, 21, 40}) {
    // 4113 columns cross the loops' 4096-column tile (13 rows only: the
    // harness also runs under valgrind).
    for (std::size_t cols : {1, 15, 16, 17, 31, 33, 50, 4113}) {
      if (cols > 64 && rows != 13) continue;
      std::vector<float> y(rows * cols);
      for (float& v : y) v = static_cast<float>(std::ldexp(rng.normal(), static_cast<int>(rng.below(81)) - 40));
      for (std::size_t i = 0; i < rows; i += 3) y[i * cols + cols / 2] = -y[cols / 2];  // ties down a column
      for (std::size_t c0 : {std::size_t(0), std::size_t(1)}) {
        if (c0 >= cols) continue;
        for (double scale : {1.0, 0.5}) {
          std::vector<double> mxr(cols, -1), sr(cols, -1);
          std::vector<float> topr(cols * K, -1.0f);
          const bool okr =
              ref.column_max_sum_top_f32(y.data(), rows, cols, c0, cols, scale, mxr.data(), sr.data(), topr.data());
          CHECK_MSG(okr, "scalar top read saw a NaN");
          for (const bp::simd::KernelTable* k : tables()) {
            std::vector<double> mx(cols, -1), s(cols, -1);
            std::vector<float> top(cols * K, -1.0f);
            const bool ok =
                k->column_max_sum_top_f32(y.data(), rows, cols, c0, cols, scale, mx.data(), s.data(), top.data());
            CHECK_MSG(ok && same_bits(mx, mxr) && same_bits(s, sr) && same_bits(top, topr),
                      k->name << " top read rows=" << rows << " cols=" << cols << " c0=" << c0 << " scale=" << scale);
          }
        }
      }
      std::vector<float> bad = y;
      bad[rng.below(bad.size())] = std::numeric_limits<float>::quiet_NaN();
      for (const bp::simd::KernelTable* k : tables()) {
        std::vector<double> mx(cols), s(cols);
        std::vector<float> top(cols * K);
        CHECK_MSG(!k->column_max_sum_top_f32(bad.data(), rows, cols, 0, cols, 1.0, mx.data(), s.data(), top.data()),
                  k->name << " top read missed a NaN");
      }
    }
  }
}

// The float first read on sparse data (column_max_sum_count_f32): every table
// against the scalar one, bit for bit, at widths across the sixteen lanes and
// the tail, ranges starting past 0, rows in blocks of eight and the rows
// left, zeros of both signs, scale 1 and 0.5, two column tiles (4096
// columns), and a NaN.
TEST(float_count_read_matches_the_scalar_table_across_vector_widths) {
  Rng rng(7272);
  const bp::simd::KernelTable& ref = bp::simd::scalar_kernels();
  if (bp::simd::avx512_kernels() == nullptr)
    std::printf("  (skipped here: no kernel table has %s)\n", "the AVX-512F float counted first read");
  const std::pair<std::size_t, std::size_t> shapes[] = {{1, 1},   {5, 15},  {8, 16}, {13, 17}, {16, 31},
                                                        {21, 33}, {40, 50}, {3, 7},  {9, 4113}};
  for (const auto& [rows, cols] : shapes) {
    std::vector<float> y(rows * cols);
    for (float& v : y) {
      const auto r = rng.below(5);
      v = r == 0   ? 0.0f
          : r == 1 ? -0.0f
                   : static_cast<float>(std::ldexp(rng.normal(), static_cast<int>(rng.below(81)) - 40));
    }
    for (std::size_t c0 : {std::size_t(0), std::size_t(1), std::size_t(3)}) {
      if (c0 >= cols) continue;
      for (std::size_t c1 : {cols, cols - (cols > c0 + 1 ? 1 : 0)}) {
        for (double scale : {1.0, 0.5}) {
          std::vector<double> mxr(cols, -1), sr(cols, -1), nzr(cols, -1);
          const bool okr =
              ref.column_max_sum_count_f32(y.data(), rows, cols, c0, c1, scale, mxr.data(), sr.data(), nzr.data());
          CHECK_MSG(okr, "scalar counted read saw a NaN");
          for (const bp::simd::KernelTable* k : tables()) {
            std::vector<double> mx(cols, -1), s(cols, -1), nz(cols, -1);
            const bool ok =
                k->column_max_sum_count_f32(y.data(), rows, cols, c0, c1, scale, mx.data(), s.data(), nz.data());
            CHECK_MSG(ok && same_bits(mx, mxr) && same_bits(s, sr) && same_bits(nz, nzr),
                      k->name << " counted read rows=" << rows << " cols=" << cols << " c0=" << c0 << " c1=" << c1
                              << " scale=" << scale);
          }
        }
      }
    }
    std::vector<float> bad = y;
    bad[rng.below(bad.size())] = std::numeric_limits<float>::quiet_NaN();
    for (const bp::simd::KernelTable* k : tables()) {
      std::vector<double> mx(cols), s(cols), nz(cols);
      CHECK_MSG(!k->column_max_sum_count_f32(bad.data(), rows, cols, 0, cols, 1.0, mx.data(), s.data(), nz.data()),
                k->name << " counted read missed a NaN");
    }
  }
}
