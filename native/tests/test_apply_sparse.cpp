// The sparse write of apply.hpp (groups the map sends to +0 are stored as
// zeros without being read): forced on, it must give the bytes of the full
// write, forced off, for the clip and the soft threshold, both element
// types, both group orientations, in place or not, streamed or not, and
// rows starting anywhere in a cache line; and a checked write (the split
// path) must still read, and report, a NaN or an infinity in a dead group.
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "apply.hpp"
#include "harness.hpp"

using namespace bptest;

namespace {

// Restores the write's own choices when a test ends, whatever it forced.
struct Forced {
  Forced(int sparse, int stream) {
    bp::write_force().sparse = sparse;
    bp::write_force().stream = stream;
  }
  ~Forced() {
    bp::write_force().sparse = 0;
    bp::write_force().stream = 0;
  }
};

// Entries with signed zeros among them (the full write keeps -0 where a
// live group's map does), scaled over several decades.
template <class T>
std::vector<T> random_entries(Rng& rng, std::size_t n) {
  std::vector<T> y(n);
  for (auto& v : y) {
    const double u = rng.uniform();
    v = u < 0.1 ? T(-0.0) : u < 0.2 ? T(0) : static_cast<T>(rng.normal() * std::pow(10.0, rng.uniform() * 4 - 2));
  }
  return y;
}

// Group maxima of |y|, as the first reads give them.
template <class T>
std::vector<double> group_max(const std::vector<T>& y, std::size_t n, std::size_t m, bp::Groups g) {
  std::vector<double> mx(g == bp::Groups::kColumns ? m : n, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < m; ++j) {
      double& v = mx[g == bp::Groups::kColumns ? j : i];
      v = std::max(v, std::fabs(static_cast<double>(y[i * m + j])));
    }
  return mx;
}

template <class Map, class T>
void check_same_bytes(Rng& rng, bool is_clip) {
  for (int round = 0; round < 32; ++round) {
    const std::size_t n = 1 + rng.below(24), m = 1 + rng.below(400);
    const bp::Groups g = rng.below(3) == 0 ? bp::Groups::kRows : bp::Groups::kColumns;
    std::vector<T> y = random_entries<T>(rng, n * m);
    // Tiny entries in some rounds: a float excess under 2^-149 narrows to a
    // signed zero there (the threshold just under the largest |y| below).
    if (round % 4 == 3)
      for (auto& v : y) v = static_cast<T>(static_cast<double>(v) * 1e-33);
    const std::vector<double> mx = group_max(y, n, m, g);
    const double dead_share = round % 4 == 0 ? 1.0 : round % 4 == 1 ? 0.99 : rng.uniform();
    std::vector<double> p(mx.size());
    for (std::size_t j = 0; j < p.size(); ++j) {
      const double u = rng.uniform();
      if (u < dead_share)
        p[j] = is_clip ? 0.0 : mx[j] * (1.0 + rng.uniform());
      else if (is_clip && u < dead_share + 0.05)
        p[j] = -0.0;
      else if (!is_clip && u < dead_share + 0.1)
        // Just under the largest |y|: that entry's excess narrows to zero
        // in float and keeps its sign, so the group is not dead.
        p[j] = std::nextafter(mx[j], 0.0);
      else
        p[j] = mx[j] * rng.uniform();
    }
    const bool in_place = rng.below(4) == 0;
    const int stream = static_cast<int>(rng.below(2));
    // Offsets that put rows anywhere in a 128-byte unit.
    const std::size_t shift = rng.below(bp::kSparseUnitBytes / sizeof(T));
    // Both outputs start as a sentinel, with a margin past the matrix: a
    // dead run left unwritten, or one that runs past the last row (the runs
    // go on across rows), shows.
    constexpr std::size_t kMargin = 64;
    std::vector<T> full(n * m + shift + kMargin, T(3)), sparse(n * m + shift + kMargin, T(3)), src_full = y,
                                                                                               src_sparse = y;
    T* of = in_place ? src_full.data() : full.data() + shift;
    T* os = in_place ? src_sparse.data() : sparse.data() + shift;
    {
      Forced f(-1, stream);
      bp::write_groups<Map>(bp::MatrixRef<T>{in_place ? src_full.data() : y.data(), n, m}, g, p.data(), of, mx.data());
    }
    {
      Forced f(1, stream);
      bp::write_groups<Map>(bp::MatrixRef<T>{in_place ? src_sparse.data() : y.data(), n, m}, g, p.data(), os,
                            mx.data());
    }
    CHECK_MSG(std::memcmp(of, os, n * m * sizeof(T)) == 0, "n " << n << " m " << m << " rows "
                                                                << (g == bp::Groups::kRows) << " in place " << in_place
                                                                << " stream " << stream << " shift " << shift);
    if (!in_place)
      for (std::size_t k = 0; k < kMargin; ++k)
        CHECK(sparse[shift + n * m + k] == T(3) && full[shift + n * m + k] == T(3));
  }
}

// A NaN or an infinity in a dead group: the checked write (the split path's
// apply_radii into a separate out) must not skip it, forced sparse or not.
template <class Map, class T>
void check_dead_group_is_still_checked(Rng& rng, bool is_clip) {
  for (int round = 0; round < 12; ++round) {
    const std::size_t n = 2 + rng.below(20), m = 2 + rng.below(300);
    const bp::Groups g = round % 2 == 0 ? bp::Groups::kColumns : bp::Groups::kRows;
    std::vector<T> y = random_entries<T>(rng, n * m);
    const std::vector<double> mx = group_max(y, n, m, g);
    // Every group dead but the first; the bad entry sits in a dead one.
    std::vector<double> p(mx.size());
    for (std::size_t j = 0; j < p.size(); ++j) p[j] = is_clip ? (j == 0 ? 1.0 : 0.0) : (j == 0 ? 0.0 : mx[j] + 1.0);
    const std::size_t gi = 1 + rng.below(p.size() - 1);
    const std::size_t at = g == bp::Groups::kColumns ? rng.below(n) * m + gi : gi * m + rng.below(m);
    y[at] = round % 3 == 0 ? std::numeric_limits<T>::quiet_NaN()
                           : (round % 3 == 1 ? T(1) : T(-1)) * std::numeric_limits<T>::infinity();
    std::vector<T> out(n * m);
    for (int stream = 0; stream < 2; ++stream) {
      Forced f(1, stream);
      CHECK(!bp::write_groups_impl<Map>(bp::MatrixRef<T>{y.data(), n, m}, g, p.data(), out.data(), true, mx.data()));
    }
  }
}

}  // namespace

