// The first pass with each column's top entries (column_topk.hpp) and the
// solver on those lists (topk_thresholds.hpp): the pass gives the maxima and
// sums of the plain pass bit for bit and the true top entries, in every
// dispatch table; the solver is taken at large radii, gathers the columns
// whose lists do not reach their threshold (ties at the floor included),
// gives way to the other strategies when too many fail, and agrees with 'sort'.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "column_topk.hpp"
#include "exact_stream.hpp"
#include "harness.hpp"
#include "kernel_tables.hpp"
#include "numeric.hpp"
#include "parallel.hpp"
#include "record_checks.hpp"
#include "run.hpp"
#include "simd/candidate_records.hpp"
#include "stream_checks.hpp"
#include "topk_thresholds.hpp"

using namespace bptest;

namespace {

constexpr std::size_t K = bp::kColumnTop;

template <class T>
void check_top_pass(const bp::simd::KernelTable& kt, const std::vector<T>& y, std::size_t n, std::size_t m,
                    double scale, const std::string& what) {
  std::vector<double> mx(m, -1), s(m, -1), mx0(m, -2), s0(m, -2);
  std::vector<T> top(m * K, T(-1));
  bool ok, ok0;
  if constexpr (std::is_same_v<T, float>) {
    ok = kt.column_max_sum_top_f32(y.data(), n, m, 0, m, scale, mx.data(), s.data(), top.data());
    ok0 = kt.column_max_sum_f32(y.data(), n, m, 0, m, scale, mx0.data(), s0.data());
  } else {
    ok = kt.column_max_sum_top_f64(y.data(), n, m, 0, m, scale, mx.data(), s.data(), top.data());
    ok0 = kt.column_max_sum_f64(y.data(), n, m, 0, m, scale, mx0.data(), s0.data());
  }
  CHECK_MSG(ok && ok0, what << ": NaN reported");
  CHECK_MSG(mx == mx0, what << " (" << kt.name << "): maxima differ from the plain pass");
  CHECK_MSG(s == s0, what << " (" << kt.name << "): sums differ from the plain pass");
  for (std::size_t j = 0; j < m; ++j) {
    std::vector<T> col(std::max(n, K), T(0));
    for (std::size_t i = 0; i < n; ++i) col[i] = std::fabs(y[i * m + j]);
    std::sort(col.begin(), col.end(), std::greater<T>());
    for (std::size_t q = 0; q < K; ++q)
      CHECK_MSG(top[j * K + q] == col[q], what << " (" << kt.name << "): column " << j << " entry " << q << ": "
                                               << top[j * K + q] << " vs " << col[q]);
  }
}

// The records of candidate_records against a plain loop: every entry of
// columns [c0, c1) reaching its bound, row after row, and the rows refused
// once a row might not fit in cap.
template <class T>
void check_records(const bp::simd::KernelTable& k, const std::vector<T>& y, std::size_t n, std::size_t m,
                   std::size_t c0, std::size_t c1, double scale, const std::vector<double>& bound, std::size_t cap,
                   const std::string& what) {
  std::vector<std::uint32_t> col(cap + 1, 7u);
  std::vector<double> val(cap + 1, -1.0);
  std::size_t count = 0;
  const std::size_t rows =
      bp::simd::candidate_records(k, y.data(), n, m, c0, c1, scale, bound.data(), col.data(), val.data(), cap, &count);
  std::vector<std::uint32_t> want_col;
  std::vector<double> want_val;
  std::size_t want_rows = 0;
  for (std::size_t i = 0; i < n && want_col.size() + (c1 - c0) <= cap; ++i, ++want_rows)
    for (std::size_t j = c0; j < c1; ++j) {
      const double a = std::fabs(static_cast<double>(y[i * m + j])) * scale;
      if (a >= bound[j]) {
        want_col.push_back(static_cast<std::uint32_t>(j));
        want_val.push_back(a);
      }
    }
  check_same_records(what, rows, want_rows, count, col, val, want_col, want_val, cap);
}

}  // namespace

