#include "exact_band.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "column_topk.hpp"
#include "exact_start.hpp"
#include "numeric.hpp"
#include "simd/band_blocks.hpp"
#include "simd/candidate_records.hpp"
#include "simd/kernel_table.hpp"

namespace bp {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The band (see band_levels): columns whose estimate has at least this many
// entries active are banded; the levels lie this many standard deviations of
// the estimate from it (a level on the wrong side costs the column a gather).
constexpr double kBandMinActive = 512.0;
constexpr double kBandZ = 4.0;
constexpr int kBandIterations = 16;
constexpr double kBandSettle = 2e-4;
constexpr int kBandColumnSteps = 3;
// theta_e's error as a share of it. 1e-3 held on Cauchy 0.9 (43682.7 against
// theta* 43705.6 on the tall seed 6), not at 0.5: on the tall seeds 13 and 28
// theta_e fell 1.1e-3 short (40920 against 40966) and 171 columns settled by
// their lists, whose lower level is the list's root there, failed the check
// by a hair and were gathered whole; 3e-3 leaves 3 (docs/exact-start.md).
constexpr double kBandThetaError = 3e-3;
// Records per block of the band's read (768 KB: they stay in L2).
constexpr std::size_t kBandRecords = std::size_t(1) << 16;

thread_local double t_band_width = 1.0;

// The root x >= t[K-1] of sum_k (t_k - x)+ = theta for a list t sorted
// largest first, or -1 when the list's phi at its floor is below theta.
inline double list_root_above(const double* t, std::size_t K, double theta) {
  double P = 0.0;
  for (std::size_t k = 1; k < K; ++k) {
    P += t[k - 1];
    if (theta <= P - static_cast<double>(k) * t[k]) return (P - theta) / static_cast<double>(k);
  }
  return -1.0;
}

}  // namespace

void set_sampled_band_width(double scale) {
  t_band_width = scale;
}

