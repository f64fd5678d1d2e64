// The streaming exact method: each of its strategies (full passes, a compact
// copy of the surviving groups, a compact copy of the candidates) is taken
// where its regime says, and every one agrees with the sort-based method;
// results do not depend on the thread count; the envelope start is a lower
// bound of theta*.
#include <cmath>
#include <string>
#include <vector>

#include "exact_stream.hpp"
#include "harness.hpp"
#include "kernel_tables.hpp"
#include "parallel.hpp"
#include "run.hpp"
#include "stream_checks.hpp"
#include "topk_thresholds.hpp"

using namespace bptest;

namespace {

enum class Kind { kUniform, kGauss, kCauchy, kSparse };

std::vector<double> regime_matrix(Rng& rng, std::size_t n, std::size_t m, Kind kind) {
  std::vector<double> y(n * m);
  for (double& v : y) {
    switch (kind) {
      case Kind::kUniform:
        v = rng.uniform();
        break;
      case Kind::kGauss:
        v = rng.normal();
        break;
      case Kind::kCauchy:
        v = std::tan(3.141592653589793 * (rng.uniform() - 0.5));
        break;
      case Kind::kSparse:
        v = rng.uniform() < 0.9 ? 0.0 : rng.normal();
        break;
    }
  }
  return y;
}

}  // namespace

// The strategy is chosen per call from what the first passes show (how many
// groups can survive, how many entries can be active); each choice is taken
// in the regime it is meant for, and all agree with 'sort'.
TEST(stream_picks_its_strategy_by_regime_and_agrees_with_sort) {
  Rng rng(140);
  const bool topk = bp::set_topk_enabled(false);  // the top lists (test_topk.cpp) would settle the large radii
  struct Expect {
    std::size_t n, m;
    Kind kind;
    double r;  // eta = r * ||Y||_{1,inf}
    bool compacted, candidates, gathered;
    const char* name;
  };
  const Expect cases[] = {
      // Heavy tails, small radius: a handful of groups survive theta_0,
      // gathered whole before any pass over the matrix.
      {600, 300, Kind::kCauchy, 0.01, true, false, true, "cauchy 0.01"},
      {600, 300, Kind::kCauchy, 0.1, true, false, true, "cauchy 0.1"},
      {100, 8000, Kind::kCauchy, 0.5, true, false, true, "short groups, cauchy 0.5"},
      {100, 8000, Kind::kSparse, -1.0, true, false, true, "short groups, sparse eta = 1"},
      // Large radius: every group survives but only its top entries can be
      // active; the chord bounds leave few candidates (in long groups).
      {600, 300, Kind::kGauss, 0.9, true, true, false, "gauss 0.9"},
      // Sparse data at this radius is not counted (the lists would serve):
      // without the lists, the same chord candidates.
      {600, 300, Kind::kSparse, 0.9, true, true, false, "sparse 0.9"},
      // At a small radius its nonzeros are counted, and the few surviving
      // columns' nonzeros gathered.
      {600, 300, Kind::kSparse, 0.01, true, false, true, "sparse 0.01"},
      // ... but short groups are not worth the bounds: passes only.
      {100, 1000, Kind::kGauss, 0.9, false, false, false, "short groups, gauss 0.9"},
      // Middle radius on uniform data: most entries can be active in most
      // groups: streaming passes only.
      {600, 300, Kind::kUniform, 0.1, false, false, false, "uniform 0.1"},
  };
  for (const Expect& e : cases) {
    const std::size_t n = e.n, m = e.m;
    std::vector<double> y = regime_matrix(rng, n, m, e.kind);
    const double eta = e.r < 0 ? 1.0 : e.r * l1inf_cols(y, n, m);
    expect_stream_as_sort(y, n, m, false, eta, e.name);
    (void)run(Method::kStream, y, n, m, false, eta);
    const bp::StreamTrace tr = bp::last_stream_trace();
    CHECK_MSG(tr.compacted == e.compacted, e.name << ": compacted " << tr.compacted);
    CHECK_MSG(tr.candidates == e.candidates, e.name << ": candidates " << tr.candidates);
    CHECK_MSG(tr.gathered == e.gathered, e.name << ": gathered " << tr.gathered);
    CHECK_MSG(tr.full_passes + tr.compact_passes >= 1 && tr.full_passes + tr.compact_passes < 40,
              e.name << ": passes " << tr.full_passes << " + " << tr.compact_passes);
  }
  bp::set_topk_enabled(topk);
}

