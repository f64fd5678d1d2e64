#include "exact_start.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "column_topk.hpp"
#include "exact_band.hpp"
#include "exact_survivors.hpp"
#include "numeric.hpp"
#include "parallel.hpp"
#include "reduce.hpp"
#include "simd/kernel_table.hpp"
#include "stream_store.hpp"

namespace bp {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

// Every sixteenth row, and at least 400 of them: with fewer sampled entries
// per column the margins below make the copy too long to pay (4000 x 4000
// Gaussian 0.5: 250 sampled rows, the copy refused after the sample solve).
constexpr std::size_t kStep = 16;
constexpr std::size_t kMinSampleRows = 400;
// lo_j aims at phi_j(lo_j) = theta_s (1 + kMargin / sqrt(k_j)) on the sample
// (k_j its active entries there): sampling noise then rarely puts lo_j above
// mu_j*, and a column where it does is only gathered again.
constexpr double kMargin = 3.0;
// Refused before any sample below this radius (as a share of ||Y||), or when
// the mean |y| of the columns exceeds this share of their maxima on average.
constexpr double kMinRadiusShare = 0.3;
constexpr double kMaxFlatness = 0.35;
// The copy is made only when the sample promises at most this share of the
// entries (with the slack of its capacities).
constexpr std::size_t kCopyShare = 8;
// The band's copy up to a fifth: where it is asked for, the lists have given
// way and the column passes behind it read the matrix four to seven times
// (8000 x 1000 Cauchy 0.5 seeds 13 and 28: the band's room 13 % of the
// entries; docs/exact-start.md).
constexpr std::size_t kBandCopyShare = 5;
constexpr int kMaxRounds = 4;
// The regathered columns' entries are asked for this many rows ahead (each on
// its own cache line, as in exact_stream.cpp's gather).
constexpr std::size_t kGatherAhead = 8;
constexpr int kMaxPasses = 200;
// A banded column whose entries above its upper level already make its phi
// there pass theta_e by this share will fail the check (its mu_j* lies above
// the level, among entries that were only counted): gathered whole before
// the first round instead of after it (docs/exact-start.md, "Banded columns
// that will fail, gathered before the first round").
constexpr double kEarlyGatherShare = 1e-2;

thread_local bool t_in_sample = false;
thread_local bool t_band = true;
thread_local SampledEnd t_last;
thread_local bool t_early_gather = true;

// theta_e of the band's estimate, as the columns its lists settle see it:
// each such column's list phi at its estimated threshold xe_j (at or above
// the list's floor, where the list's phi is the column's) is theta_e up to
// the estimate's settling; the median over those columns, or 0 when none.
template <class T>
double listed_theta(const ThresholdProblem& p, const ScratchVector<std::size_t>& alive, const double* upper,
                    const double* xe) {
  constexpr std::size_t K = kColumnTop;
  const T* top = static_cast<const T*>(p.top);
  ScratchVector<double> th;
  for (std::size_t j : alive) {
    if (upper[j] != kInf || !(xe[j] > 0.0)) continue;
    const double floor = std::fabs(static_cast<double>(top[j * K + K - 1])) * p.scale;
    if (xe[j] < floor) continue;
    double phi = 0.0;
    for (std::size_t q = 0; q < K; ++q)
      phi += std::max(0.0, std::fabs(static_cast<double>(top[j * K + q])) * p.scale - xe[j]);
    th.push_back(phi);
  }
  if (th.empty()) return 0.0;
  std::nth_element(th.begin(), th.begin() + static_cast<std::ptrdiff_t>(th.size() / 2), th.end());
  return th[th.size() / 2];
}

inline void group_stats(const double* r, std::size_t len, double u, double* k, double* s) {
  simd::kernels().group_stats_f64(r, len, 1.0, u, k, s);
}

}  // namespace

void set_sampled_early_gather(bool on) {
  t_early_gather = on;
}

void set_sampled_band(bool on) {
  t_band = on;
}
SampledEnd last_sampled_end() {
  return t_last;
}

std::size_t sample_row_step(std::size_t rows) {
  return rows / kStep >= kMinSampleRows ? kStep : 0;
}