// The record copy's loops (AVX2 where the CPU runs it, and scalar): column
// ranges around the vector width, infinite bounds (columns not copied), ties
// at the bound, float and double, a scale, and a room that refuses rows.
TEST(candidate_records_match_a_plain_loop) {
  Rng rng(157);
  const std::size_t n = 37, m = 23;
  std::vector<double> y(n * m);
  for (double& v : y) v = std::tan(3.141592653589793 * (rng.uniform() - 0.5));
  for (std::size_t i = 0; i < n; i += 5) y[i * m + 3] = -2.0;  // ties at column 3's bound
  std::vector<double> bound(m);
  for (std::size_t j = 0; j < m; ++j)
    bound[j] = j % 4 == 1 ? std::numeric_limits<double>::infinity() : 0.5 * static_cast<double>(j % 7);
  bound[3] = 2.0;
  std::vector<float> yf(y.begin(), y.end());
  for (const bp::simd::KernelTable* k : {&bp::simd::kernels(), &bp::simd::scalar_kernels()}) {
    const std::string name = k->name;
    for (std::size_t c0 : {0, 1, 3})
      for (std::size_t c1 : {m, m - 2, c0 + 4, c0 + 5})
        for (std::size_t cap : {n * m, std::size_t(60), c1 - c0}) {
          const std::string what =
              name + " [" + std::to_string(c0) + ", " + std::to_string(c1) + ") cap " + std::to_string(cap);
          check_records(*k, y, n, m, c0, c1, 1.0, bound, cap, what);
          check_records(*k, y, n, m, c0, c1, 0.25, bound, cap, what + " scaled");
          check_records(*k, yf, n, m, c0, c1, 1.0, bound, cap, what + " float");
        }
  }
}

// The copy by index (KernelTable::ColumnSegments) against the one-at-a-time
// loop: every table, float and double, a scale, row counts around the four-row
// step, columns in any order, ties at the bounds, and segments whose room
// runs out mid-step (their last slots and the spare one), so that the vector
// step's fallback decides where a full segment stops. The second set of
// columns holds at most half of the cache lines it spans (in doubles and in
// floats), so from 64 rows on the AVX2 loop walks it down blocks of rows, a
// column at a time (columns_sparse_in_rows, simd/candidate_records.cpp):
// row counts of one block, two and a tail.
TEST(column_segments_match_a_plain_loop) {
  Rng rng(161);
  struct Set {
    std::size_t m;
    std::vector<std::size_t> cols;
  };
  const Set sets[] = {{29, {7, 0, 3, 28, 12, 13, 5, 21, 9}}, {200, {7, 50, 51, 120, 121, 140, 199}}};
  for (const Set& set : sets)
    for (std::size_t n : {0, 1, 3, 4, 5, 9, 38, 64, 67, 130}) {
      const std::size_t m = set.m;
      std::vector<double> y(n * m);
      for (double& v : y) v = std::tan(3.141592653589793 * (rng.uniform() - 0.5));
      for (std::size_t i = 0; i < n; i += 3) y[i * m + 7] = -1.5;  // ties at column 7's bound
      std::vector<float> yf(y.begin(), y.end());
      const std::vector<std::size_t>& cols = set.cols;
      const std::size_t nf = cols.size();
      constexpr std::size_t kGuard = 8;  // a stray store past a segment's spare slot shows there
      std::vector<double> bound(nf);
      for (std::size_t f = 0; f < nf; ++f) bound[f] = 0.4 * static_cast<double>(f % 5);
      bound[0] = 1.5;
      // Segments of each room from 0 (only the spare slot) to n, one slot apart.
      for (std::size_t shrink : {0, 1, 2, 3, 5, 11, 29}) {
        std::vector<std::size_t> beg(nf), end(nf);
        std::size_t size = 0;
        for (std::size_t f = 0; f < nf; ++f) {
          const std::size_t room = n > shrink * f ? n - shrink * f : 0;
          beg[f] = size;
          end[f] = size + room;
          size += room + 1 + kGuard;  // the spare slot, then guards no call may write
        }
        for (double scale : {1.0, 0.25})
          for (int as_float = 0; as_float < 2; ++as_float) {
            std::vector<double> want(size, -7.0);
            std::vector<std::size_t> want_pos(beg);
            for (std::size_t i = 0; i < n; ++i)
              for (std::size_t f = 0; f < nf; ++f) {
                const double v = as_float ? static_cast<double>(yf[i * m + cols[f]]) : y[i * m + cols[f]];
                const double a = std::fabs(v) * scale;
                want[want_pos[f]] = a;
                want_pos[f] += (a >= bound[f] && want_pos[f] < end[f]) ? 1 : 0;
              }
            for (const bp::simd::KernelTable* k : tables()) {
              std::vector<double> got(size, -7.0);
              std::vector<std::size_t> pos(beg);
              if (as_float)
                bp::simd::column_segments(*k, yf.data(), n, m, cols.data(), nf, scale, bound.data(), pos.data(),
                                          end.data(), got.data());
              else
                bp::simd::column_segments(*k, y.data(), n, m, cols.data(), nf, scale, bound.data(), pos.data(),
                                          end.data(), got.data());
              const std::string what = std::string(k->name) + " m " + std::to_string(m) + " n " + std::to_string(n) +
                                       " shrink " + std::to_string(shrink) + " scale " + std::to_string(scale) +
                                       (as_float ? " float" : " double");
              CHECK_MSG(pos == want_pos, what << ": the slots differ");
              for (std::size_t f = 0; f < nf; ++f)
                for (std::size_t e = beg[f]; e < want_pos[f]; ++e)
                  CHECK_MSG(got[e] == want[e], what << ": column " << cols[f] << " slot " << e - beg[f]);
              for (std::size_t f = 0; f < nf; ++f)
                for (std::size_t e = end[f] + 1; e <= end[f] + kGuard; ++e)
                  CHECK_MSG(got[e] == -7.0, what << ": column " << cols[f] << " wrote guard " << e - end[f]);
            }
          }
      }
    }
}