// A column pass also records the gap around each threshold; when every new
// threshold falls inside its gap the iteration stops without the confirming
// pass. It must stop on the answer the confirming pass would give.
TEST(stream_gap_exit_saves_the_confirming_pass_and_agrees_with_sort) {
  Rng rng(144);
  struct Case {
    std::size_t n, m;
    Kind kind;
    double r;
  };
  const Case cases[] = {{600, 300, Kind::kUniform, 0.1},
                        {300, 600, Kind::kUniform, 0.5},
                        {2000, 200, Kind::kGauss, 0.1},
                        {200, 2000, Kind::kSparse, 0.1}};
  int exits = 0;
  for (const Case& c : cases) {
    std::vector<double> y = regime_matrix(rng, c.n, c.m, c.kind);
    const double eta = c.r * l1inf_cols(y, c.n, c.m);
    expect_stream_as_sort(y, c.n, c.m, false, eta, "gap exit");
    (void)run(Method::kStream, y, c.n, c.m, false, eta);
    const bp::StreamTrace tr = bp::last_stream_trace();
    if (tr.gap_exit) {
      ++exits;
      CHECK_MSG(!tr.compacted && tr.full_passes >= 1, "gap exit after " << tr.full_passes << " full passes");
    }
  }
  CHECK_MSG(exits >= 3, "the gap exit was taken in " << exits << " of 4 passes-only cases");
}

// Before any pass the chord of each phi_j from (0, s_j) to (max_j, 0) bounds
// theta* from above, so the first pass already counts candidates: where a
// few huge entries dominate each group (Cauchy, middle radius) the copy
// follows the first full pass instead of the second.
TEST(stream_first_pass_counts_candidates_from_the_chords) {
  Rng rng(145);
  const bool topk = bp::set_topk_enabled(false);  // four huge entries per group: the top lists would settle it
  const std::size_t n = 1000, m = 100;
  std::vector<double> y = regime_matrix(rng, n, m, Kind::kUniform);
  for (std::size_t j = 0; j < m; ++j)
    for (int t = 0; t < 4; ++t) y[rng.below(n) * m + j] = 1e6 * (1.0 + rng.uniform());
  const double eta = 0.5 * l1inf_cols(y, n, m);
  expect_stream_as_sort(y, n, m, false, eta, "one huge entry per group, 0.5");
  (void)run(Method::kStream, y, n, m, false, eta);
  const bp::StreamTrace tr = bp::last_stream_trace();
  CHECK_MSG(tr.candidates && !tr.gathered, "candidates " << tr.candidates << ", gathered " << tr.gathered);
  CHECK_MSG(tr.full_passes == 1, "full passes before the copy: " << tr.full_passes);
  bp::set_topk_enabled(topk);
}

// Small radii on tall shapes: too many groups survive theta_0 to gather, but
// nearly every entry is active; one pass lists the entries below upper
// bounds of the mu_j* and the rest runs on that list. Forced here (tall,
// eta = 1 and 0.01 ||Y||), refused where the bounds promise a long list
// (Gaussian 0.5), and in agreement with 'sort' at any thread count.
TEST(stream_lists_the_entries_below_upper_bounds_when_few) {
  Rng rng(146);
  struct Case {
    std::size_t n, m;
    Kind kind;
    double r;
    bool below;
  };
  const Case cases[] = {{4000, 100, Kind::kUniform, -1.0, true},
                        {4000, 100, Kind::kUniform, 0.01, true},
                        {3000, 200, Kind::kGauss, -1.0, true},
                        {4000, 100, Kind::kGauss, 0.5, false},
                        // 90 % zeros: every zero lies below hi_j, so the list
                        // would overflow; the l1 norms tell so before any pass.
                        {2000, 500, Kind::kSparse, -1.0, false}};
  for (const Case& c : cases) {
    std::vector<double> y = regime_matrix(rng, c.n, c.m, c.kind);
    const double eta = c.r < 0 ? 1.0 : c.r * l1inf_cols(y, c.n, c.m);
    expect_stream_as_sort(y, c.n, c.m, false, eta, "below-bound list");
    const bp::StreamTrace tr = expect_stream_thread_free(y, c.n, c.m, eta, "below-bound list");
    CHECK_MSG(tr.below == c.below, c.n << "x" << c.m << " r " << c.r << ": below " << tr.below);
    CHECK_MSG(!tr.below_overflow, c.n << "x" << c.m << " r " << c.r << ": a list pass made and lost");
    if (c.below) CHECK_MSG(tr.full_passes == 1 && !tr.gathered, "full passes " << tr.full_passes);
  }
}

