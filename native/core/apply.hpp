// The single write pass of every projection: an elementwise map of y into out
// with one parameter per group. Reading y[k] and writing out[k] at the same
// index makes out == y (in place) safe.
//
// Each map is monotone in |y| and keeps the sign of y, so a group of out is
// all zero exactly when the map sends the group's largest |y| to zero; the
// *_is_zero helpers count zero groups that way, with the same arithmetic as the
// write itself.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "scratch.hpp"
#include "simd/lanes_scalar.hpp"
#include "simd/lanes_sse2.hpp"

#include "finite.hpp"
#include "numeric.hpp"
#include "parallel.hpp"
#include "status.hpp"
#include "stream_store.hpp"

namespace bp {

// Rows per call of the row-block writes (the clip, the scale, the float
// shrink), from the row's length in bytes (docs/bilevel-write.md, "Rows that share a place in the page"). The
// rows of a block are read side by side; where their starts fall on the same
// place of a 4 KB page (within kPagePlaceBytes), their loads compete for the
// same first-level cache sets and are checked against the same store
// addresses, and the block ran up to twice as slow as one row at a time
// (rows of 32 KB, a power of two: eight at once 1.8 x a memcpy, two at once
// 0.85). The block takes the most rows (up to simd::kWriteRows) such that
// each row shares its place with at most one other and at most two pairs
// share one: 100 x 80000 doubles (a row start every 1 KB of the page) six,
// rows of a multiple of 4 KB two, the other grid shapes that write in row
// blocks (1000 x 8000, 4000 x 4000) eight. Two starts closer than
// kPagePlaceBytes count as one place: the measured layouts had starts 0 or
// 1 KB apart; 256 B (four lines) is a margin for the hardware's wider
// store-to-load address checks, not a measured edge (other residues of the
// page were not timed).
constexpr std::size_t kPageBytes = 4096;
constexpr std::size_t kPagePlaceBytes = 256;
inline std::size_t write_block_rows(std::size_t row_bytes) {
  std::size_t place[simd::kWriteRows], partners[simd::kWriteRows] = {};
  std::size_t pairs = 0;
  for (std::size_t r = 0; r < simd::kWriteRows; ++r) {
    place[r] = (r * (row_bytes % kPageBytes)) % kPageBytes;
    for (std::size_t k = 0; k < r; ++k) {
      const std::size_t d = place[r] > place[k] ? place[r] - place[k] : place[k] - place[r];
      if (std::min(d, kPageBytes - d) >= kPagePlaceBytes) continue;
      ++pairs;
      if (++partners[k] > 1 || ++partners[r] > 1 || pairs > 2) return r;
    }
  }
  return simd::kWriteRows;
}

// Whether a map has a stream over whole rows end to end (stream_wrap).
template <class M, class = void>
struct StreamWraps : std::false_type {};
template <class M>
struct StreamWraps<M, std::void_t<decltype(M::kStreamWrap)>> : std::bool_constant<M::kStreamWrap> {};

// x = sign(y) * min(|y|, c): the l-infinity ball of radius c (clipping).
template <class T>
struct ClipMap {
  static constexpr bool kStreams = true;       // has a hand-vectorised streaming row
  static constexpr bool kStreamChecks = true;  // ... which reports whether its source was finite
  // The vector instructions' min/max order, as clamp_sym in stream_store.hpp:
  // the same bytes (signed zeros included) on the streaming and direct paths.
  static T apply(T y, T c) { return clamp_sym(y, c); }
  static bool stream_each(const T* src, const T* c, T* dst, std::size_t n) {
    return stream_clamp<true>(src, c, T(0), dst, n);
  }
  static bool stream_one(const T* src, T c, T* dst, std::size_t n) {
    return stream_clamp<false>(src, nullptr, c, dst, n);
  }
  // Whole rows end to end as one stream (float only: stream_store.hpp).
  static constexpr bool kStreamWrap = std::is_same_v<T, float>;
  static bool stream_wrap(const T* src, const T* cc, T* dst, std::size_t n, std::size_t m) {
    return stream_clamp_wrap(src, cc, dst, n, m);
  }
  static T param(double c) { return narrow_toward_zero<T>(c); }
  // min(T(mx), param(c)) == 0 (std::min: c's side when strictly smaller),
  // decided in double without narrowing, so that a count over 80000 groups
  // vectorises (the narrowing loop cost ~3 ns a group in float): T(mx) is
  // +-0 exactly when |mx| <= kZeroMax (round to nearest, the tie to even
  // included) and param(c) exactly when |c| < kZeroBelow (toward zero);
  // then the smaller side is c's when both are zero or c's zero is below a
  // positive mx, and mx's zero is taken unless c is negative.
  static constexpr double kZeroMax = std::is_same_v<T, float> ? 0x1p-150 : 0.0;
  static constexpr double kZeroBelow = std::is_same_v<T, float> ? 0x1p-149 : 0x1p-1074;
  static bool is_zero(double mx, double c) {
    const bool mx_zero = std::fabs(mx) <= kZeroMax, c_zero = std::fabs(c) < kZeroBelow;
    return (mx_zero & !(c < 0.0)) | (c_zero & (mx_zero | (mx > 0.0)));
  }
  // The count of j < k with is_zero(mx[j], c[j]): the zero groups of a clip
  // write. The same tests in the baseline vector lanes (compare masks, their
  // ones added in double: exact), since the compiler left the plain loop
  // scalar.
  static std::size_t count_zero(const double* mx, const double* c, std::size_t k) {
    using L = simd::Lanes<double, simd::Baseline>;
    constexpr std::size_t W = L::kWidth;
    const auto sign = L::set1(-0.0), zero = L::zero(), one = L::set1(1.0);
    const auto zmax = L::set1(kZeroMax), zbelow = L::set1(kZeroBelow);
    auto n0 = L::zero(), n1 = L::zero();
    std::size_t j = 0;
    auto at = [&](std::size_t i) {
      const auto m = L::load(mx + i), p = L::load(c + i);
      const auto mx_zero = L::ge(zmax, L::and_not(sign, m)), c_zero = L::gt(zbelow, L::and_not(sign, p));
      const auto hit =
          L::bit_or(L::and_not(L::gt(zero, p), mx_zero), L::bit_and(c_zero, L::bit_or(mx_zero, L::gt(m, zero))));
      return L::bit_and(hit, one);
    };
    for (; j + 2 * W <= k; j += 2 * W) {
      n0 = L::add(n0, at(j));
      n1 = L::add(n1, at(j + W));
    }
    double lanes[W];
    L::store(lanes, L::add(n0, n1));
    std::size_t count = 0;
    for (std::size_t l = 0; l < W; ++l) count += static_cast<std::size_t>(lanes[l]);
    for (; j < k; ++j) count += is_zero(mx[j], c[j]) ? 1 : 0;
    return count;
  }
  // stream_each for `rows` rows (block_rows), stride entries apart.
  static constexpr bool kStreamRows = true;
  static bool has_stream_rows() { return true; }
  static std::size_t block_rows(std::size_t row_bytes) { return write_block_rows(row_bytes); }
  static bool stream_rows(const T* src, std::size_t stride, const T* c, T* dst, std::size_t n, std::size_t rows) {
    const simd::KernelTable& k = simd::kernels();
    if constexpr (std::is_same_v<T, float>) {
      return k.clamp_rows_f32(src, stride, c, dst, n, rows);
    } else {
      return k.clamp_rows_f64(src, stride, c, dst, n, rows);
    }
  }
};

// x = sign(y) * max(|y| - t, 0): soft thresholding, computed in double and
// rounded once, toward zero.
template <class T>
struct ShrinkMap {
  static constexpr bool kStreams = true;
  static constexpr bool kStreamChecks = false;
  static T apply(T y, double t) { return shrink_entry(y, t); }
  static void stream_each(const T* src, const double* t, T* dst, std::size_t n) {
    shrink_row<true, true>(src, t, 0.0, dst, n);
  }
  static void stream_one(const T* src, double t, T* dst, std::size_t n) {
    shrink_row<false, true>(src, nullptr, t, dst, n);
  }
  // Hand-vectorised for direct writes too: the float rounding does not vectorise by itself.
  static void row_each(const T* src, const double* t, T* dst, std::size_t n) {
    shrink_row<true, false>(src, t, 0.0, dst, n);
  }
  static void row_one(const T* src, double t, T* dst, std::size_t n) {
    shrink_row<false, false>(src, nullptr, t, dst, n);
  }
  static double param(double t) { return t; }
  // apply(mx, t) == 0 without the narrowing: a double narrowed toward zero
  // is a float zero exactly when its magnitude is below the smallest
  // subnormal float, 2^-149 (NaN is not: the compare fails), and a double
  // is zero when below 2^-1074. On 80000 groups the narrowing per group was
  // visible in a float call.
  static bool is_zero(double mx, double t) {
    const double a = static_cast<double>(static_cast<T>(mx));
    return std::fabs(a > t ? a - t : (a < -t ? a + t : 0.0)) < kZeroBelow;
  }
  static constexpr double kZeroBelow = std::is_same_v<T, float> ? 0x1p-149 : 0x1p-1074;
  // Rows in blocks for float only, where the table has a row-block float
  // shrink (AVX-512F): a row's double thresholds are twice the bytes of the
  // float row. A four-row double write measured no faster (bilevel-l11.md).
  static constexpr bool kStreamRows = true;
  static bool has_stream_rows() {
    if constexpr (std::is_same_v<T, float>) {
      return simd::kernels().shrink_rows_f32 != nullptr;
    } else {
      return false;
    }
  }
  static std::size_t block_rows(std::size_t row_bytes) { return write_block_rows(row_bytes); }
  static bool stream_rows(const T* src, std::size_t stride, const double* t, T* dst, std::size_t n, std::size_t rows) {
    if constexpr (std::is_same_v<T, float>) {
      return simd::kernels().shrink_rows_f32(src, stride, t, dst, n, rows);
    } else {
      // Not reached (has_stream_rows() is false for double): row by row. The
      // return is not a finiteness check here (kStreamChecks is false).
      for (std::size_t r = 0; r < rows; ++r) stream_each(src + r * stride, t, dst + r * stride, n);
      return true;
    }
  }
};

// x = s * y: the scaling of the bilevel l1,2 projection.
template <class T>
struct ScaleMap {
  static constexpr bool kStreams = true;
  static constexpr bool kStreamChecks = true;
  static T apply(T y, double s) { return narrow_toward_zero<T>(static_cast<double>(y) * s); }
  static bool stream_each(const T* src, const double* s, T* dst, std::size_t n) {
    return scale_row<true, true>(src, s, 0.0, dst, n);
  }
  static bool stream_one(const T* src, double s, T* dst, std::size_t n) {
    return scale_row<false, true>(src, nullptr, s, dst, n);
  }
  // Hand-vectorised for direct writes too: the float rounding does not vectorise by itself.
  static void row_each(const T* src, const double* s, T* dst, std::size_t n) {
    scale_row<true, false>(src, s, 0.0, dst, n);
  }
  static void row_one(const T* src, double s, T* dst, std::size_t n) {
    scale_row<false, false>(src, nullptr, s, dst, n);
  }
  static double param(double s) { return s; }
  // apply(mx, s) == 0 without the narrowing (see ShrinkMap::is_zero). A
  // double group whose results reach the subnormals is written rounded
  // toward zero (split.cpp, write_radii), so its largest result is zero
  // exactly when mx * s rounded toward zero is; a larger product is never zero.
  static bool is_zero(double mx, double s) {
    if constexpr (std::is_same_v<T, double>) {
      return scale_toward_zero_if_subnormal(mx, s) == 0.0;
    } else {
      return std::fabs(static_cast<double>(static_cast<T>(mx)) * s) < kZeroBelow;
    }
  }
  static constexpr double kZeroBelow = std::is_same_v<T, float> ? 0x1p-149 : 0x1p-1074;
  // For float only where the table has a row-block float scale: the AVX2
  // one is bound by its arithmetic, and more rows at once measured slower.
  static constexpr bool kStreamRows = true;
  static bool has_stream_rows() { return std::is_same_v<T, double> || simd::kernels().scale_rows_f32 != nullptr; }
  static std::size_t block_rows(std::size_t row_bytes) { return write_block_rows(row_bytes); }
  static bool stream_rows(const T* src, std::size_t stride, const double* s, T* dst, std::size_t n, std::size_t rows) {
    if constexpr (std::is_same_v<T, double>) {
      return simd::kernels().scale_rows_f64(src, stride, s, dst, n, rows);
    } else {
      return simd::kernels().scale_rows_f32(src, stride, s, dst, n, rows);
    }
  }
};

// One chunk of a row: dst[j] = Map(src[j], q[j]) (columns: a parameter per
// entry) or Map(src[j], q) (rows: one per row). Kept as separate small
// loops so that the compiler vectorises each.
template <class Map, class T, class P>
void map_each(const T* src, const P* q, T* dst, std::size_t len) {
  for (std::size_t j = 0; j < len; ++j) dst[j] = Map::apply(src[j], q[j]);
}

template <class Map, class T, class P>
void map_one(const T* src, P q, T* dst, std::size_t len) {
  for (std::size_t j = 0; j < len; ++j) dst[j] = Map::apply(src[j], q);
}

// A map's own vectorised row when it has one (detected by overload), else
// the generic loop.
template <class Map, class T, class P>
auto row_each_impl(const T* src, const P* q, T* dst, std::size_t n, int) -> decltype(Map::row_each(src, q, dst, n)) {
  return Map::row_each(src, q, dst, n);
}
template <class Map, class T, class P>
void row_each_impl(const T* src, const P* q, T* dst, std::size_t n, long) {
  map_each<Map>(src, q, dst, n);
}
template <class Map, class T, class P>
auto row_one_impl(const T* src, P q, T* dst, std::size_t n, int) -> decltype(Map::row_one(src, q, dst, n)) {
  return Map::row_one(src, q, dst, n);
}
template <class Map, class T, class P>
void row_one_impl(const T* src, P q, T* dst, std::size_t n, long) {
  map_one<Map>(src, q, dst, n);
}
template <class Map, class T, class P>
void row_each(const T* src, const P* q, T* dst, std::size_t n) {
  row_each_impl<Map>(src, q, dst, n, 0);
}
template <class Map, class T, class P>
void row_one(const T* src, P q, T* dst, std::size_t n) {
  row_one_impl<Map>(src, q, dst, n, 0);
}

// Per-column parameters at least this large (a row's worth) are shared by a
// block of rows in the streamed write (write_groups_impl). 12 KB, not 16:
// the float clip of 4000 x 4000 (16000 bytes of parameters a row) wrote
// 0.88-0.93 of its one-row time in blocks; 8 KB of parameters (8000 x 1000
// double) stay one row at a time, which measured faster there
// (docs/bilevel-write.md, "Float rows of 16000 bytes").
constexpr std::size_t kRowBlockParamBytes = std::size_t(12) << 10;

// The groups a map sends to +0 whatever their entries, so that the write
// can store zeros there without reading y (see docs/bilevel-write.md, the
// sparse write): a clip at a radius of +0 (both the scalar and the vector
// clip give +0 for every entry, -0 included); a soft threshold at or above
// the group's largest |y| (mx; every |y| <= t gives +0, and an entry above t
// keeps its sign even where the float rounding takes it to zero). Not the scale: y * 0
// keeps the sign of y, so a dead group of l1,2 holds -0 where y < 0, and
// those bytes can only come from reading y.
template <class Map>
struct DeadGroups {
  static constexpr bool kAny = false;
  template <class P>
  static bool dead(P, const double*, std::size_t) {
    return false;
  }
};
template <class T>
struct DeadGroups<ClipMap<T>> {
  static constexpr bool kAny = true;
  static bool dead(T c, const double*, std::size_t) { return c == T(0) && !std::signbit(c); }
};
template <class T>
struct DeadGroups<ShrinkMap<T>> {
  static constexpr bool kAny = true;
  // Not ShrinkMap::is_zero, which also counts a group whose largest entry
  // exceeds t by less than the float rounding keeps: such an entry becomes
  // -0 where y < 0. Only no entry above t gives +0 everywhere; a NaN t
  // too, as ShrinkMap::apply gives +0 then.
  static bool dead(double t, const double* mx, std::size_t j) { return mx != nullptr && !(mx[j] > t); }
};

// The tests force the write's choices (0: chosen per call; sparse 1 always
// where allowed, -1 never; stream 1: stream whatever the size).
struct WriteForce {
  std::atomic<int> sparse{0};
  std::atomic<int> stream{0};
};
inline WriteForce& write_force() {
  static WriteForce f;
  return f;
}

// A half-open range of columns [begin, end).
struct ColumnSpan {
  std::size_t begin, end;
};

// The sparse write works in units of two cache lines of the output (the
// pair the hardware fetches together), counted from out's own address: a
// run of zeros and a mapped span never share a line of out, so every line
// is stored whole by one of them (y's lines are read as the spans fall on
// them: y and out need not be aligned alike).
constexpr std::size_t kSparseUnitBytes = 128;

// The live spans of a row of m entries whose entry 0 sits `phase` entries
// past the start of a unit of `unit` entries, appended to `spans`: the runs
// of units that hold a live column (live: the live columns' indices, in
// increasing order), in column units (clipped to the row), runs separated
// by fewer than kSparseMinGapUnits dead units merged (1: only touching
// runs). Returns the number of live units, or stops at the first live unit
// past `cap` and returns cap + 1 (the write is then full).
constexpr std::size_t kSparseMinGapUnits = 1;
template <class Spans>
std::size_t live_spans(std::size_t m, std::size_t phase, std::size_t unit, const std::size_t* live, std::size_t count,
                       Spans& spans, std::size_t cap = ~std::size_t(0)) {
  std::size_t first = 0, last = 0, units = 0;
  bool open = false;
  auto close = [&]() {
    spans.push_back({first * unit > phase ? first * unit - phase : 0, std::min(m, (last + 1) * unit - phase)});
    units += last - first + 1;
  };
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t l = (live[k] + phase) / unit;
    if (open && l <= last + kSparseMinGapUnits) {
      last = l;
      continue;
    }
    if (open) close();
    if (units >= cap) return cap + 1;
    first = last = l;
    open = true;
  }
  if (open) close();
  return units > cap ? cap + 1 : units;
}