// The held groups' sums, four segments at a time (a common prefix, then
// each segment's own tail), give the bits of a CompensatedSum over each
// segment in order: lengths 0..40 mixed within each four, counts that leave
// one to three segments to the one-at-a-time tail, entries >= 0 spread over
// 2^-40..2^40 (so the compensation carries most of the small ones).
TEST(topk_nonneg_sums_match_a_compensated_sum_per_segment) {
  Rng rng(160);
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t count = rng.below(14);
    std::vector<std::vector<double>> seg(count);
    std::vector<const double*> at(count);
    std::vector<std::size_t> len(count);
    for (std::size_t g = 0; g < count; ++g) {
      len[g] = rng.below(41);
      for (std::size_t e = 0; e < len[g]; ++e)
        seg[g].push_back(rng.below(16) == 0 ? 0.0
                                            : std::ldexp(1.0 + rng.uniform(), static_cast<int>(rng.below(81)) - 40));
      at[g] = seg[g].data();
    }
    std::vector<double> out(count, -1.0);
    bp::detail::nonneg_sums_of(count, at.data(), len.data(), out.data());
    for (std::size_t g = 0; g < count; ++g) {
      bp::CompensatedSum ref;
      for (double v : seg[g]) ref.add(v);
      std::uint64_t got_bits, ref_bits;
      const double want = ref.value();
      std::memcpy(&got_bits, &out[g], sizeof got_bits);
      std::memcpy(&ref_bits, &want, sizeof ref_bits);
      CHECK_MSG(got_bits == ref_bits, "trial " << trial << " segment " << g << " of " << count << " (length " << len[g]
                                               << "): bits " << got_bits << " vs " << ref_bits);
    }
  }
}

// Row counts around the eight-row blocks, column counts around the vector
// widths and the tiles, ties, zeros, columns shorter than the list, and a
// scale: the maxima and sums are the plain pass's bits, the lists the true
// top entries.
TEST(topk_pass_matches_the_plain_pass_and_the_true_top_entries) {
  Rng rng(150);
  const std::size_t shapes[][2] = {{1, 5}, {3, 9}, {7, 17}, {8, 8}, {9, 33}, {61, 13}, {24, 4099}, {17, 4103}};
  for (const auto& sh : shapes) {
    const std::size_t n = sh[0], m = sh[1];
    std::vector<double> y(n * m);
    for (double& v : y) {
      const double u = rng.uniform();
      // A few values only, so ties (at the floor too) are common; some zeros.
      v = u < 0.2 ? 0.0 : (u < 0.6 ? std::floor(rng.uniform() * 5.0) : rng.normal()) * (rng.uniform() < 0.5 ? -1 : 1);
    }
    std::vector<float> yf(y.begin(), y.end());
    for (const bp::simd::KernelTable* kt : tables()) {
      const std::string what = std::to_string(n) + "x" + std::to_string(m);
      check_top_pass(*kt, y, n, m, 1.0, what);
      check_top_pass(*kt, y, n, m, 0.25, what + " scaled");
      check_top_pass(*kt, yf, n, m, 1.0, what + " float");
    }
  }
}