// Wide, short matrices at small radii: the below-bound lists hold a few
// entries a column, read inline with the gap that lets a later pass keep a
// column's count and sum; a tenth of the columns here also hold 20 tiny
// entries, so their lists reach the kernel table's loop (eight or more).
// Both in agreement with 'sort' at any thread count (round twenty-eight,
// docs/exact-stream.md).
TEST(stream_reads_short_below_bound_lists_inline_and_keeps_their_gaps) {
  Rng rng(2626);
  const double radii[] = {0.005, 0.01, 0.015};
  for (const bool tiny : {false, true}) {
    for (const double r : radii) {
      const std::size_t n = 100, m = 3000;
      std::vector<double> y = regime_matrix(rng, n, m, Kind::kUniform);
      if (tiny)
        for (std::size_t j = 0; j < m; j += 10)
          for (std::size_t i = 0; i < 20; ++i) y[i * m + j] = 1e-3 * rng.uniform();
      const double eta = r < 0 ? 1.0 : r * l1inf_cols(y, n, m);
      expect_stream_as_sort(y, n, m, false, eta, "short below-bound lists");
      const bp::StreamTrace tr = expect_stream_thread_free(y, n, m, eta, "short below-bound lists");
      CHECK_MSG(tr.below, "tiny " << tiny << " r " << r << ": below " << tr.below);
      CHECK_MSG(tr.compact_passes >= 1, "tiny " << tiny << " r " << r << ": list passes " << tr.compact_passes);
    }
  }
}

// Mostly active columns at a large radius (Cauchy 0.9, the lists off as
// when they give way): after a few full passes the bounds of each mu_j*
// hold few entries though many lie above them, and one read copies the band
// between the bounds and counts and sums the entries above it (round ten,
// docs/exact-stream.md). Taken here, and in agreement with 'sort' at any
// thread count.
TEST(stream_copies_the_band_between_the_bounds_of_mostly_active_columns) {
  Rng rng(149);
  const bool topk = bp::set_topk_enabled(false);
  const std::size_t floor = bp::set_stream_band_min_entries(0);  // made on large matrices only
  struct Case {
    std::size_t n, m;
    double r;
  };
  const Case cases[] = {{2000, 1000, 0.8}, {2000, 1500, 0.8}, {3000, 1000, 0.8}, {1000, 2000, 0.8}};
  int banded = 0, cut = 0;
  for (const Case& c : cases) {
    std::vector<double> y = regime_matrix(rng, c.n, c.m, Kind::kCauchy);
    const double eta = c.r * l1inf_cols(y, c.n, c.m);
    expect_stream_as_sort(y, c.n, c.m, false, eta, "band copy");
    const bp::StreamTrace tr = expect_stream_thread_free(y, c.n, c.m, eta, "band copy");
    if (tr.banded) {
      ++banded;
      cut += tr.band_cut > 0;
      CHECK_MSG(tr.compacted && !tr.candidates, "the band is its own copy");
      // Each column's room is its candidates less the pass's own active
      // entries where those lie above the upper level (round fourteen): it
      // must still hold every entry of the band.
      CHECK_MSG(!tr.band_lost, c.n << "x" << c.m << ": band held " << tr.band_held << " in " << tr.band_room
                                   << " slots, and a column's outgrew its room");
    }
  }
  // Two since the top lists' points tightened the bounds (round fourteen):
  // the other two cases now take the candidate copy (the entries above the
  // tighter lower bounds fit in a sixteenth of the matrix).
  CHECK_MSG(banded >= 2, "the band copy was taken in " << banded << " of 4 cases");
  // and the room's cut is exercised: some column's room left out its active
  // entries (the check above is what catches a cut too deep).
  CHECK_MSG(cut >= 1, "no band copy cut a column's room (" << banded << " bands)");
  bp::set_stream_band_min_entries(floor);
  bp::set_topk_enabled(topk);
}