TEST(sparse_write_clip_gives_the_full_writes_bytes) {
  Rng rng(0x5a1e);
  check_same_bytes<bp::ClipMap<double>, double>(rng, true);
  check_same_bytes<bp::ClipMap<float>, float>(rng, true);
}

TEST(sparse_write_shrink_gives_the_full_writes_bytes) {
  Rng rng(0x5a1f);
  check_same_bytes<bp::ShrinkMap<double>, double>(rng, false);
  check_same_bytes<bp::ShrinkMap<float>, float>(rng, false);
}

TEST(sparse_write_is_not_taken_by_a_checked_write) {
  Rng rng(0x5a20);
  check_dead_group_is_still_checked<bp::ClipMap<double>, double>(rng, true);
  check_dead_group_is_still_checked<bp::ClipMap<float>, float>(rng, true);
  check_dead_group_is_still_checked<bp::ShrinkMap<double>, double>(rng, false);
  check_dead_group_is_still_checked<bp::ShrinkMap<float>, float>(rng, false);
}

// The spans: live units only, touching runs merged, any phase.
TEST(sparse_write_spans_cover_every_live_column) {
  Rng rng(0x5a21);
  for (int round = 0; round < 200; ++round) {
    const std::size_t m = 1 + rng.below(500), unit = round % 2 == 0 ? 16 : 32, phase = rng.below(unit);
    std::vector<bool> dead(m);
    std::vector<std::size_t> live;
    const double share = rng.uniform();
    for (std::size_t j = 0; j < m; ++j) {
      dead[j] = rng.uniform() < share;
      if (!dead[j]) live.push_back(j);
    }
    std::vector<bp::ColumnSpan> spans;
    const std::size_t units = bp::live_spans(m, phase, unit, live.data(), live.size(), spans);
    std::vector<bool> covered(m, false);
    std::size_t prev_end = 0, counted = 0;
    for (const bp::ColumnSpan& s : spans) {
      CHECK(s.begin < s.end && s.end <= m && s.begin >= prev_end);
      // Span ends sit on unit boundaries (or the row's ends).
      CHECK(s.begin == 0 || (s.begin + phase) % unit == 0);
      CHECK(s.end == m || (s.end + phase) % unit == 0);
      // Gaps between spans are at least kSparseMinGapUnits whole units.
      if (prev_end > 0) CHECK(s.begin - prev_end >= bp::kSparseMinGapUnits * unit);
      for (std::size_t j = s.begin; j < s.end; ++j) covered[j] = true;
      counted += (s.end + phase + unit - 1) / unit - (s.begin + phase) / unit;
      prev_end = s.end;
    }
    for (std::size_t j = 0; j < m; ++j) CHECK(dead[j] || covered[j]);
    CHECK(units == counted);
    // With a cap: the same count when it fits, cap + 1 when it does not.
    if (units > 0) {
      std::vector<bp::ColumnSpan> capped;
      const std::size_t cap = rng.below(units);
      CHECK(bp::live_spans(m, phase, unit, live.data(), live.size(), capped, cap) == cap + 1);
      capped.clear();
      CHECK(bp::live_spans(m, phase, unit, live.data(), live.size(), capped, units) == units);
    }
  }
}