TEST(topk_pass_reports_nan) {
  std::vector<double> y(40 * 12, 1.0);
  y[17 * 12 + 5] = std::nan("");
  for (const bp::simd::KernelTable* kt : tables()) {
    std::vector<double> mx(12), s(12), top(12 * K);
    CHECK(!kt->column_max_sum_top_f64(y.data(), 40, 12, 0, 12, 1.0, mx.data(), s.data(), top.data()));
  }
}

// Large radii on Gaussian data: every column's active set is inside its
// list, so the lists settle the problem with no column gathered.
TEST(topk_settles_large_radii_from_the_lists_alone) {
  Rng rng(151);
  for (double r : {0.9, 0.99}) {
    const std::size_t n = 600, m = 300;
    std::vector<double> y = random_matrix(rng, n, m, 1);
    const double eta = r * l1inf_cols(y, n, m);
    expect_stream_as_sort(y, n, m, false, eta, "gauss " + std::to_string(r));
    (void)run(Method::kStream, y, n, m, false, eta);
    const bp::TopkTrace tr = bp::last_topk_trace();
    CHECK_MSG(tr.tried && tr.solved && tr.whole == 0 && tr.rounds == 1,
              "r " << r << ": tried " << tr.tried << " solved " << tr.solved << " whole " << tr.whole);
    const bp::StreamTrace st = bp::last_stream_trace();
    CHECK_MSG(st.full_passes == 0 && !st.compacted, "passes " << st.full_passes);
    std::vector<float> yf(y.begin(), y.end());
    expect_stream_as_sort(yf, n, m, false, eta, "float gauss " + std::to_string(r));
    (void)run(Method::kStream, yf, n, m, false, eta);
    CHECK(bp::last_topk_trace().solved);
  }
}

// Columns whose active set is longer than the list fail the check and are
// gathered whole: a few columns hold twenty entries equal to their maximum
// (so the list's floor ties with entries left out), others a long run of
// near-equal large entries.
TEST(topk_gathers_the_columns_that_fail_the_check) {
  Rng rng(152);
  const std::size_t n = 500, m = 200;
  std::vector<double> y = random_matrix(rng, n, m, 1);
  for (std::size_t j = 0; j < 6; ++j)
    for (std::size_t t = 0; t < 20; ++t) y[(t * 17 + j) % n * m + j * 31 % m] = 4.0;
  for (std::size_t t = 0; t < 40; ++t) y[(t * 7) * m + 100] = 3.5 + 1e-3 * static_cast<double>(t);
  for (double r : {0.9, 0.95}) {
    const double eta = r * l1inf_cols(y, n, m);
    expect_stream_as_sort(y, n, m, false, eta, "ties at the floor, r " + std::to_string(r));
    (void)run(Method::kStream, y, n, m, false, eta);
    const bp::TopkTrace tr = bp::last_topk_trace();
    CHECK_MSG(tr.solved && tr.whole >= 1 && tr.rounds >= 2,
              "r " << r << ": solved " << tr.solved << " whole " << tr.whole << " rounds " << tr.rounds);
    expect_stream_thread_free(y, n, m, eta, "ties at the floor");
    // The float copy by index gathers them too (its own kernel-table loop).
    std::vector<float> f(y.begin(), y.end());
    expect_stream_as_sort(f, n, m, false, eta, "ties at the floor float32, r " + std::to_string(r));
    (void)run(Method::kStream, f, n, m, false, eta);
    CHECK_MSG(bp::last_topk_trace().whole >= 1, "float32 r " << r << ": whole " << bp::last_topk_trace().whole);
  }
}