// How far ahead (in bytes of rows, at least one row) the sparse write asks
// for the live units it will read.
constexpr std::size_t kSparseAheadBytes = std::size_t(32) << 10;

// The sparse write pays while at most 2 % of a row's units are live
// (measured inside the projections, docs/bilevel-write.md, "The crossover in
// the projections": its reads are scattered, so each costs more than a
// streamed one, and the streamed zeros cost nearly what the full write does;
// at 3-5 % live units, 26-237 live columns, the double projections ran 2-26 %
// slower). Float rows go to 4 %: a float row has half the units of a double
// row of as many columns, so 4 % of them is the double's bound in units, and
// the float call goes sparse wherever the double call of the same live
// columns does. Measured for float rows of 1-9 live units (1000 x 8000,
// 8000 x 1000, 4000 x 4000: 0.76-0.96 of the full write's call) and of
// 65-100 live columns at 100 x 80000 (0.82-0.92; docs/bilevel-write.md,
// "The float bound at 100 x 80000"), where a 9-unit cap had kept the full
// write.
//
// Double rows of few units also go sparse up to kSparseDoubleMinLiveUnits
// live units (at most an eighth of the row's): the share gives a row of
// 8000 bytes (8000 x 1000, 63 units) one live unit, where the write of the
// same few live columns in the grid's other shapes goes sparse. Timed alone
// on 8000 x 1000 (docs/memory.md, "The sparse write on short double rows"):
// 0.52-0.64 of the full write at 1-6 live units, 0.74-0.84 at 8-12, 1.11 at
// 16; inside the projection at 3 live columns (Cauchy 0.1) 0.83 of the call,
// at 12 (Cauchy 0.5) the same as the full write. Six keeps a margin. The
// sparse and the full write give the same bytes.
constexpr double kSparseMaxLiveShare = 0.02;
constexpr double kSparseFloatMaxLiveShare = 0.04;
constexpr std::size_t kSparseDoubleMinLiveUnits = 6;
template <class T>
std::size_t sparse_max_live_units(std::size_t units) {
  const auto share = [units](double f) { return static_cast<std::size_t>(f * static_cast<double>(units)); };
  if constexpr (std::is_same_v<T, float>) {
    return share(kSparseFloatMaxLiveShare);
  } else {
    return std::max(share(kSparseMaxLiveShare), std::min(kSparseDoubleMinLiveUnits, units / 8));
  }
}