// Sparse data: the first pass also counts each column's nonzeros (columns of
// at least 512 entries, a sample of rows at least half zeros), and the
// bounds use them where they would use the column length (zeros are never
// active), so at small radii few columns survive theta_0 even on tall
// shapes, and only their nonzeros are gathered, before any pass over the
// matrix. With fewer zeros, short columns or a large radius (sampled: see
// stream_wants_nonzeros), nothing is counted. Every case agrees with 'sort', at any thread count.
TEST(stream_gathers_the_nonzeros_of_sparse_survivors) {
  Rng rng(147);
  struct Case {
    std::size_t n, m;
    double density;  // share of entries that are not zero
    double r;        // eta = r * ||Y||_{1,inf}, or 1 when negative
    bool nonzeros, gathered;
  };
  const Case cases[] = {{1500, 200, 0.1, -1.0, true, true},
                        {600, 500, 0.1, -1.0, true, true},
                        {200, 1500, 0.1, -1.0, false, true},
                        {1000, 300, 0.1, 0.01, true, true},
                        {1500, 200, 0.45, -1.0, true, true},
                        {1500, 200, 0.6, -1.0, false, false},
                        {1000, 300, 0.1, 0.1, true, true},
                        {1000, 300, 0.1, 0.9, false, false},
                        // Tall, small radius: most columns survive, their
                        // nonzeros (about 680 k) past the 4 MB cap of a whole
                        // copy but a tenth of the entries: gathered all the
                        // same (docs/exact-stream.md, round fifteen).
                        {10000, 800, 0.1, 0.01, true, true}};
  for (const Case& c : cases) {
    std::vector<double> y(c.n * c.m);
    for (double& v : y) v = rng.uniform() < c.density ? rng.normal() : 0.0;
    const double eta = c.r < 0 ? 1.0 : c.r * l1inf_cols(y, c.n, c.m);
    expect_stream_as_sort(y, c.n, c.m, false, eta, "sparse survivors");
    const bp::StreamTrace tr = expect_stream_thread_free(y, c.n, c.m, eta, "sparse survivors");
    CHECK_MSG(tr.nonzeros == c.nonzeros, c.n << "x" << c.m << " density " << c.density << ": nonzeros " << tr.nonzeros);
    CHECK_MSG(tr.gathered == c.gathered,
              c.n << "x" << c.m << " density " << c.density << " r " << c.r << ": gathered " << tr.gathered);
    if (c.gathered) CHECK_MSG(tr.full_passes == 0, "full passes " << tr.full_passes);
  }
}

// The copies of counted nonzeros past the gather's usual size (lowered here
// so a small matrix reaches them): double data up to a quarter of the
// entries at any radius; float data up to an eighth, at any radius too
// (its copy holds floats: docs/exact-float32.md, "The float gather's copy in
// floats"; it once ran only where theta_0 was at most 0.35 of the
// survivors' mean s_j). Each agrees with 'sort'.
TEST(stream_gathers_float_nonzeros_up_to_an_eighth) {
  Rng rng(149);
  const std::size_t previous = bp::set_stream_gather_max_entries(1000);
  struct Case {
    double density, r;
    bool float_gathered;  // double data is gathered in every case
  };
  // Radii 0.01, 0.1 and 0.3 of the norm at a tenth of nonzeros (theta_0
  // from well under to about 0.6 of the mean s_j: all gathered since the
  // float copy), and density 0.2: the nonzeros past an eighth of the
  // entries, never gathered.
  const Case cases[] = {{0.1, 0.3, true}, {0.1, 0.1, true}, {0.1, 0.01, true}, {0.2, 0.3, false}};
  const std::size_t n = 1000, m = 300;
  for (const Case& c : cases) {
    std::vector<double> y(n * m);
    for (double& v : y) v = rng.uniform() < c.density ? rng.normal() : 0.0;
    const std::vector<float> yf(y.begin(), y.end());
    std::vector<double> yd(yf.begin(), yf.end());  // the same values in both types
    const double eta = c.r * l1inf_cols(yd, n, m);
    const std::string what = "density " + std::to_string(c.density) + " r " + std::to_string(c.r);
    expect_stream_as_sort(yd, n, m, false, eta, what + " double");
    const bp::StreamTrace td = bp::last_stream_trace();
    // expect_stream_as_sort runs 'stream' first, then 'sort': the trace read
    // after it is of the 'stream' call ('sort' does not write it).
    CHECK_MSG(td.nonzeros && td.gathered, what << " double: nonzeros " << td.nonzeros << ", gathered " << td.gathered);
    expect_stream_as_sort(yf, n, m, false, eta, what + " float");
    const bp::StreamTrace tf = bp::last_stream_trace();
    CHECK_MSG(tf.nonzeros && tf.gathered == c.float_gathered,
              what << " float: nonzeros " << tf.nonzeros << ", gathered " << tf.gathered);
  }
  bp::set_stream_gather_max_entries(previous);
}