// Where most columns need more than their list (uniform data, or middle
// radii) the solver gives way after its cheap solve on the lists, and the
// other strategies give the answer.
TEST(topk_gives_way_when_many_columns_fail) {
  Rng rng(153);
  const std::size_t n = 600, m = 300;
  std::vector<double> y(n * m);
  for (double& v : y) v = rng.uniform();
  for (double r : {0.9, 0.5, 0.1}) {
    const double eta = r * l1inf_cols(y, n, m);
    expect_stream_as_sort(y, n, m, false, eta, "uniform " + std::to_string(r));
    (void)run(Method::kStream, y, n, m, false, eta);
    const bp::TopkTrace tr = bp::last_topk_trace();
    CHECK_MSG(!tr.solved, "uniform r " << r << ": the lists settled it");
  }
}

// When the lists give way after a solve (too many columns fail), that
// solve's theta and thresholds start the column passes; switched off, the
// passes start from the envelope. Both agree with 'sort', at any thread
// count, and the start saves passes on Gaussian data at middle radii.
TEST(topk_hands_its_solve_to_the_passes_when_it_gives_way) {
  Rng rng(157);
  const std::size_t n = 600, m = 300;
  int handed = 0, fewer = 0;
  for (int kind = 0; kind < 2; ++kind) {
    std::vector<double> y(n * m);
    for (double& v : y) v = kind == 0 ? rng.uniform() : rng.normal();
    for (double r : {0.5, 0.9}) {
      const double eta = r * l1inf_cols(y, n, m);
      int passes[2] = {0, 0};
      for (bool on : {true, false}) {
        const std::string what =
            "kind " + std::to_string(kind) + " r " + std::to_string(r) + (on ? " handed" : " from the envelope");
        const bool was = bp::set_topk_hand_start(on);
        expect_stream_as_sort(y, n, m, false, eta, what);
        const bp::TopkTrace tr = expect_thread_free(y, n, m, eta, what, &bp::last_topk_trace);
        if (kind == 1 && r == 0.5) {  // float data takes the same start (once: valgrind runs every test)
          std::vector<float> yf(y.begin(), y.end());
          expect_stream_as_sort(yf, n, m, false, eta, "float " + what);
        }
        const unsigned limit = bp::set_thread_limit(1);
        (void)run(Method::kStream, y, n, m, false, eta);
        passes[on ? 0 : 1] = bp::last_stream_trace().full_passes;
        bp::set_thread_limit(limit);
        bp::set_topk_hand_start(was);
        if (on && tr.tried && !tr.solved && tr.passes > 0) ++handed;
      }
      if (passes[0] < passes[1]) ++fewer;
    }
  }
  CHECK_MSG(handed >= 2, "the lists gave way after a solve " << handed << " times");
  CHECK_MSG(fewer >= 1, "the handed start saved passes " << fewer << " times");
}

// Every radius and kind at small shapes (columns as short as the list and a
// little longer included): the answer is 'sort''s whichever path is taken.
TEST(topk_agrees_with_sort_across_kinds_and_radii) {
  Rng rng(154);
  const std::size_t shapes[][2] = {{9, 50}, {16, 40}, {64, 300}, {300, 64}};
  for (const auto& sh : shapes) {
    const std::size_t n = sh[0], m = sh[1];
    for (int kind = 0; kind < 4; ++kind) {
      std::vector<double> y(n * m);
      for (double& v : y) {
        const double u = rng.uniform();
        v = kind == 0   ? u
            : kind == 1 ? rng.normal()
            : kind == 2 ? std::tan(3.141592653589793 * (u - 0.5))
                        : (u < 0.9 ? 0.0 : rng.normal());
      }
      for (double r : {0.3, 0.6, 0.8, 0.9, 0.97, 0.999}) {
        const double eta = r * l1inf_cols(y, n, m);
        expect_stream_as_sort(
            y, n, m, false, eta,
            std::to_string(n) + "x" + std::to_string(m) + " kind " + std::to_string(kind) + " r " + std::to_string(r));
      }
    }
  }
}