// Where rows end inside a line, the dead runs go on across rows (apply.hpp):
// on two threads each range of rows closes its own last run, and none
// writes past its rows. Rows of 500 entries end inside a cache line in both
// types, rows of 512 do not (a run per row); 300000 entries and more are
// past the one-thread floor (kParallelMinEntries). Live columns: none, one,
// or a few; sentinel outputs show an entry left unwritten.
template <class T>
void check_runs_across_rows_and_threads(std::size_t m) {
  const std::size_t n = 600;
  Rng rng(0x5a22);
  const std::vector<T> y = random_entries<T>(rng, n * m);
  const std::vector<double> mx = group_max(y, n, m, bp::Groups::kColumns);
  const unsigned before = bp::set_thread_limit(2);
  for (std::size_t live : {std::size_t(0), std::size_t(1), std::size_t(5)}) {
    std::vector<double> c(m, 0.0);
    for (std::size_t k = 0; k < live; ++k) c[rng.below(m)] = mx[0] * rng.uniform();
    for (int stream = 0; stream < 2; ++stream) {
      std::vector<T> full(n * m + 64, T(3)), sparse(n * m + 64, T(3));
      {
        Forced f(-1, stream);
        bp::write_groups<bp::ClipMap<T>>(bp::MatrixRef<T>{y.data(), n, m}, bp::Groups::kColumns, c.data(), full.data(),
                                         mx.data());
      }
      {
        Forced f(1, stream);
        bp::write_groups<bp::ClipMap<T>>(bp::MatrixRef<T>{y.data(), n, m}, bp::Groups::kColumns, c.data(),
                                         sparse.data(), mx.data());
      }
      CHECK_MSG(std::memcmp(full.data(), sparse.data(), full.size() * sizeof(T)) == 0,
                "m " << m << " live " << live << " stream " << stream);
    }
  }
  bp::set_thread_limit(before);
}

TEST(sparse_write_runs_across_rows_on_two_threads) {
  for (std::size_t m : {std::size_t(500), std::size_t(512)}) {
    check_runs_across_rows_and_threads<double>(m);
    check_runs_across_rows_and_threads<float>(m);
  }
}

// Short double rows (8000 x 1000: 63 units of 8000 bytes) go sparse up to
// six live units, not the share's one; other rows and float rows keep the
// share (docs/memory.md, "The sparse write on short double rows"). The
// write as chosen (not forced) on rows of 1000 doubles with 1-8 live units,
// in place or not, streamed or not, gives the full write's bytes.
TEST(sparse_write_short_double_rows_take_six_live_units) {
  CHECK(bp::sparse_max_live_units<double>(63) == 6);
  CHECK(bp::sparse_max_live_units<double>(64) == 6);
  CHECK(bp::sparse_max_live_units<double>(16) == 2);
  CHECK(bp::sparse_max_live_units<double>(7) == 0);
  CHECK(bp::sparse_max_live_units<double>(500) == 10);
  CHECK(bp::sparse_max_live_units<double>(5000) == 100);
  CHECK(bp::sparse_max_live_units<float>(32) == 1);
  Rng rng(0x5a23);
  const std::size_t n = 40, m = 1000;
  for (int live = 1; live <= 8; ++live) {
    for (int mode = 0; mode < 4; ++mode) {
      const bool stream = (mode & 1) != 0, in_place = (mode & 2) != 0;
      std::vector<double> y = random_entries<double>(rng, n * m);
      const std::vector<double> mx = group_max(y, n, m, bp::Groups::kColumns);
      std::vector<double> p(m, 0.0);
      for (int q = 0; q < live; ++q) {
        const std::size_t j = (static_cast<std::size_t>(q) * m) / static_cast<std::size_t>(live) + rng.below(16);
        p[j] = mx[j] * rng.uniform();
      }
      std::vector<double> full(y), chosen(y);
      {
        Forced f(-1, stream ? 1 : 0);
        bp::write_groups<bp::ClipMap<double>>(bp::MatrixRef<double>{y.data(), n, m}, bp::Groups::kColumns, p.data(),
                                              full.data(), mx.data());
      }
      {
        Forced f(0, stream ? 1 : 0);
        if (!in_place) std::fill(chosen.begin(), chosen.end(), 7.0);
        bp::write_groups<bp::ClipMap<double>>(bp::MatrixRef<double>{in_place ? chosen.data() : y.data(), n, m},
                                              bp::Groups::kColumns, p.data(), chosen.data(), mx.data());
      }
      CHECK(std::memcmp(full.data(), chosen.data(), n * m * sizeof(double)) == 0);
    }
  }
}