// The float gather's copy (KernelTable::gather_float, simd/gather_float.hpp):
// every table leaves the slots and the kept floats of a plain loop, keeping
// every entry or only the nonzeros (zeros of both signs), with segments of
// each room down to the spare slot alone (a full segment stops mid-step),
// rows 0-130 (one block of 64 rows down the columns, two, a tail), columns
// spread and close (the second set holds at most half of the lines it spans:
// walked down blocks of rows in AVX2; the third, runs of eight adjacent
// columns and of seven).
TEST(float_gather_matches_a_plain_loop) {
  Rng rng(163);
  struct Set {
    std::size_t m;
    std::vector<std::size_t> cols;
  };
  const Set sets[] = {{29, {0, 3, 5, 7, 9, 12, 13, 21, 28}},
                      {400, {7, 50, 51, 120, 121, 140, 199, 390}},
                      {40, {1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 30, 31, 32, 33, 34, 35, 36}}};
  for (const Set& set : sets)
    for (std::size_t n : {0, 1, 3, 7, 8, 9, 38, 64, 67, 130}) {
      const std::size_t m = set.m;
      std::vector<float> y(n * m);
      for (float& v : y) {
        const double u = rng.uniform();
        v = u < 0.45 ? 0.0f : u < 0.55 ? -0.0f : static_cast<float>(rng.normal());
      }
      const std::vector<std::size_t>& cols = set.cols;
      const std::size_t nf = cols.size();
      constexpr std::size_t kGuard = 8;  // a stray store past a segment's spare slot shows there
      for (std::size_t shrink : {0, 1, 2, 5, 11, 29}) {
        std::vector<std::size_t> beg(nf), end(nf);
        std::size_t size = 0;
        for (std::size_t f = 0; f < nf; ++f) {
          const std::size_t room = n > shrink * f ? n - shrink * f : 0;
          beg[f] = size;
          end[f] = size + room;
          size += room + 1 + kGuard;  // the spare slot, then guards no call may write
        }
        for (bool nonzero : {false, true}) {
          std::vector<float> want(size, -7.0f);
          std::vector<std::size_t> want_pos(beg);
          for (std::size_t i = 0; i < n; ++i)
            for (std::size_t f = 0; f < nf; ++f) {
              const float a = std::fabs(y[i * m + cols[f]]);
              want[want_pos[f]] = a;
              want_pos[f] += ((a != 0.0f || !nonzero) && want_pos[f] < end[f]) ? 1 : 0;
            }
          for (const bp::simd::KernelTable* k : tables()) {
            std::vector<float> got(size, -7.0f);
            std::vector<std::size_t> pos(beg);
            k->gather_float(y.data(), n, m, cols.data(), nf, nonzero, pos.data(), end.data(), got.data());
            const std::string what = std::string(k->name) + " m " + std::to_string(m) + " n " + std::to_string(n) +
                                     " shrink " + std::to_string(shrink) + (nonzero ? " nonzero" : " all");
            CHECK_MSG(pos == want_pos, what << ": the slots differ");
            for (std::size_t f = 0; f < nf; ++f)
              for (std::size_t e = beg[f]; e < want_pos[f]; ++e)
                CHECK_MSG(std::signbit(got[e]) == false && got[e] == want[e],
                          what << ": column " << cols[f] << " slot " << e - beg[f]);
            for (std::size_t f = 0; f < nf; ++f)
              for (std::size_t e = end[f] + 1; e <= end[f] + kGuard; ++e)
                CHECK_MSG(got[e] == -7.0f, what << ": column " << cols[f] << " wrote guard " << e - end[f]);
          }
        }
      }
    }
}