// Heavy tails at large radii in long columns: too many columns need more
// than their list to gather them whole, so bounds of mu_j* from the lists
// pick candidates, one read copies them, and the columns that still fail
// are gathered whole. Every path agrees with 'sort', at any thread count,
// for double and float.
TEST(topk_copies_candidates_of_the_failing_columns) {
  // The whole-column round after the candidates is what this test forces:
  // columns at risk are left to it (the test below covers them).
  const bool risk_was = bp::set_topk_at_risk(false);
  Rng rng(155);
  int by_candidates = 0, then_whole = 0, trimmed = 0;
  // The record copy at three threads, in float, and the untrimmed solve are
  // checked on the first cases only (the valgrind run of CI is long).
  constexpr int kDeepCases = 3;
  const std::size_t shapes[][2] = {{600, 300}, {520, 400}, {1000, 200}};
  for (const auto& sh : shapes) {
    const std::size_t n = sh[0], m = sh[1];
    for (int trial = 0; trial < 2; ++trial) {
      std::vector<double> y(n * m);
      for (double& v : y) v = std::tan(3.141592653589793 * (rng.uniform() - 0.5));
      for (double r : {0.85, 0.9, 0.95}) {
        const double eta = r * l1inf_cols(y, n, m);
        const std::string what = std::to_string(n) + "x" + std::to_string(m) + " cauchy " + std::to_string(r);
        expect_stream_as_sort(y, n, m, false, eta, what);
        Result<double> one;
        const bp::TopkTrace tr = expect_thread_free(y, n, m, eta, what, &bp::last_topk_trace, &one);
        if (tr.solved && tr.candidates > 0) {
          ++by_candidates;
          CHECK_MSG(tr.overflow == 0, what << ": a candidate segment overflowed its Markov room");
          if (tr.whole > 0) ++then_whole;
          // Either copy of the candidates (chosen by their room) holds the
          // same entries: forced each way, the bytes of the auto run, which
          // agreed with 'sort' above.
          for (bp::TopkCopy how : {bp::TopkCopy::kByIndex, bp::TopkCopy::kByRows, bp::TopkCopy::kByRecords}) {
            const bp::TopkCopy was = bp::set_topk_copy(how);
            const unsigned limit = bp::set_thread_limit(1);  // the trace is this thread's
            Result<double> forced = run(Method::kStream, y, n, m, false, eta);
            const bp::TopkTrace ft = bp::last_topk_trace();
            bp::set_thread_limit(limit);
            CHECK_MSG(ft.candidates > 0 && ft.by_rows == (how == bp::TopkCopy::kByRows) &&
                          ft.by_records == (how == bp::TopkCopy::kByRecords),
                      what << ": copy forced " << static_cast<int>(how) << ", by rows " << ft.by_rows << ", by records "
                           << ft.by_records);
            CHECK_MSG(forced.out == one.out && forced.radii == one.radii, what << ": the copies differ");
            if (how == bp::TopkCopy::kByRecords && by_candidates <= kDeepCases) {
              // Split into parts at three threads: the same bytes.
              (void)expect_thread_free(y, n, m, eta, what + " by records", &bp::last_topk_trace);
              std::vector<float> yf(y.begin(), y.end());
              expect_stream_as_sort(yf, n, m, false, eta, "float by records " + what);
            }
            bp::set_topk_copy(was);
          }
          std::vector<float> yf(y.begin(), y.end());
          expect_stream_as_sort(yf, n, m, false, eta, "float " + what);
          // The solver trims the candidates below its tangent bounds (auto)
          // or keeps them all: both agree with 'sort'.
          if (tr.trimmed > 0) ++trimmed;
          if (by_candidates <= kDeepCases) {
            const bool trim_was = bp::set_topk_trim(false);
            expect_stream_as_sort(y, n, m, false, eta, what + " untrimmed");
            const unsigned limit = bp::set_thread_limit(1);
            (void)run(Method::kStream, y, n, m, false, eta);
            const bp::TopkTrace ut = bp::last_topk_trace();
            bp::set_thread_limit(limit);
            bp::set_topk_trim(trim_was);
            CHECK_MSG(ut.trimmed == 0 && ut.candidates > 0, what << ": trimmed while switched off");
          }
        }
      }
    }
  }
  CHECK_MSG(by_candidates >= 2, "settled through candidates " << by_candidates << " times");
  CHECK_MSG(trimmed >= 1, "candidates trimmed " << trimmed << " times");
  bp::set_topk_at_risk(risk_was);
  CHECK_MSG(then_whole >= 1, "candidates then whole columns " << then_whole << " times");
}

