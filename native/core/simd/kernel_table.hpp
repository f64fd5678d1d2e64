// The one dispatch table: every loop that exists in several instruction sets
// is reached through it. kernels() picks the table once, at its first call,
// for the best set the CPU runs; after that a call costs one indirect jump.
// The loops themselves are in loops-inl.hpp.
#pragma once

#include <cstddef>
#include <cstdint>

#include "target.hpp"

namespace bp {
namespace simd {

struct LowLists;

// How many of the largest entries per column the column_max_sum_top loops
// keep (column_topk.hpp).
constexpr std::size_t kColumnTop = 8;

// The first reads of the exact method (column_max_sum_top_*,
// column_max_sum_count_*) go across the columns in tiles of this many, whose
// accumulators (the maxima, sums and counts or lists) stay in the second-level
// cache while the rows stream by; every loop of them, AVX2 and AVX-512F, uses
// this one. The tiles change no order within a column.
constexpr std::size_t kFirstReadTile = 4096;

// One Adam step's constants (see sae/adam.cpp).
template <class T>
struct AdamCoefficients {
  T b1, b2, c1, c2, step, inv_sqrt_bc2, eps;
};

// Rows per call of the row-block write loops (clamp_rows, scale_rows,
// shrink_rows_f32), at most.
// Eight rows measured 4-6 % faster than four for the double writes of the
// wide grid shapes and the same for float; sixteen, 25 % slower (too many
// streams at once); docs/bilevel-write.md. All four (the clip, the double
// and float scale, the float shrink) take fewer where the rows' starts share
// places of a 4 KB page (apply.hpp, write_block_rows).
constexpr std::size_t kWriteRows = 8;
// Parameters repeated past a row's end for clamp_wrap: enough for a vector of
// sixteen floats (the AVX2 kernel, which the AVX-512F table keeps, loads
// eight).
constexpr std::size_t kWrapLanes = 16;
// Rows the bilevel l1,1 block gathers prefetch ahead (l1_block_gather in
// loops-inl.hpp and its float-buffer twin in l1_block_avx512.cpp): a row's
// slice lies a stride past the previous one, where the hardware prefetcher
// does not follow.
constexpr std::size_t kL1GatherAhead = 16;
// The lanes of one bilevel l1,1 block: one cache line of doubles.
constexpr std::size_t kL1BlockLanes = 8;

struct KernelTable {
  template <class T, class C>
  using Clamp = bool (*)(const T* src, const C* c, T one, T* dst, std::size_t n);
  template <class T>
  using Shrink = void (*)(const T* src, const double* t, double one, T* dst, std::size_t n);
  template <class T>
  using ColumnPass = bool (*)(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                              double scale, double* mx, double* sum);
  template <class T>
  using ColumnStats = void (*)(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                               double scale, const double* mu, double* k, double* s, double* c, const double* lo,
                               double* cnt);
  template <class T>
  using GroupStats = void (*)(const T* r, std::size_t len, double scale, double u, double* k, double* s);
  template <class T>
  using FillCandidates = void (*)(const T* y, std::size_t n, std::size_t m, double scale, const double* bound,
                                  const std::size_t* cap, const std::size_t* cbeg, std::size_t* len, double* out);