// The band (heavy tails at large radii, where the sample's own l1,inf norm is
// below the radius: its maxima miss the column's few huge entries, so the
// sample has no problem of its own to solve). Column j's phi_j is estimated
// from what is exact and what samples well: its top list t (exact; phi of the
// list is phi_j on [f_j, inf), f_j its floor) plus, below f_j, the rest
// R_j - sum over the rest of min(|y|, x), whose bounded terms the sample
// estimates (step times the sampled ones at or below f_j; R_j = s_j minus the
// list's sum, exact). Newton on these convex estimates gives theta_e and
// xe_j. A column with thousands of active entries (tall Cauchy 0.9: 430 of
// 770 nonzero columns, 1.67M active entries) then gets two levels kBandZ
// standard deviations of its sampled sum either side of xe_j: its entries
// above the upper one are only counted and summed, the band between copied.
// The others get a lower level: the list's root where the list settles the
// column (its phi at f_j reaches theta_e), else the band's lower level or
// xe_j / 8; a column the estimate drops keeps only its top entry. Guesses
// only: the caller checks lo_j <= mu_j <= hi_j after its solve and gathers
// a failing column whole. Fills lo, hi (+inf: no upper level) and est (the
// sample's count in [lo_j, hi_j)) of the alive columns; returns the number
// banded, or -1 when the estimate does not converge.
template <class T>
long band_levels(const T* rows, std::size_t ns, std::size_t m, std::size_t step, const ThresholdProblem& p,
                 const ScratchVector<std::size_t>& alive, const double* ss, double* lo, double* hi, double* est,
                 double* xe_out, int* sample_passes) {
  constexpr std::size_t K = kColumnTop;
  const double dstep = static_cast<double>(step);
  const T* top = static_cast<const T*>(p.top);
  ScratchVector<double> t(m * K, 0.0), f(m, kInf), P(m, 0.0), R(m, 0.0);
  for (std::size_t j : alive) {
    for (std::size_t q = 0; q < K; ++q) {
      t[j * K + q] = std::fabs(static_cast<double>(top[j * K + q])) * p.scale;
      P[j] += t[j * K + q];
    }
    f[j] = t[j * K + K - 1];
    R[j] = std::max(0.0, p.s[j] - P[j]);
  }
  // The sample's count and sum above each floor: the sampled entries that
  // belong to the list, left out of the rest's estimate.
  ScratchVector<double> kf(m), Sf(m), k(m), S(m), cc(m), cnt(m), none(m, kInf), above_f(m, kInf);
  for (std::size_t j : alive) above_f[j] = std::nextafter(f[j], kInf);
  column_stats(rows, ns, m, p.scale, above_f.data(), kf.data(), Sf.data(), cc.data(), none.data(), cnt.data());
  ScratchVector<double> xe(m, 0.0), kp(m, 1.0), Sp(m, 0.0), prev(m, -1.0);
  ScratchVector<std::size_t> live(alive.begin(), alive.end());
  // phi_j's estimate at x and its slope, linearised: phi ~ Sp - kp x.
  auto linearise = [&](std::size_t j, double x) {
    const double* tj = t.data() + j * K;
    if (x >= f[j]) {
      double c = 0.0, sum = 0.0;
      for (std::size_t q = 0; q < K; ++q)
        if (tj[q] >= x) {
          c += 1.0;
          sum += tj[q];
        }
      if (c == 0.0) {  // above the top entry: the top entry is the active set
        c = 1.0;
        sum = tj[0];
      }
      kp[j] = c;
      Sp[j] = sum;
      return;
    }
    const double rest_k = dstep * std::max(0.0, k[j] - kf[j]);
    const double rest = R[j] - dstep * ((ss[j] - S[j]) + std::max(0.0, k[j] - kf[j]) * x);
    kp[j] = static_cast<double>(K) + rest_k;
    Sp[j] = (P[j] - static_cast<double>(K) * x + rest) + kp[j] * x;
  };
  double theta = 0.0, last[5] = {0.0, 0.0, 0.0, 0.0, 0.0};
  bool converged = false;
  *sample_passes += 1;
  for (int it = 0; it < kBandIterations && !live.empty(); ++it) {
    column_stats(rows, ns, m, p.scale, xe.data(), k.data(), S.data(), cc.data(), none.data(), cnt.data());
    ++*sample_passes;
    bool same = it > 0;
    CompensatedSum num, den;
    for (std::size_t j : live) {
      linearise(j, xe[j]);
      if (kp[j] != prev[j]) same = false;
      prev[j] = kp[j];
      num.add(Sp[j] / kp[j]);
      den.add(1.0 / kp[j]);
    }
    const double next = (num.value() - p.eta) / den.value();
    // The estimates jump where x crosses f_j (the sampled rest is not
    // exactly R_j there), so Newton may circle theta* instead of landing:
    // a relative step below kBandSettle is close enough for a guess.
    if (same || std::fabs(next - theta) <= kBandSettle * theta) {
      theta = std::max(0.0, next);
      converged = true;
      break;
    }
    theta = std::max(0.0, next);
    last[it % 5] = theta;
    std::size_t w = 0;
    for (std::size_t j : live) {
      xe[j] = std::max(0.0, (Sp[j] - theta) / kp[j]);
      if (p.s[j] > theta) live[w++] = j;
    }
    live.resize(w);
  }
  // Circling (a cycle of a few iterates on small problems): the median of
  // the last five, a guess like any other.
  if (!converged) {
    std::sort(last, last + 5);
    theta = last[2];
    for (std::size_t j : live) xe[j] = std::max(0.0, (Sp[j] - theta) / kp[j]);
  }
  if (live.empty() || !(theta > 0.0)) return -1;
  // Newton stopped on theta, not on each column: a column whose point moved
  // far in the last step is off its own root by the tangent's error. A few
  // steps per column at theta_e settle each (from the left of the root each
  // step lands nearer; from the right the first lands left of it).
  for (int it = 0; it < kBandColumnSteps; ++it) {
    for (std::size_t j : live) xe[j] = std::max(0.0, (Sp[j] - theta) / kp[j]);
    column_stats(rows, ns, m, p.scale, xe.data(), k.data(), S.data(), cc.data(), none.data(), cnt.data());
    ++*sample_passes;
    for (std::size_t j : live) linearise(j, xe[j]);
  }
  for (std::size_t j : live) xe[j] = std::max(0.0, (Sp[j] - theta) / kp[j]);
  for (std::size_t j : live) xe_out[j] = xe[j];
  // The spread of each sampled sum of the rest's min(|y|, xe_j).
  ScratchVector<double> m0(m, 0.0), m1(m, 0.0), m2(m, 0.0);
  for (std::size_t i = 0; i < ns; ++i) {
    const T* r = rows + i * m;
    for (std::size_t j : live) {
      const double v = std::fabs(static_cast<double>(r[j])) * p.scale;
      const double u = v <= f[j] ? std::min(v, xe[j]) : 0.0;
      m0[j] += v <= f[j] ? 1.0 : 0.0;
      m1[j] += u;
      m2[j] += u * u;
    }
  }
  // theta_e's own error, as a share of it (the check covers the rest).
  const double dtheta = kBandThetaError * theta;
  long banded = 0;
  for (std::size_t j = 0; j < m; ++j) {
    lo[j] = 0.0;
    hi[j] = kInf;
  }
  for (std::size_t j : alive) lo[j] = t[j * K];
  for (std::size_t j : live) {
    // Settled by the list where its phi at the floor reaches theta_e (plus
    // its margin): phi_j is the list's on [f_j, inf), so the list's root is
    // mu_j's, exact but for theta_e.
    const double r = list_root_above(t.data() + j * K, K, theta + dtheta);
    if (r >= f[j]) {
      lo[j] = r;
      continue;
    }
    // Else mu_j* lies below the floor (up to theta_e's error); Newton on the
    // estimates, which jump at the floor, may have left xe_j far above it
    // (8000 x 1000 Cauchy 0.9: 15000 for a column whose floor is 1020 and
    // mu_j* 150).
    xe[j] = std::min(xe[j], f[j]);
    const double var = m0[j] > 1.0 ? std::max(0.0, (m2[j] - m1[j] * m1[j] / m0[j]) / (m0[j] - 1.0)) : 0.0;
    const double spread = (kBandZ * t_band_width * dstep * std::sqrt(m0[j] * var) + dtheta) / kp[j];
    const double band_lo = xe[j] - spread;
    lo[j] = band_lo > 0.0 ? band_lo : 0.125 * xe[j];
    if (band_lo > 0.0 && kp[j] >= kBandMinActive) {
      hi[j] = xe[j] + spread;
      ++banded;
    }
  }
  // The upper levels widened by the slope there (phi_j is flatter right of
  // xe_j), then the sample's counts at both levels.
  column_stats(rows, ns, m, p.scale, hi, k.data(), S.data(), cc.data(), none.data(), cnt.data());
  for (std::size_t j : live)
    if (hi[j] != kInf)
      hi[j] = xe[j] + (hi[j] - xe[j]) * kp[j] / (static_cast<double>(K) + dstep * std::max(1.0, k[j] - kf[j]));
  ScratchVector<double> k_hi(m, 0.0);
  column_stats(rows, ns, m, p.scale, hi, k_hi.data(), S.data(), cc.data(), none.data(), cnt.data());
  column_stats(rows, ns, m, p.scale, lo, k.data(), S.data(), cc.data(), none.data(), cnt.data());
  *sample_passes += 3;
  for (std::size_t j : alive) {
    const double* tj = t.data() + j * K;
    double in_list = 0.0;
    for (std::size_t q = 0; q < K; ++q) in_list += (tj[q] >= lo[j] && tj[q] < hi[j]) ? 1.0 : 0.0;
    est[j] = in_list + dstep * (std::max(0.0, k[j] - kf[j]) - (hi[j] == kInf ? 0.0 : std::max(0.0, k_hi[j] - kf[j])));
  }
  return banded;
}