// out = Map(y) with parameter p[j] for group j, the write alone (the split
// path of split.hpp counts zero groups its own way). With `check`, each row
// is first checked for NaN and infinity while it is on its way into the
// cache, and the pass stops at the first row that has one: false is then
// returned and out is partly written (the caller owns what to do with it).
//
// Without `check` (the caller's first read has proven y finite), groups the
// map sends to +0 (DeadGroups; mx: the groups' largest |y|, or null) are
// written as zeros without being read: dead rows whole, and for groups =
// columns, when few enough units of a row hold a live column, the row as
// zeros over its dead units and the map over its live spans (the sparse
// write). With `check` every entry must be read, so neither is taken.
template <class Map, class T>
bool write_groups_impl(const MatrixRef<T>& y, Groups g, const double* p, T* out, bool check,
                       const double* mx = nullptr) {
  using P = decltype(Map::param(0.0));
  const std::size_t n = y.rows, m = y.cols;
  ScratchVector<P> q(g == Groups::kColumns ? m : 0);
  for (std::size_t j = 0; j < q.size(); ++j) q[j] = Map::param(p[j]);
  // A large separate output bypasses the cache (see stream_store.hpp) where
  // the map has a streaming row; otherwise rows are written directly.
  const bool stream =
      Map::kStreams && out != y.data && (y.size() * sizeof(T) >= kStreamBytes || write_force().stream.load() == 1);
  const int force_sparse = write_force().sparse.load();
  const bool skip_dead = DeadGroups<Map>::kAny && !check && force_sparse >= 0;
  // The sparse write's spans, one list per phase of a row's start in its
  // unit (rows of m entries need not start on a unit boundary): phase ph's
  // list is spans[span_from[ph] .. span_to[ph]).
  constexpr std::size_t kUnit = kSparseUnitBytes / sizeof(T);
  ScratchVector<ColumnSpan> spans;
  std::array<std::size_t, kUnit> span_from{}, span_to{};
  std::array<bool, kUnit> seen{};
  auto phase_of = [&](std::size_t i) {
    return (reinterpret_cast<std::uintptr_t>(out + i * m) % kSparseUnitBytes) / sizeof(T);
  };
  bool sparse = false;
  if (skip_dead && g == Groups::kColumns && m > 0) {
    // Each phase's list stops past its share of live units (the write is
    // then full), except when the tests force the sparse write.
    auto cap_of = [&](std::size_t ph) {
      const std::size_t units = (m + ph + kUnit - 1) / kUnit;
      return force_sparse > 0 ? units : sparse_max_live_units<T>(units);
    };
    // The live columns, found once for every phase: a unit holds at most
    // kUnit of them, so past (cap + 1) * kUnit no phase fits its cap and
    // the search stops (most calls at larger radii stop after a few
    // columns).
    const std::size_t most = (cap_of(kUnit - 1) + 1) * kUnit;
    ScratchVector<std::size_t> live;
    for (std::size_t j = 0; j < m && live.size() <= most; ++j)
      if (!DeadGroups<Map>::dead(q[j], mx, j)) live.push_back(j);
    bool pays = live.size() <= most;
    // The phases repeat with a period of at most kUnit rows.
    for (std::size_t i = 0; i < std::min(n, kUnit) && pays; ++i) {
      const std::size_t ph = phase_of(i);
      if (seen[ph]) continue;
      seen[ph] = true;
      const std::size_t from = spans.size(), cap = cap_of(ph);
      pays = live_spans(m, ph, kUnit, live.data(), live.size(), spans, cap) <= cap;
      span_from[ph] = from;
      span_to[ph] = spans.size();
    }
    sparse = pays;
  }
  // The sparse write asks for the live units of the row this many rows
  // ahead: at least kSparseAheadBytes of rows, so that short rows (whose
  // write takes less than a miss) still hide the latency of the reads.
  const std::size_t ahead = std::max<std::size_t>(1, kSparseAheadBytes / std::max<std::size_t>(1, m * sizeof(T)));
  auto live_run = [&](const T* r, const P* qq, T* o, std::size_t len) {
    if (stream) {
      // (a streaming row that reports finiteness reports to no one here:
      // the sparse write is never a checked one)
      if constexpr (Map::kStreams) (void)Map::stream_each(r, qq, o, len);
    } else {
      row_each<Map>(r, qq, o, len);
    }
  };
  auto zero_run = [&](T* o, std::size_t len) {
    if (stream)
      stream_zero(o, len);
    else
      std::fill(o, o + len, T(0));
  };
  // Blocks of rows share the loads of the parameters where a row's worth of
  // them (m of them) would not stay in the first-level cache; below that,
  // one row at a time measured faster (fewer streams at once).
  bool row_blocks = false;
  std::size_t block_rows = 1;
  if constexpr (Map::kStreamRows) {
    block_rows = Map::block_rows(m * sizeof(T));
    row_blocks =
        stream && !sparse && g == Groups::kColumns && m * sizeof(P) >= kRowBlockParamBytes && Map::has_stream_rows();
  }
  // Float clip rows written one at a time (rows too short for the blocks)
  // go as one stream over each thread's rows, the parameters repeated past
  // a row's end (clamp_wrap): a float row of 1000 ends inside a line, and
  // one row at a time stored every such line in two parts, the row's ends
  // with plain stores (docs/exact-float32.md, "The float write of short
  // rows as one stream"). Where every row starts on 32 bytes (an out the
  // caller placed so, rows of whole 32-byte units) no line is split, and the
  // rows one at a time measured faster (4.06-4.23 ms against 4.30-4.61): kept
  // there. The same operations per entry: the same bytes either way.
  ScratchVector<P> wrap;
  if constexpr (StreamWraps<Map>::value) {
    const bool rows_on_32 = reinterpret_cast<std::uintptr_t>(out) % 32 == 0 && (m * sizeof(T)) % 32 == 0;
    if (stream && !sparse && !row_blocks && g == Groups::kColumns && m >= simd::kWrapLanes && !rows_on_32) {
      wrap.resize(m + simd::kWrapLanes);
      for (std::size_t j = 0; j < wrap.size(); ++j) wrap[j] = q[j % m];
    }
  }
  std::atomic<bool> bad{false};
  // Elementwise, so any split of the rows gives the same bytes.
  parallel_ranges(n, std::max<std::size_t>(1, 4096 / std::max<std::size_t>(m, 1)), y.size(),
                  [&](std::size_t r0, std::size_t r1) {
                    if (sparse) {
                      // Live spans mapped, dead runs stored as zeros; the
                      // live units of a row `ahead` are asked for
                      // meanwhile, since scattered lines escape the
                      // hardware prefetcher. Where rows end inside a line
                      // (float rows of 1000), a dead run that reaches a
                      // row's end goes on into the next row's (they are
                      // adjacent in out), so that the line the two rows
                      // share is not stored in two parts with plain
                      // stores, each of which must first read it; rows of
                      // whole lines keep a run per row, which measured
                      // faster there (docs/bilevel-write.md, "Zero runs
                      // across rows").
                      const bool join = (m * sizeof(T)) % 64 != 0;
                      T* zeros = nullptr;  // the open dead run, from here to the current column
                      for (std::size_t i = r0; i < r1; ++i) {
                        const T* r = y.data + i * m;
                        T* o = out + i * m;
                        const std::size_t ph = phase_of(i);
                        const T* next = i + ahead < r1 ? r + ahead * m : nullptr;
                        std::size_t c = 0;
                        for (std::size_t k = span_from[ph]; k < span_to[ph]; ++k) {
                          const ColumnSpan& s = spans[k];
                          if (next != nullptr) prefetch_range(next + s.begin, (s.end - s.begin) * sizeof(T));
                          if (s.begin > c && zeros == nullptr) zeros = o + c;
                          if (zeros != nullptr) zero_run(zeros, static_cast<std::size_t>(o + s.begin - zeros));
                          zeros = nullptr;
                          live_run(r + s.begin, q.data() + s.begin, o + s.begin, s.end - s.begin);
                          c = s.end;
                        }
                        if (c < m && zeros == nullptr) zeros = o + c;
                        if (!join && zeros != nullptr) {
                          zero_run(zeros, static_cast<std::size_t>(o + m - zeros));
                          zeros = nullptr;
                        }
                      }
                      if (zeros != nullptr) zero_run(zeros, static_cast<std::size_t>(out + r1 * m - zeros));
                      if (stream) stream_fence();
                      return;
                    }
                    if constexpr (StreamWraps<Map>::value) {
                      if (!wrap.empty()) {
                        if (!Map::stream_wrap(y.data + r0 * m, wrap.data(), out + r0 * m, (r1 - r0) * m, m) && check)
                          bad.store(true, std::memory_order_relaxed);
                        stream_fence();
                        return;
                      }
                    }
                    for (std::size_t i = r0; i < r1; ++i) {
                      const T* r = y.data + i * m;
                      T* o = out + i * m;
                      if (skip_dead && g == Groups::kRows && DeadGroups<Map>::dead(Map::param(p[i]), mx, i)) {
                        zero_run(o, m);
                        continue;
                      }
                      // Streamed per-column parameters: a block of rows per
                      // call, so that each parameter is loaded once for the
                      // block (Map::block_rows of them; checked as one).
                      if constexpr (Map::kStreamRows) {
                        if (row_blocks && i + block_rows <= r1) {
                          if (check && bad.load(std::memory_order_relaxed)) break;
                          if (!Map::stream_rows(r, m, q.data(), o, m, block_rows) && check) {
                            bad.store(true, std::memory_order_relaxed);
                            break;
                          }
                          i += block_rows - 1;
                          continue;
                        }
                      }
                      if (check && bad.load(std::memory_order_relaxed)) break;
                      // The check rides along a streaming row that reports
                      // finiteness; otherwise the row is read just before it
                      // is written (it is in cache for the write then).
                      const bool fused = stream && Map::kStreamChecks;
                      if (check && !fused && !range_finite(r, m)) {
                        bad.store(true, std::memory_order_relaxed);
                        break;
                      }
                      bool finite = true;
                      if (stream) {
                        if constexpr (Map::kStreamChecks) {
                          finite = g == Groups::kColumns ? Map::stream_each(r, q.data(), o, m)
                                                         : Map::stream_one(r, Map::param(p[i]), o, m);
                        } else if constexpr (Map::kStreams) {
                          if (g == Groups::kColumns)
                            Map::stream_each(r, q.data(), o, m);
                          else
                            Map::stream_one(r, Map::param(p[i]), o, m);
                        }
                      } else if (g == Groups::kColumns) {
                        row_each<Map>(r, q.data(), o, m);
                      } else {
                        row_one<Map>(r, Map::param(p[i]), o, m);
                      }
                      if (check && !finite) {
                        bad.store(true, std::memory_order_relaxed);
                        break;
                      }
                    }
                    if (stream) stream_fence();
                  });
  return !bad.load();
}