  const char* name = "";
  // dst = clamp(src, -c, c) with streaming stores, c per entry or one c;
  // true when every src entry was finite.
  Clamp<double, double> clamp_each_f64 = nullptr, clamp_one_f64 = nullptr;
  Clamp<float, float> clamp_each_f32 = nullptr, clamp_one_f32 = nullptr;
  // The same clip over whole rows of m entries laid end to end, entry k at
  // column (j + k) % m, the parameters in cc (m of them, then their first
  // kWrapLanes again; m >= kWrapLanes); true when every src entry was finite.
  bool (*clamp_wrap_f32)(const float* src, const float* cc, float* dst, std::size_t n, std::size_t m,
                         std::size_t j) = nullptr;
  // dst = soft threshold of src, in double, rounded toward zero:
  // [per-entry t][streaming stores].
  Shrink<double> shrink_f64[2][2] = {};
  Shrink<float> shrink_f32[2][2] = {};
  // No NaN and no infinity among n entries.
  bool (*finite_f64)(const double*, std::size_t) = nullptr;
  bool (*finite_f32)(const float*, std::size_t) = nullptr;
  // dst = +0 with streaming stores.
  void (*zero_f64)(double*, std::size_t) = nullptr;
  void (*zero_f32)(float*, std::size_t) = nullptr;
  // One Adam update of n parameters.
  void (*adam_f64)(const AdamCoefficients<double>&, double*, const double*, double*, double*, std::size_t) = nullptr;
  void (*adam_f32)(const AdamCoefficients<float>&, float*, const float*, float*, float*, std::size_t) = nullptr;
  // Max |y| (and sum |y| * scale) per column of a column range.
  ColumnPass<double> column_max_f64 = nullptr, column_max_sum_f64 = nullptr;
  ColumnPass<float> column_max_f32 = nullptr, column_max_sum_f32 = nullptr;
  // The streaming exact l1,inf passes (exact_stream.cpp): per column of a
  // column range, or of one contiguous group, the count and compensated sum
  // of the entries |y| * scale at or above a threshold; and the copy of the
  // entries at or above a bound into per-column segments.
  ColumnStats<double> column_stats_f64 = nullptr;
  ColumnStats<float> column_stats_f32 = nullptr;
  GroupStats<double> group_stats_f64 = nullptr;
  GroupStats<float> group_stats_f32 = nullptr;
  FillCandidates<double> fill_candidates_f64 = nullptr;
  FillCandidates<float> fill_candidates_f32 = nullptr;
  // column_stats, and per column the largest entry below the threshold and
  // the smallest at or above it (the gap in which the active set holds).
  template <class T>
  using ColumnStatsGap = void (*)(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                                  double scale, const double* mu, double* k, double* s, double* c, const double* lo,
                                  double* cnt, double* lb, double* ub);
  ColumnStatsGap<double> column_stats_gap_f64 = nullptr;
  ColumnStatsGap<float> column_stats_gap_f32 = nullptr;
  // The count and sum per column of the entries at or above hi[j], and the
  // list, as (column, value), of those below it (at most cap of them held,
  // *held counting all).
  template <class T>
  using ColumnStatsBelow = void (*)(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                                    double scale, const double* hi, double* k, double* s, double* c, std::size_t cap,
                                    std::uint32_t* col, double* val, std::size_t* held);
  ColumnStatsBelow<double> column_stats_below_f64 = nullptr;
  ColumnStatsBelow<float> column_stats_below_f32 = nullptr;
  // dst = src * s (s per entry or one s), in double, rounded toward zero:
  // [per-entry s][streaming stores].
  // true when every src entry was finite.
  template <class T>
  using Scale = bool (*)(const T* src, const double* s, double one, T* dst, std::size_t n);
  Scale<double> scale_f64[2][2] = {};
  Scale<float> scale_f32[2][2] = {};
  // Max |y| and the sum of squares (row order) per column of a column range.
  template <class T>
  using ColumnSquares = bool (*)(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                                 double* mx, double* sq);
  ColumnSquares<double> column_max_squares_f64 = nullptr;
  ColumnSquares<float> column_max_squares_f32 = nullptr;
  // Max |y|, sum |y| * scale (as column_max_sum_*) and the kColumnTop
  // largest |y| per column of a column range (top[j * kColumnTop ..],
  // largest first).
  template <class T>
  using ColumnTop = bool (*)(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                             double scale, double* mx, double* sum, T* top);
  ColumnTop<double> column_max_sum_top_f64 = nullptr;
  ColumnTop<float> column_max_sum_top_f32 = nullptr;
  // The streamed row-block writes: `rows` rows at once (1 to kWriteRows;
  // row r at src + r * stride and dst + r * stride), a parameter per column
  // shared by the rows; each row gets the bytes of the one-row streamed loop
  // (clamp_each, scale[1][1], shrink_f32[1][1]). The caller picks the row
  // count: rows whose starts share places of a 4 KB page ran slower eight
  // at a time (apply.hpp, write_block_rows). True when every src entry was
  // finite.
  template <class T, class P>
  using WriteSomeRows = bool (*)(const T* src, std::size_t stride, const P* p, T* dst, std::size_t n, std::size_t rows);
  WriteSomeRows<double, double> clamp_rows_f64 = nullptr, scale_rows_f64 = nullptr;
  WriteSomeRows<float, float> clamp_rows_f32 = nullptr;
  // The float scale in row blocks: only where the float scale is not bound
  // by its arithmetic (AVX-512F, scale_avx512.hpp); null otherwise.
  WriteSomeRows<float, double> scale_rows_f32 = nullptr;
  // The bilevel l1,1 block passes over n rows of kL1BlockLanes doubles (one
  // column per lane, see loops-inl.hpp): per lane the count of the entries
  // above t[q] and their sum, plain or compensated, or (kept) the
  // compensated sum of x - t[q]. Each returns the rows left in a: the plain
  // pass moves the rows with an entry above t to the front (n otherwise).
  using L1BlockPass = std::size_t (*)(double* a, std::size_t n, const double* t, double* sum, double* count);
  L1BlockPass l1_block_plain = nullptr, l1_block_compensated = nullptr, l1_block_kept = nullptr;
  // column_max_sum, and the number of entries that are not zero per column.
  template <class T>
  using ColumnCount = bool (*)(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                               double scale, double* mx, double* sum, double* nz);
  ColumnCount<double> column_max_sum_count_f64 = nullptr;
  ColumnCount<float> column_max_sum_count_f32 = nullptr;
  // column_max_sum_count_* at scale 1 that also keeps each column's
  // smallest nonzero |y| (low_lists.hpp, as doubles; the same maxima, sums
  // and counts). AVX-512F only (double_count_avx512.hpp,
  // float_count_avx512.hpp); null elsewhere, and the exact method then reads
  // without the lists.
  template <class T>
  using ColumnCountLow = bool (*)(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                                  double* mx, double* sum, double* nz, const LowLists* lists);
  ColumnCountLow<double> column_max_sum_count_low_f64 = nullptr;
  ColumnCountLow<float> column_max_sum_count_low_f32 = nullptr;
  // The bilevel l1,1 gather of one block of kL1BlockLanes columns: `rows`
  // rows, `stride` apart, appended as |y| * scale to dst from row `kept`,
  // kept when an entry is above its lane's t; sum and count (in and out) add
  // each lane's entries above t; then t is raised to the mean-rule bound
  // (sum - r) / count, lowered for rounding. Returns the rows kept
  // (loops-inl.hpp).
  template <class T>
  using L1BlockGather = std::size_t (*)(const T* src, std::size_t stride, std::size_t rows, std::size_t ahead,
                                        std::size_t width, double scale, double* dst, std::size_t kept, double* t,
                                        const double* r, double* sum, double* count);
  L1BlockGather<double> l1_block_gather_f64 = nullptr;
  L1BlockGather<float> l1_block_gather_f32 = nullptr;
  // The bilevel l1,1 compensated block pass with its chains' sum and error
  // apart, and each lane's gap around t: the smallest entry above it (+inf
  // where none) and the largest at or below it (+0 where none), so that a
  // lane's set can be proved stable without the kept pass (loops-inl.hpp).
  // The entries of a are |y| * scale: +0, positive or +inf, never -0 or NaN
  // (the AVX-512F loops order them by their bits as integers, which holds
  // only for those; the same for the float passes below).
  using L1BlockCompGap = void (*)(const double* a, std::size_t n, const double* t, double* sum, double* err,
                                  double* count, double* low, double* high);
  L1BlockCompGap l1_block_comp_gap = nullptr;
  // Rows [0, n) of columns [c0, c1) of a row-major matrix with `stride`
  // columns: every entry whose a = |y| * scale reaches bound[j] (NaN never
  // does) is appended as col[w] = j, val[w] = a, w counting on from *count, row
  // after row and within a row by column. A row is started only while
  // *count + (c1 - c0) <= cap, so that all of its records fit (and so do the
  // whole-vector stores of the AVX2 loop, which write past the last record of
  // a row but never past where that row could reach). Returns the rows done;
  // *count is the records held.
  template <class T>
  using CandidateRecords = std::size_t (*)(const T* y, std::size_t n, std::size_t stride, std::size_t c0,
                                           std::size_t c1, double scale, const double* bound, std::uint32_t* col,
                                           double* val, std::size_t cap, std::size_t* count);
  // The exact method's candidates of many columns as (column, value)
  // records (candidate_records.hpp), and whether they are packed in vector
  // lanes (the top-list copy takes them only then).
  CandidateRecords<double> candidate_records_f64 = nullptr;
  CandidateRecords<float> candidate_records_f32 = nullptr;
  bool candidate_records_in_lanes = false;
  // The float soft threshold in row blocks (as the row-block writes above),
  // with the bytes of shrink_f32[1][1] per row: only where the float shrink
  // is not bound by its arithmetic (AVX-512F, shrink_avx512.hpp); null
  // otherwise. True when every src entry was finite.
  WriteSomeRows<float, double> shrink_rows_f32 = nullptr;
  // The bilevel l1,1 block search on a float buffer (rows of kL1BlockLanes
  // floats, |y| of a float matrix): the gather (as l1_block_gather_f32 with
  // scale 1, appending floats), the plain, kept and compensated-gap passes,
  // each with the bits of its double-buffer loop; null where the CPU lacks
  // AVX-512F (l1_block_avx512.hpp).
  using L1FloatGather = std::size_t (*)(const float* src, std::size_t stride, std::size_t rows, std::size_t ahead,
                                        std::size_t width, float* dst, std::size_t kept, double* t, const double* r,
                                        double* sum, double* count);
  using L1FloatPass = std::size_t (*)(float* a, std::size_t n, const double* t, double* sum, double* count);
  using L1FloatCompGap = void (*)(const float* a, std::size_t n, const double* t, double* sum, double* err,
                                  double* count, double* low, double* high);
  L1FloatGather l1_float_gather = nullptr;
  L1FloatPass l1_float_plain = nullptr, l1_float_kept = nullptr;
  L1FloatCompGap l1_float_comp_gap = nullptr;
  // l1_float_comp_gap without the compensation: the plain running sum (the
  // compensated pass's s, bit for bit) with err = +0, for lanes whose every
  // partial sum is exact (floats above t are multiples of one power of two,
  // and their sum stays below 2^53 of it: group_l1_thresholds.cpp), where
  // the compensated pass's err is +0 too. Null where l1_float_comp_gap is.
  L1FloatCompGap l1_float_exact_gap = nullptr;
  // The band's records (candidate_records.hpp): as CandidateRecords, but an
  // entry at or above upper[j] is counted in k[j] and added to the
  // compensated sum (s[j], c[j]) instead of recorded (plain sums, in row
  // order, over blocks of up to 16 rows, each added with Neumaier's step);
  // only those in [bound[j], upper[j]) are recorded, each column's in row
  // order (columns may interleave in blocks of rows: callers store each
  // record in its column's segment). Every table's loop gives the same bits.
  template <class T>
  using BandRecords = std::size_t (*)(const T* y, std::size_t n, std::size_t stride, std::size_t c0, std::size_t c1,
                                      double scale, const double* bound, const double* upper, double* k, double* s,
                                      double* c, std::uint32_t* col, double* val, std::size_t cap, std::size_t* count);
  BandRecords<double> band_records_f64 = nullptr;
  BandRecords<float> band_records_f32 = nullptr;
  // The top-list copy by index (candidate_records.hpp): row after row, for
  // each listed column f (cols[f]) the entry a = |y| * scale is stored at
  // out[pos[f]], and pos[f] advances when a >= bound[f] and pos[f] < end[f]
  // (out[end[f]] is the spare slot that takes what a full segment cannot).
  // Every table's loop leaves the same pos and the same out[start .. pos[f])
  // per column; the slots from pos[f] to end[f] may hold anything.
  template <class T>
  using ColumnSegments = void (*)(const T* y, std::size_t n, std::size_t stride, const std::size_t* cols,
                                  std::size_t nf, double scale, const double* bound, std::size_t* pos,
                                  const std::size_t* end, double* out);
  ColumnSegments<double> column_segments_f64 = nullptr;
  ColumnSegments<float> column_segments_f32 = nullptr;
  // The few-groups gather of float data (gather_float.hpp): row after row,
  // for each column f (cols[f]) |y| is stored, as a float, at out[pos[f]],
  // and pos[f] advances when the entry is kept (every entry; with `nonzero`
  // those that are not zero) and pos[f] < end[f] (out[end[f]] is the spare
  // slot). Every table's loop leaves the same pos and out[start .. pos[f]).
  void (*gather_float)(const float* y, std::size_t n, std::size_t stride, const std::size_t* cols, std::size_t nf,
                       bool nonzero, std::size_t* pos, const std::size_t* end, float* out) = nullptr;
  // The passes of the l1 ball's threshold (l1ball.cpp) over doubles, in
  // fixed lanes whatever the width: the bits of the baseline loops they
  // replace. l1_sum_above: 8 lanes, per lane the sum and count of the entries
  // above t; l1_masked_sum4: 4 lanes, per lane the two-sum of x - shift over
  // the x above t, its error and the count. Each returns where its steps end.
  std::size_t (*l1_sum_above)(const double* a, std::size_t n, double t, double* sum8, double* count8) = nullptr;
  std::size_t (*l1_masked_sum4)(const double* a, std::size_t n, double t, double shift, double* sum4, double* err4,
                                double* count4) = nullptr;
  // The exact method's envelope G(theta) (exact_stream.cpp, envelope_at) in
  // its four fixed lanes: over the groups idx[q] (q itself when idx is null),
  // q < n (a multiple of 4), group q in lane q mod 4, each lane's Neumaier sum
  // (sum4, comp4) of the terms max(0, mx_j - theta, (s_j - theta) * inv_j)
  // and the sum of their slopes (1, inv_j or 0), inv_j = 1 / max(nz_j, 1)
  // with nz, inv_len without: the scalar loop's bits at every width.
  void (*envelope_sum4)(const double* s, const double* mx, const double* nz, double inv_len, const std::size_t* idx,
                        std::size_t n, double theta, double* sum4, double* comp4, double* slope4) = nullptr;
  // The lane arithmetic of one round of the l1,1 search's exact finish
  // (group_l1_thresholds.cpp, lane_estimates_scalar, the reference), for
  // all 8 lanes at once: from a compensated-gap pass's sum, err, count, low
  // and high, the radii r and the block's row count n, each lane's estimate
  // tau (rounded up) and the threshold proved from it (NaN where not proved
  // or not stable). Lanes the caller does not read may hold anything. Null
  // where only the scalar loop exists.
  using L1LaneEstimates = void (*)(const double* sum, const double* err, const double* count, const double* r,
                                   const double* low, const double* high, std::size_t n, double* tau, double* proved);
  L1LaneEstimates l1_lane_estimates = nullptr;
};

// The table of the best instruction set this CPU runs.
const KernelTable& kernels();

// The candidate fill of the table for either element type.
inline void fill_candidates(const float* y, std::size_t n, std::size_t m, double scale, const double* bound,
                            const std::size_t* cap, const std::size_t* cbeg, std::size_t* len, double* out) {
  kernels().fill_candidates_f32(y, n, m, scale, bound, cap, cbeg, len, out);
}
inline void fill_candidates(const double* y, std::size_t n, std::size_t m, double scale, const double* bound,
                            const std::size_t* cap, const std::size_t* cbeg, std::size_t* len, double* out) {
  kernels().fill_candidates_f64(y, n, m, scale, bound, cap, cbeg, len, out);
}

// Each table this build holds, for the tests that compare them: the scalar
// lanes, the baseline (the same on a machine without vector lanes), AVX2 and
// AVX-512F (each null where the build or the CPU has none).
const KernelTable& scalar_kernels();
const KernelTable& baseline_kernels();
const KernelTable* avx2_kernels();
const KernelTable* avx512_kernels();

}  // namespace simd
}  // namespace bp