// A candidates' room past half the entries (up to five eighths, and at most
// nine tenths of the failing columns' own entries) is copied rather than
// given way to the column passes (docs/exact-stream.md, round eight), for
// doubles: the copy, by records, agrees with 'sort' at any thread count;
// switched off, the lists give way and the passes agree too. Floats keep
// the half rule: the lists give way.
TEST(topk_copies_a_room_past_half_the_entries) {
  struct Case {
    std::uint64_t seed;
    std::size_t n, m;
    double r;
  };
  const Case cases[] = {{6, 520, 400, 0.95}, {12, 1000, 200, 0.9}};
  for (const Case& c : cases) {
    Rng rng(c.seed);
    std::vector<double> y(c.n * c.m);
    for (double& v : y) v = std::tan(3.141592653589793 * (rng.uniform() - 0.5));
    const double eta = c.r * l1inf_cols(y, c.n, c.m);
    const std::string what = std::to_string(c.n) + "x" + std::to_string(c.m) + " cauchy seed " +
                             std::to_string(c.seed) + " r " + std::to_string(c.r);
    expect_stream_as_sort(y, c.n, c.m, false, eta, what);
    const bp::TopkTrace tr = expect_thread_free(y, c.n, c.m, eta, what, &bp::last_topk_trace);
    CHECK_MSG(tr.solved && tr.wide_room && 2 * tr.candidates > c.n * c.m,
              what << ": solved " << tr.solved << ", wide room " << tr.wide_room << ", room " << tr.candidates);
    std::vector<float> yf(y.begin(), y.end());
    expect_stream_as_sort(yf, c.n, c.m, false, eta, "float " + what);
    const unsigned limit = bp::set_thread_limit(1);  // the trace is this thread's
    (void)run(Method::kStream, yf, c.n, c.m, false, eta);
    const bp::TopkTrace ft = bp::last_topk_trace();
    // Given way at the room's rule (past half), not earlier.
    CHECK_MSG(ft.tried && !ft.solved && !ft.wide_room && 2 * ft.candidates > c.n * c.m,
              "float " << what << ": took the wide room, or gave way before the room (" << ft.candidates << ")");
    const bool was = bp::set_topk_wide_room(false);
    expect_stream_as_sort(y, c.n, c.m, false, eta, what + ", wide room off");
    (void)run(Method::kStream, y, c.n, c.m, false, eta);
    const bp::TopkTrace off = bp::last_topk_trace();
    bp::set_thread_limit(limit);
    bp::set_topk_wide_room(was);
    CHECK_MSG(
        !off.solved && !off.wide_room && 2 * off.candidates > c.n * c.m,
        what << ": the lists did not give way at the room's rule with the wide room off (" << off.candidates << ")");
  }
}

// The columns that pass the lists' check but whose list root at the upper
// bound of theta is at or below their floor are copied with the failing
// ones (at risk) or left to be gathered whole in a later round: both agree
// with 'sort', at any thread count, and each setting is taken.
TEST(topk_copies_the_columns_at_risk_or_gathers_them_later) {
  Rng rng(271);
  int at_risk = 0, left_whole = 0;
  const std::size_t n = 600, m = 300;
  for (int trial = 0; trial < 3; ++trial) {
    std::vector<double> y(n * m);
    for (double& v : y) v = std::tan(3.141592653589793 * (rng.uniform() - 0.5));
    for (double r : {0.85, 0.9, 0.95}) {
      const double eta = r * l1inf_cols(y, n, m);
      for (bool on : {true, false}) {
        const std::string what = "cauchy " + std::to_string(r) + (on ? " at risk copied" : " at risk left");
        const bool was = bp::set_topk_at_risk(on);
        expect_stream_as_sort(y, n, m, false, eta, what);
        const bp::TopkTrace tr = expect_thread_free(y, n, m, eta, what, &bp::last_topk_trace);
        std::vector<float> yf(y.begin(), y.end());
        expect_stream_as_sort(yf, n, m, false, eta, "float " + what);
        bp::set_topk_at_risk(was);
        CHECK_MSG(on || tr.at_risk == 0, what << ": columns at risk copied while switched off");
        if (tr.solved && tr.candidates > 0) {
          if (tr.at_risk > 0) ++at_risk;
          if (!on && tr.whole > 0) ++left_whole;
        }
      }
    }
  }
  CHECK_MSG(at_risk >= 1, "columns at risk copied " << at_risk << " times");
  CHECK_MSG(left_whole >= 1, "switched off, columns gathered whole " << left_whole << " times");
}