template <class Map, class T>
void write_groups(const MatrixRef<T>& y, Groups g, const double* p, T* out, const double* mx = nullptr) {
  write_groups_impl<Map>(y, g, p, out, false, mx);
}

// out = Map(y) with parameter p[j] for group j; returns how many groups of out
// are entirely zero (mx holds the group maxima of |y|).
template <class Map, class T>
std::size_t apply_groups(const MatrixRef<T>& y, Groups g, const double* p, const double* mx, T* out) {
  const std::size_t ng = group_count(y.rows, y.cols, g);
  std::size_t zero = 0;
  for (std::size_t j = 0; j < ng; ++j) zero += Map::is_zero(mx[j], p[j]) ? 1 : 0;
  write_groups<Map>(y, g, p, out, mx);
  return zero;
}

// out = Map(v) with one parameter p for the whole vector, for a map that
// sends |v| <= p to zero (ShrinkMap). live holds a bit per block of `block`
// entries, clear only for blocks whose every |v| is at or below p: those are
// written as zeros without reading v. Split across threads in chunks of
// whole blocks; elementwise, so the bytes do not depend on the split.
template <class Map, class T>
void apply_vector_blocks(const T* v, std::size_t n, double p, const std::uint64_t* live, std::size_t block, T* out) {
  using P = decltype(Map::param(0.0));
  const P q = Map::param(p);
  const bool stream = Map::kStreams && out != v && n * sizeof(T) >= kStreamBytes;
  const std::size_t blocks = (n + block - 1) / block;
  const std::size_t per_chunk = std::max<std::size_t>(1, (std::size_t(1) << 14) / block);
  auto is_live = [live](std::size_t b) { return ((live[b / 64] >> (b % 64)) & 1u) != 0; };
  // Live blocks are scattered, so the hardware prefetcher does not see them
  // coming: each would stall on a miss. They are prefetched a few blocks ahead.
  constexpr std::size_t kAhead = 8;
  parallel_ranges((blocks + per_chunk - 1) / per_chunk, 1, n, [&](std::size_t c0, std::size_t c1) {
    const std::size_t b_end = std::min(blocks, c1 * per_chunk);
    auto prefetch_ahead = [&](std::size_t b) {
      const std::size_t a = b + kAhead;
      if (a < blocks && is_live(a)) prefetch_range(v + a * block, std::min(block, n - a * block) * sizeof(T));
    };
    for (std::size_t b = c0 * per_chunk; b < b_end;) {
      const std::size_t lo = b * block;
      if (is_live(b)) {
        prefetch_ahead(b);
        const std::size_t len = std::min(block, n - lo);
        if (stream) {
          if constexpr (Map::kStreams) Map::stream_one(v + lo, q, out + lo, len);
        } else {
          row_one<Map>(v + lo, q, out + lo, len);
        }
        ++b;
        continue;
      }
      // A run of zero blocks, written in one go.
      std::size_t e = b;
      for (; e < b_end && !is_live(e); ++e) prefetch_ahead(e);
      const std::size_t hi = std::min(n, e * block);
      if (stream)
        stream_zero(out + lo, hi - lo);
      else
        std::fill(out + lo, out + hi, T(0));
      b = e;
    }
    if (stream) stream_fence();
  });
}

}  // namespace bp