TEST(stream_equals_sort_across_the_regime_grid) {
  Rng rng(141);
  const std::size_t shapes[][2] = {{40, 300}, {300, 40}, {5, 2000}, {120, 120}, {700, 60}};
  const Kind kinds[] = {Kind::kUniform, Kind::kGauss, Kind::kCauchy, Kind::kSparse};
  const double radii[] = {-1.0, 0.001, 0.01, 0.1, 0.5, 0.9, 0.999};
  for (const auto& sh : shapes) {
    for (Kind kind : kinds) {
      std::vector<double> y = regime_matrix(rng, sh[0], sh[1], kind);
      for (bool rows : {false, true}) {
        const double nrm = rows ? l1inf_cols(
                                      [&] {
                                        std::vector<double> t(y.size());
                                        for (std::size_t i = 0; i < sh[0]; ++i)
                                          for (std::size_t j = 0; j < sh[1]; ++j) t[j * sh[0] + i] = y[i * sh[1] + j];
                                        return t;
                                      }(),
                                      sh[1], sh[0])
                                : l1inf_cols(y, sh[0], sh[1]);
        for (double r : radii) {
          const double eta = r < 0 ? 1.0 : r * nrm;
          expect_stream_as_sort(y, sh[0], sh[1], rows, eta,
                                std::to_string(sh[0]) + "x" + std::to_string(sh[1]) + " kind " +
                                    std::to_string(static_cast<int>(kind)) + (rows ? " rows" : " cols") + " r " +
                                    std::to_string(r));
        }
      }
    }
  }
}

TEST(stream_results_do_not_depend_on_the_thread_count) {
  Rng rng(142);
  const std::size_t n = 700, m = 600;  // above the parallel threshold
  for (Kind kind : {Kind::kGauss, Kind::kCauchy, Kind::kSparse}) {
    std::vector<double> y = regime_matrix(rng, n, m, kind);
    for (double r : {0.05, 0.5, 0.9}) {
      const double eta = r * l1inf_cols(y, n, m);
      const unsigned before = bp::set_thread_limit(1);
      Result<double> one = run(Method::kStream, y, n, m, false, eta);
      bp::set_thread_limit(3);
      Result<double> three = run(Method::kStream, y, n, m, false, eta);
      Result<double> rows3 = run(Method::kStream, y, n, m, true, eta);
      bp::set_thread_limit(1);
      Result<double> rows1 = run(Method::kStream, y, n, m, true, eta);
      bp::set_thread_limit(before);
      CHECK(one.out == three.out && one.radii == three.radii);
      CHECK(rows1.out == rows3.out && rows1.radii == rows3.radii);
    }
  }
}

// theta_0 from the envelope is at most theta*, the l1 mass every surviving
// group loses (read off the sort-based result).
TEST(stream_envelope_start_is_a_lower_bound) {
  Rng rng(143);
  for (int trial = 0; trial < 60; ++trial) {
    const std::size_t n = 1 + rng.below(80), m = 1 + rng.below(80);
    std::vector<double> y = regime_matrix(rng, n, m, static_cast<Kind>(trial % 4));
    const double nrm = l1inf_cols(y, n, m);
    if (!(nrm > 0)) continue;
    const double eta = nrm * (0.001 + 0.998 * rng.uniform());
    Result<double> b = run(Method::kSort, y, n, m, false, eta);
    std::vector<double> mx(m, 0.0), s(m, 0.0);
    double theta = 0;
    for (std::size_t j = 0; j < m; ++j) {
      double removed = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const double a = std::fabs(y[i * m + j]);
        mx[j] = std::max(mx[j], a);
        s[j] += a;
        removed += std::max(a - b.radii[j], 0.0);
      }
      if (b.radii[j] > 0) theta = std::max(theta, removed);
    }
    bp::ThresholdProblem p;
    p.ng = m;
    p.len = n;
    p.eta = eta;
    p.mx = mx.data();
    p.s = s.data();
    const double t0 = bp::envelope_theta(p);
    CHECK_MSG(t0 <= theta * (1 + 1e-12) + 1e-300, "trial " << trial << ": theta0 " << t0 << " > theta* " << theta);
  }
}