// Entries near the top of the double range: the sums are taken scaled down
// (a power of two), and the lists, kept raw by the pass, are scaled the
// same way before Newton.
TEST(topk_handles_scaled_problems) {
  Rng rng(156);
  const std::size_t n = 300, m = 200;
  std::vector<double> y = random_matrix(rng, n, m, 1);
  for (double& v : y) v *= 1e303;
  const double eta = 0.9 * l1inf_cols(y, n, m);
  expect_stream_as_sort(y, n, m, false, eta, "gauss x 1e303, 0.9");
  (void)run(Method::kStream, y, n, m, false, eta);
  const bp::TopkTrace tr = bp::last_topk_trace();
  CHECK_MSG(tr.solved, "the lists did not settle the scaled problem: tried " << tr.tried << " failed " << tr.failed
                                                                             << " rounds " << tr.rounds);
}

// The AVX-512F first read with the top lists (simd/double_top_avx512.cpp)
// against the AVX2 loop on column ranges that start and end off the vector
// widths, across a tile's end, with row counts around the eight-row blocks
// and a scale: the same bytes (maxima, sums, lists); a NaN reported by both.
TEST(topk_pass_avx512_gives_the_avx2_bytes_on_odd_ranges) {
  const bp::simd::KernelTable* wide = bp::simd::avx512_kernels();
  const bp::simd::KernelTable* avx2 = bp::simd::avx2_kernels();
  if (wide == nullptr || avx2 == nullptr) {
    std::printf("  (skipped here: the CPU lacks %s)\n", avx2 == nullptr ? "AVX2" : "AVX-512F");
    return;
  }
  Rng rng(1913);
  const std::size_t shapes[][4] = {{1, 13, 3, 10},      {7, 21, 1, 20}, {9, 37, 5, 30}, {17, 40, 0, 39},
                                   {23, 4110, 2, 4107}, {64, 19, 3, 4}, {65, 27, 9, 26}};
  for (const auto& sh : shapes) {
    const std::size_t n = sh[0], m = sh[1], c0 = sh[2], c1 = sh[3];
    std::vector<double> y(n * m);
    for (double& v : y) {
      const double u = rng.uniform();
      v = u < 0.2 ? 0.0 : (u < 0.5 ? std::floor(rng.uniform() * 4.0) : std::tan(3.1 * (rng.uniform() - 0.5)));
      if (rng.uniform() < 0.5) v = -v;
    }
    for (double scale : {1.0, 0.375}) {
      std::vector<double> mx(m, -1), s(m, -1), top(m * K, -1), mx2(m, -1), s2(m, -1), top2(m * K, -1);
      CHECK(wide->column_max_sum_top_f64(y.data(), n, m, c0, c1, scale, mx.data(), s.data(), top.data()));
      CHECK(avx2->column_max_sum_top_f64(y.data(), n, m, c0, c1, scale, mx2.data(), s2.data(), top2.data()));
      const std::string what = std::to_string(n) + "x" + std::to_string(m) + " [" + std::to_string(c0) + ", " +
                               std::to_string(c1) + ") scale " + std::to_string(scale);
      CHECK_MSG(std::memcmp(mx.data(), mx2.data(), m * sizeof(double)) == 0, what << ": maxima differ");
      CHECK_MSG(std::memcmp(s.data(), s2.data(), m * sizeof(double)) == 0, what << ": sums differ");
      CHECK_MSG(std::memcmp(top.data(), top2.data(), m * K * sizeof(double)) == 0, what << ": lists differ");
    }
    // A NaN inside the range: both loops say so (false).
    std::vector<double> bad = y;
    bad[(n / 2) * m + (c0 + c1) / 2] = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> mx(m), s(m), top(m * K);
    CHECK_MSG(!wide->column_max_sum_top_f64(bad.data(), n, m, c0, c1, 1.0, mx.data(), s.data(), top.data()) &&
                  !avx2->column_max_sum_top_f64(bad.data(), n, m, c0, c1, 1.0, mx.data(), s.data(), top.data()),
              n << "x" << m << ": a NaN not reported");
  }
}