// One read of the alive columns: per column, the count K and sum Sb of the
// entries at or above hi[q] (plain sums over blocks of up to 16 rows, each
// block's sum added compensated: simd/band_blocks.hpp), and the entries in
// [lo[q], hi[q]) copied to out[beg[q] ..]: at most cap[q] of them are held
// (one spare slot takes the rest, so the move needs no branch); held[q]
// counts them all. q indexes alive. The rows are read by the kernel table's
// band loop (simd/candidate_records.hpp: the entries above hi counted and
// summed in vector lanes, a block of columns' sums kept in registers down a
// block of rows, those in the band packed as (column, value) records, no
// branch, each column's in row order) into a buffer that stays in L2, and
// each record is then stored in its column's segment. Written first as a scalar walk of the
// alive columns it took 10 ns an entry (8000 x 1000, 777 columns: 60 ms
// against a 4 ms memcpy), 5 ns in tiles of rows walked four columns at a
// time (about twenty instructions an entry); with the plain record loop
// (every entry above lo recorded, the ones above hi summed in the move) the
// fill took about 3 memcpys, the move of 2.2M records most of it. With the
// sums in memory, per entry, the fill cost about two column passes; in
// registers about 1.3 memcpys (docs/exact-stream.md, round eleven).
template <class T>
void fill_band(const MatrixRef<T>& y, double scale, const ScratchVector<std::size_t>& alive, const double* lo,
               const double* hi, const std::size_t* cap, const std::size_t* beg, double* K, double* Sb, double* out,
               std::size_t* held) {
  const std::size_t na = alive.size(), m = y.cols, n = y.rows;
  if (na == 0) return;
  // Per column of the matrix: its levels (+inf where not alive) and its
  // alive index.
  ScratchVector<double> bound(m, kInf), upper(m, kInf), k(m, 0.0), s(m, 0.0), c(m, 0.0);
  ScratchVector<std::uint32_t> q_of(m, 0);
  for (std::size_t q = 0; q < na; ++q) {
    bound[alive[q]] = lo[q];
    upper[alive[q]] = hi[q];
    q_of[alive[q]] = static_cast<std::uint32_t>(q);
  }
  // The loop shortens its blocks of rows as the room fills ((room - used) /
  // m rows, band_blocks.hpp), and at 4000 columns a room of 2^16 records
  // held one block of 16 rows: every block after the first was shorter, down
  // to one row, before the room was moved out (the blocks averaged about 8
  // rows on 4000 x 4000 Cauchy 0.9, each paying its columns' loads and
  // compensated adds). So the room is asked for whole blocks: at most
  // `whole` rows a call, which fill the room at most, every block then of
  // kBandRows rows (docs/exact-stream.md, round thirty-five). Where a block
  // of every column would outgrow kWholeRecords, the old room.
  constexpr std::size_t kWholeRecords = 4 * kBandRecords;
  constexpr std::size_t kRows = simd::band::kBandRows;
  const bool blocks = kRows * m <= kWholeRecords;
  const std::size_t room =
      blocks ? std::max(kBandRecords, kRows * m) / (kRows * m) * (kRows * m) : std::max(kBandRecords, 2 * m);
  const std::size_t whole = blocks ? room / m : n;
  ScratchVector<std::uint32_t> col(room);
  ScratchVector<double> val(room);
  const simd::KernelTable& kt = simd::kernels();
  for (std::size_t i = 0; i < n;) {
    std::size_t count = 0;
    i += simd::band_records(kt, y.data + i * m, std::min(n - i, whole), m, 0, m, scale, bound.data(), upper.data(),
                            k.data(), s.data(), c.data(), col.data(), val.data(), room, &count);
    for (std::size_t e = 0; e < count; ++e) {
      const std::size_t q = q_of[col[e]];
      out[beg[q] + std::min(held[q], cap[q])] = val[e];
      ++held[q];
    }
  }
  for (std::size_t q = 0; q < na; ++q) {
    K[q] = k[alive[q]];
    Sb[q] = s[alive[q]] + c[alive[q]];
  }
}

template long band_levels<float>(const float*, std::size_t, std::size_t, std::size_t, const ThresholdProblem&,
                                 const ScratchVector<std::size_t>&, const double*, double*, double*, double*, double*,
                                 int*);
template long band_levels<double>(const double*, std::size_t, std::size_t, std::size_t, const ThresholdProblem&,
                                  const ScratchVector<std::size_t>&, const double*, double*, double*, double*, double*,
                                  int*);
template void fill_band<float>(const MatrixRef<float>&, double, const ScratchVector<std::size_t>&, const double*,
                               const double*, const std::size_t*, const std::size_t*, double*, double*, double*,
                               std::size_t*);
template void fill_band<double>(const MatrixRef<double>&, double, const ScratchVector<std::size_t>&, const double*,
                                const double*, const std::size_t*, const std::size_t*, double*, double*, double*,
                                std::size_t*);

}  // namespace bp