template <class T>
bool sampled_thresholds(const MatrixRef<T>& y, const ThresholdProblem& p, const ScratchVector<std::size_t>& alive,
                        double* mu_out, StreamEnd* result, SampledEnd* end, const StopToken& stop) {
  const std::size_t n = y.rows, m = y.cols, len = p.len;
  const std::size_t step = sample_row_step(n);
  if (step == 0 || alive.empty() || t_in_sample) return false;
  struct KeepLast {
    SampledEnd* e;
    ~KeepLast() { t_last = *e; }
  } keep_last{end};
  // Cheap refusals first, from what the first pass already gave: at small
  // radii nearly every entry of a surviving column is active, and where the
  // mean |y| of the columns is a large share of their maxima (flat data) many
  // entries lie near the top: either way the copy would be most of the matrix.
  CompensatedSum nrm;
  double flat = 0.0;
  for (std::size_t j = 0; j < p.ng; ++j) nrm.add(p.mx[j]);
  for (std::size_t j : alive) flat += p.s[j] / (static_cast<double>(len) * p.mx[j]);
  if (p.eta < kMinRadiusShare * nrm.value() || flat > kMaxFlatness * static_cast<double>(alive.size())) return false;

  // The sample, its own maxima and sums, and its exact thresholds.
  const std::size_t ns = (n + step - 1) / step;
  // Not cleared: every entry is copied in (a cleared block of up to 4 MB,
  // past the scratch cache's 2 MB classes, was zeroed and page-faulted on
  // every call: 1.5-2 % of tall Cauchy 0.5 seed 13 by perf, docs/exact-start.md).
  ScratchBuffer<T> rows(ns * m);
  for (std::size_t i = 0; i < ns; ++i) std::copy(y.data + i * step * m, y.data + i * step * m + m, rows.data() + i * m);
  ScratchVector<double> mxs(m), ss(m), mus(m, 0.0);
  group_max_sum<true>(MatrixRef<T>{rows.data(), ns, m}, Groups::kColumns, p.scale, mxs.data(), ss.data());
  CompensatedSum norm;
  for (double& v : mxs) {
    v *= p.scale;  // sums come back scaled, maxima do not
    norm.add(v);
  }
  // Heavy tails at large radii: no sample problem, the band's estimate instead.
  const bool band_only = !(norm.value() > p.eta);
  if (band_only && !(t_band && p.top != nullptr)) return false;
  ScratchVector<double> x(m, 0.0), k(m), band_lo(m, 0.0), upper(m, kInf), band_est(m, 0.0);
  long banded = 0;
  if (band_only) {
    banded = band_levels(rows.data(), ns, m, step, p, alive, ss.data(), band_lo.data(), upper.data(), band_est.data(),
                         mus.data(), &end->sample_passes);
    if (banded < 0) return false;
  } else {
    const ThresholdProblem ps{m, ns, p.scale, p.eta, mxs.data(), ss.data()};
    // The sample is solved by the other strategies only: its own sample would
    // cost more passes than it saves at a sixteenth of the size.
    struct InSample {
      InSample() { t_in_sample = true; }
      ~InSample() { t_in_sample = false; }
    };
    StreamEnd se;
    {
      const InSample guard;
      se = stream_thresholds(MatrixRef<T>{rows.data(), ns, m}, Groups::kColumns, ps, mus.data(), stop);
    }
    const StreamTrace st = last_stream_trace();
    end->sample_passes = st.full_passes + st.compact_passes + st.sample_passes;
    if (se != StreamEnd::kConverged) return false;

    // Per column, x_j with phi_j of the sample at x_j about a margin above theta_s:
    // Newton steps on the sample's phi_j from the left of that root (the first
    // from the sample's own threshold overshoots to the left, phi_j being
    // convex; the next ones rise toward it and never pass it).
    ScratchVector<double> S(m), c(m), none(m, kInf), cnt(m);
    column_stats(rows.data(), ns, m, p.scale, mus.data(), k.data(), S.data(), c.data(), none.data(), cnt.data());
    double theta_s = 0.0;
    for (std::size_t j : alive)
      if (mus[j] > 0.0 && k[j] > 0.0) theta_s = std::max(theta_s, S[j] - k[j] * mus[j]);
    if (!(theta_s > 0.0)) return false;
    // The sampled phi_j is a sum over about k_j entries: its relative noise
    // shrinks as 1 / sqrt(k_j), and so does the margin.
    ScratchVector<double> target(m, 0.0);
    for (std::size_t j : alive) {
      if (!(mus[j] > 0.0 && k[j] > 0.0)) continue;
      target[j] = theta_s * (1.0 + kMargin / std::sqrt(k[j]));
      x[j] = std::max(0.0, mus[j] - (target[j] - (S[j] - k[j] * mus[j])) / k[j]);
    }
    for (int it = 0; it < 2; ++it) {
      column_stats(rows.data(), ns, m, p.scale, x.data(), k.data(), S.data(), c.data(), none.data(), cnt.data());
      for (std::size_t j : alive) {
        const double phi = S[j] - k[j] * x[j];
        if (x[j] > 0.0 && k[j] > 0.0 && phi > target[j]) x[j] += (phi - target[j]) / k[j];
      }
    }
    end->sample_passes += 6;  // the sample's copy, its maxima, four stats passes
    column_stats(rows.data(), ns, m, p.scale, x.data(), k.data(), S.data(), c.data(), none.data(), cnt.data());
  }

  // Capacities: the sample's count scaled up, with four standard deviations
  // of slack; a column that fills its capacity may have lost entries and is
  // gathered whole instead.
  ScratchVector<double> bound(m, kInf);
  ScratchVector<std::size_t> cap(m, 0);
  const double dstep = static_cast<double>(step);
  auto room = [&](double guess) {
    return std::min(len, static_cast<std::size_t>(guess + 4.0 * std::sqrt(dstep * (guess + 1.0)) + 8.0));
  };
  std::size_t total = 0;
  for (std::size_t j : alive) {
    bound[j] = x[j];
    if (band_only) {
      bound[j] = band_lo[j];
      cap[j] = band_lo[j] > 0.0 ? room(band_est[j]) : len;
    } else if (x[j] > 0.0) {
      cap[j] = room(dstep * k[j]);
    } else {
      cap[j] = len;
    }
    total += cap[j];
  }
  end->banded = static_cast<int>(banded);
  end->room = total;
  if (total * (band_only ? kBandCopyShare : kCopyShare) > y.size()) return false;
  if (stop.requested()) {
    *result = StreamEnd::kStopped;
    return true;
  }
  // Per alive column (index q of alive): its entries, the bound below which
  // they were left out (0 once the column is whole), and for a banded column
  // the level above which they were only counted (K) and summed (Sb).
  const std::size_t na0 = alive.size();
  ScratchVector<std::size_t> cbeg(m + 1, 0), clen(m, 0);
  // cdata is not cleared: both fills write every slot that is read
  // (clen[j] of column j's), so only the pages they reach are touched.
  ScratchBuffer<double> cdata;
  ScratchVector<double> up(na0, kInf), K(na0, 0.0), Sb(na0, 0.0);
  ScratchVector<std::size_t> regather;
  if (!band_only) {
    for (std::size_t j = 0; j < m; ++j) cbeg[j + 1] = cbeg[j] + cap[j];
    cdata.take(cbeg[m]);
    simd::fill_candidates(y.data, n, m, p.scale, bound.data(), cap.data(), cbeg.data(), clen.data(), cdata.data());
    for (std::size_t q = 0; q < na0; ++q) {
      const std::size_t j = alive[q];
      if (x[j] > 0.0 && clen[j] >= cap[j] && cap[j] < len) regather.push_back(q);
    }
  } else {
    // Every alive column in one read (a spare slot each), in alive order.
    ScratchVector<double> lq(na0), hq(na0);
    ScratchVector<std::size_t> cq(na0), bq(na0), held(na0, 0);
    std::size_t at_q = 0;
    for (std::size_t q = 0; q < na0; ++q) {
      const std::size_t j = alive[q];
      lq[q] = bound[j];
      hq[q] = upper[j];
      cq[q] = cap[j];
      bq[q] = at_q;
      cbeg[j] = at_q;
      at_q += cap[j] + 1;
    }
    cdata.take(at_q);
    fill_band(y, p.scale, alive, lq.data(), hq.data(), cq.data(), bq.data(), K.data(), Sb.data(), cdata.data(),
              held.data());
    for (std::size_t q = 0; q < na0; ++q) {
      const std::size_t j = alive[q];
      clen[j] = std::min(held[q], cap[j]);
      up[q] = upper[j];
      if (held[q] > cap[j]) regather.push_back(q);
    }
    // A banded column's phi_j at its upper level is exact after the read (its
    // count and sum above it, K and Sb): where it passes theta_e by a clear
    // margin, mu_j* lies above the level and the check would fail the column
    // after a whole round (8000 x 1000 Cauchy 0.5 seed 13: 3 such columns,
    // estimated with 512 or more active entries, holding 59-806, their mu_j*
    // 2-5x their upper level). Gathered now, the first round holds them and
    // no second round is run. A guess: a column gathered wrongly costs its
    // copy, never the result (whole columns are their own problem).
    if (t_early_gather) {
      const std::size_t overflowing = regather.size();
      const double th = listed_theta<T>(p, alive, upper.data(), mus.data());
      if (th > 0.0)
        for (std::size_t q = 0; q < na0; ++q)
          if (up[q] != kInf && held[q] <= cap[alive[q]] && Sb[q] - K[q] * up[q] > th * (1.0 + kEarlyGatherShare))
            regather.push_back(q);
      end->early = regather.size() - overflowing;
    }
  }
  end->taken = true;
  ScratchVector<const double*> seg(na0);
  ScratchVector<std::size_t> seg_len(na0);
  ScratchVector<double> lo(na0), whole_data;
  ScratchVector<std::size_t> whole_off(na0, kNone);
  for (std::size_t q = 0; q < na0; ++q) lo[q] = bound[alive[q]];
  ScratchVector<double> start(na0);
  for (std::size_t q = 0; q < na0; ++q) start[q] = mus[alive[q]];
  // A round after a regather continues from the last one (docs/exact-start.md,
  // "The rounds after a regather"): its theta as the start, a lower bound of
  // the new copy's (a regathered column's phi_j only grew, the others are
  // the same), and the last pass's count and sum of each column whose
  // entries did not change, at the same threshold, instead of reading it.
  double carried = 0.0;
  ScratchVector<double> last_mu(na0, kInf), last_k(na0, 0.0), last_s(na0, 0.0);
  // The band copy's own l1 norm per column (-1: not summed yet), see below.
  ScratchVector<double> band_tot(band_only ? na0 : 0, -1.0);
  for (int round = 0; round < kMaxRounds; ++round) {
    // Failing or overflowing columns: every entry, gathered row by row.
    if (!regather.empty()) {
      ++end->regathered;
      const std::size_t base = whole_data.size(), nr = regather.size();
      whole_data.resize(base + nr * len);
      for (std::size_t i = 0; i < n; ++i) {
        const T* r = y.data + i * m;
        if (i + kGatherAhead < n)
          for (std::size_t t = 0; t < nr; ++t) prefetch_range(r + kGatherAhead * m + alive[regather[t]], 1);
        for (std::size_t t = 0; t < nr; ++t)
          whole_data[base + t * len + i] = std::fabs(static_cast<double>(r[alive[regather[t]]])) * p.scale;
      }
      for (std::size_t t = 0; t < nr; ++t) {
        lo[regather[t]] = 0.0;
        up[regather[t]] = kInf;
        K[regather[t]] = 0.0;
        Sb[regather[t]] = 0.0;
        whole_off[regather[t]] = base + t * len;
      }
    }
    regather.clear();
    for (std::size_t q = 0; q < na0; ++q) {
      if (whole_off[q] != kNone) {
        seg[q] = whole_data.data() + whole_off[q];
        seg_len[q] = len;
      } else {
        seg[q] = cdata.data() + cbeg[alive[q]];
        seg_len[q] = clen[alive[q]];
      }
    }
    // Newton on the copy, as on gathered groups: the copy's problem has its
    // own solution, reached exactly; theta starts at 0 (or the last round's
    // theta), a lower bound of it.
    ScratchVector<std::size_t> at(na0);
    ScratchVector<double> mu(na0), kq(na0), Sq(na0), prev_k(na0, -1.0), prev_s(na0, 0.0), tot(na0);
    for (std::size_t q = 0; q < na0; ++q) {
      at[q] = q;
      mu[q] = start[q];
      // Dropped by the true l1 norm, not the copy's: theta is a lower bound
      // of the copy's theta, itself at most theta* (the copy's phi_j are at
      // most the full ones), so a group dropped is dead in the full problem.
      tot[q] = p.s[alive[q]];
      // The band's copy differs from the full phi_j beyond up_j (its entries
      // above up_j count as active past them, a - mu < 0 where the full phi_j
      // has 0: the copy's phi_j is lower there), and a column whose guessed
      // lower level lies above its mu_j* may hold entries summing below
      // theta: kept by its true norm, its linearisation would put mu_j far
      // below 0 and drag theta down with it (8000 x 1000 Cauchy 0.9: 361
      // columns failing the check instead of one). Such a column is dropped
      // by the copy's own l1 norm; the check then gathers it if it is alive.
      // Summed once: a column's band stays the same from round to round
      // until it is gathered whole. By the kernel table's stats loop at 0
      // (every entry; plain lane sums over blocks of rows, each block added
      // compensated): a serial chain of
      // compensated adds was 3 % of the call on 8000 x 1000 Cauchy 0.5
      // seed 13 (perf), for a norm that only decides drops.
      if (band_only && whole_off[q] == kNone) {
        if (band_tot[q] < 0.0) {
          double held_k = 0.0, held_s = 0.0;
          group_stats(seg[q], seg_len[q], 0.0, &held_k, &held_s);
          band_tot[q] = Sb[q] + held_s;
        }
        tot[q] = band_tot[q];
      }
    }
    // Columns already dead at the carried theta leave before the first pass.
    std::size_t na = 0;
    for (std::size_t q = 0; q < na0; ++q)
      if (!(carried > 0.0) || tot[q] > carried) {
        at[na] = q;
        mu[na] = start[q];
        ++na;
      }
    double theta = carried, final_theta = 0.0;
    bool alive_changed = true, converged = false;
    for (int pass = 0; pass < kMaxPasses && na > 0; ++pass) {
      if (stop.requested()) {
        *result = StreamEnd::kStopped;
        return true;
      }
      // Whether to wake the threads, by the entries read (parallel_ranges
      // splits by columns): a column whose stats are taken from the last
      // round reads none.
      std::size_t work = 0;
      for (std::size_t t = 0; t < na; ++t) {
        if (pass == 0 && mu[t] == last_mu[at[t]]) {
          ++end->reused;
          continue;
        }
        work += seg_len[at[t]];
      }
      parallel_ranges(na, 1, work, [&](std::size_t b, std::size_t e) {
        for (std::size_t t = b; t < e; ++t) {
          if (pass == 0 && mu[t] == last_mu[at[t]]) {
            kq[t] = last_k[at[t]];
            Sq[t] = last_s[at[t]];
            continue;
          }
          group_stats(seg[at[t]], seg_len[at[t]], mu[t], &kq[t], &Sq[t]);
          kq[t] += K[at[t]];  // a banded column's entries above its upper level
          Sq[t] += Sb[at[t]];
        }
      });
      ++end->compact_passes;
      bool same = !alive_changed;
      const double next = survivors_newton_step(p, alive.data(), at.data(), na, kq.data(), Sq.data(), prev_k.data(),
                                                prev_s.data(), &same);
      if (same) {
        final_theta = next;
        converged = true;
        break;
      }
      if (next > theta) theta = next;
      const std::size_t w = keep_survivors(na, theta, tot.data(), at.data(), mu.data(), kq.data(), Sq.data(),
                                           prev_k.data(), prev_s.data());
      alive_changed = w != na;
      na = w;
    }
    if (na == 0) {
      converged = true;
      final_theta = theta;
    }
    if (!converged) return false;
    // The check: the copy's phi_j is the full phi_j on [lo_j, inf), or on
    // [lo_j, up_j] for a banded column (its entries above up_j counted as
    // active).
    ScratchVector<double> mq(na0, 0.0);
    ScratchVector<unsigned char> kept(na0, 0);
    for (std::size_t t = 0; t < na; ++t) {
      mq[at[t]] = std::max((Sq[t] - final_theta) / kq[t], 0.0);
      kept[at[t]] = 1;
    }
    for (std::size_t q = 0; q < na0; ++q) {
      if (seg_len[q] == len) continue;  // every entry of the column: its own problem
      const bool ok = kept[q] ? mq[q] >= lo[q] && mq[q] <= up[q] : p.s[alive[q]] <= final_theta;
      if (!ok) regather.push_back(q);
    }
    if (regather.empty()) {
      for (std::size_t j = 0; j < p.ng; ++j) mu_out[j] = 0.0;
      for (std::size_t q = 0; q < na0; ++q) mu_out[alive[q]] = mq[q];
      *result = StreamEnd::kConverged;
      return true;
    }
    for (std::size_t q = 0; q < na0; ++q) start[q] = kept[q] ? mq[q] : 0.0;
    carried = final_theta;
    for (std::size_t q = 0; q < na0; ++q) last_mu[q] = kInf;
    for (std::size_t t = 0; t < na; ++t) {
      last_mu[at[t]] = mu[t];
      last_k[at[t]] = kq[t];
      last_s[at[t]] = Sq[t];
    }
    for (std::size_t q : regather) last_mu[q] = kInf;
  }
  return false;
}

template bool sampled_thresholds<float>(const MatrixRef<float>&, const ThresholdProblem&,
                                        const ScratchVector<std::size_t>&, double*, StreamEnd*, SampledEnd*,
                                        const StopToken&);
template bool sampled_thresholds<double>(const MatrixRef<double>&, const ThresholdProblem&,
                                         const ScratchVector<std::size_t>&, double*, StreamEnd*, SampledEnd*,
                                         const StopToken&);

}  // namespace bp