#include "topk_thresholds.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>

#include "column_topk.hpp"
#include "numeric.hpp"
#include "parallel.hpp"
#include "simd/kernel_table.hpp"

namespace bp {
namespace {

// As the other solvers of exact_stream.cpp: never reached in the tests.
constexpr int kMaxPasses = 200;
// Solves on lists, each after gathering the columns that failed the check.
constexpr int kMaxRounds = 4;
// Whole columns are gathered by index, row after row: each costs a cache
// line per row, so past a sixteenth of the columns the gathering would cost
// about a pass and the other strategies are better.
constexpr std::size_t kWholeShare = 16;

thread_local TopkTrace t_trace;
std::atomic<bool> g_enabled{true};

inline void group_stats(const double* r, std::size_t len, double u, double* k, double* s) {
  simd::kernels().group_stats_f64(r, len, 1.0, u, k, s);
}

// The problem as Newton sees it: group q (column id[q]) is the len[q]
// entries at data + at[q] (scaled |y|, any order), its whole column or its
// top list.
struct Groupset {
  ScratchVector<std::size_t> id, at, len;
  ScratchVector<double> total;  // l1 norm of what is held
};

// Semismooth Newton on the held entries, from the envelope's start (any
// start is fine: after one step theta is a lower bound of the held
// problem's root, since each phi_j lies above its linearisations). Groups
// whose held l1 norm is at most theta are dropped. Returns false at the pass
// cap; on true, mu (length ng) holds the thresholds (0 for dropped groups)
// and *theta_out the final theta.
bool solve_held(const ThresholdProblem& p, const Groupset& gs, const double* data, double theta, double* mu_out,
                double* theta_out) {
  std::size_t na = gs.id.size();
  const double dlen = static_cast<double>(p.len);
  ScratchVector<std::size_t> q_of(na);
  ScratchVector<double> mu(na), k(na), S(na), prev_k(na, -1.0), prev_s(na, 0.0);
  for (std::size_t q = 0; q < na; ++q) {
    const std::size_t j = gs.id[q];
    q_of[q] = q;
    mu[q] = std::max({0.0, (p.s[j] - theta) / dlen, p.mx[j] - theta});
  }
  bool alive_changed = true;
  std::size_t held = 0;
  for (std::size_t q = 0; q < na; ++q) held += gs.len[q];
  for (int pass = 0; pass < kMaxPasses && na > 0; ++pass) {
    parallel_ranges(na, 1, held, [&](std::size_t b, std::size_t e) {
      for (std::size_t q = b; q < e; ++q) {
        const std::size_t g = q_of[q];
        group_stats(data + gs.at[g], gs.len[g], mu[q], &k[q], &S[q]);
      }
    });
    ++t_trace.passes;
    bool same = !alive_changed;
    CompensatedSum num, den;
    for (std::size_t q = 0; q < na; ++q) {
      if (k[q] == 0.0) {  // mu a hair above the top entry: see stream_thresholds
        k[q] = 1.0;
        S[q] = p.mx[gs.id[q_of[q]]];
      }
      if (k[q] != prev_k[q] || S[q] != prev_s[q]) same = false;
      num.add(S[q] / k[q]);
      den.add(1.0 / k[q]);
    }
    const double next = (num.value() - p.eta) / den.value();
    if (same) {
      for (std::size_t j = 0; j < p.ng; ++j) mu_out[j] = 0.0;
      for (std::size_t q = 0; q < na; ++q) mu_out[gs.id[q_of[q]]] = std::max((S[q] - next) / k[q], 0.0);
      *theta_out = next;
      return true;
    }
    if (next > theta) theta = next;
    std::size_t w = 0;
    for (std::size_t q = 0; q < na; ++q) {
      if (!(gs.total[q_of[q]] > theta)) continue;
      q_of[w] = q_of[q];
      mu[w] = (S[q] - theta) / k[q];
      prev_k[w] = k[q];
      prev_s[w] = S[q];
      ++w;
    }
    alive_changed = w != na;
    na = w;
  }
  if (na > 0) return false;
  for (std::size_t j = 0; j < p.ng; ++j) mu_out[j] = 0.0;
  *theta_out = theta;
  return true;
}

}  // namespace

TopkTrace last_topk_trace() {
  return t_trace;
}

bool set_topk_enabled(bool on) {
  return g_enabled.exchange(on);
}

template <class T>
bool topk_thresholds(const MatrixRef<T>& y, const ThresholdProblem& p, const ScratchVector<std::size_t>& alive,
                     double theta0, double* mu_out, StreamEnd* end, const StopToken& stop) {
  t_trace = {};
  const std::size_t K = kColumnTop, len = p.len, n = y.rows, m = y.cols, na = alive.size();
  if (p.top == nullptr || len <= K || na == 0 || !g_enabled) return false;
  const T* top = static_cast<const T*>(p.top);
  t_trace.tried = true;
  // Held entries: the lists first (group q's at q * K), then whole columns
  // appended as they are gathered.
  ScratchVector<double> data(na * K);
  Groupset gs;
  gs.id.assign(alive.begin(), alive.end());
  gs.at.resize(na);
  gs.len.assign(na, K);
  gs.total.resize(na);
  // floor[q]: the list's smallest entry; every entry left out is at most it.
  // 0 when the list is the whole column's nonzero part (nothing to check).
  ScratchVector<double> floor(na);
  for (std::size_t q = 0; q < na; ++q) {
    const T* t = top + alive[q] * K;
    CompensatedSum c;
    for (std::size_t i = 0; i < K; ++i) {
      data[q * K + i] = std::fabs(static_cast<double>(t[i])) * p.scale;
      c.add(data[q * K + i]);
    }
    gs.at[q] = q * K;
    gs.total[q] = c.value();
    floor[q] = data[q * K + K - 1];
  }
  ScratchVector<char> whole(na, 0);
  ScratchVector<std::size_t> fail;
  std::size_t whole_count = 0;
  for (int round = 0; round < kMaxRounds; ++round) {
    if (stop.requested()) {
      *end = StreamEnd::kStopped;
      return true;
    }
    double theta = 0.0;
    ++t_trace.rounds;
    if (!solve_held(p, gs, data.data(), theta0, mu_out, &theta)) return false;
    // The check: a list column with mu_j above its floor has, on the whole
    // column, the same active set (every entry left out is at most the
    // floor), so phi_j(mu_j) = theta holds for the whole problem; one with
    // mu_j = 0 needs its whole l1 norm at most theta. Whole columns need no
    // check. If every column passes, (mu, theta) meets the optimality
    // conditions of the whole problem, whose solution is unique.
    fail.clear();
    for (std::size_t q = 0; q < na; ++q) {
      if (whole[q]) continue;
      const std::size_t j = alive[q];
      const double u = mu_out[j];
      const bool ok = u > 0.0 ? (floor[q] == 0.0 || u > floor[q]) : p.s[j] <= theta;
      if (!ok) fail.push_back(q);
    }
    if (fail.empty()) {
      t_trace.solved = true;
      t_trace.whole = whole_count;
      *end = StreamEnd::kConverged;
      return true;
    }
    t_trace.failed = fail.size();
    whole_count += fail.size();
    if (whole_count * kWholeShare > p.ng) return false;
    // Gather the failing columns whole, row after row, touching only the
    // cache lines that hold them.
    const std::size_t base = data.size(), nf = fail.size();
    data.resize(base + nf * n);
    double* d = data.data() + base;
    parallel_ranges(n, 1, nf * n, [&](std::size_t i0, std::size_t i1) {
      for (std::size_t i = i0; i < i1; ++i) {
        const T* r = y.data + i * m;
        for (std::size_t f = 0; f < nf; ++f)
          d[f * n + i] = std::fabs(static_cast<double>(r[alive[fail[f]]])) * p.scale;
      }
    });
    for (std::size_t f = 0; f < nf; ++f) {
      const std::size_t q = fail[f];
      CompensatedSum c;
      for (std::size_t i = 0; i < n; ++i) c.add(d[f * n + i]);
      whole[q] = 1;
      gs.at[q] = base + f * n;
      gs.len[q] = n;
      gs.total[q] = c.value();
    }
  }
  return false;
}

template bool topk_thresholds<float>(const MatrixRef<float>&, const ThresholdProblem&,
                                     const ScratchVector<std::size_t>&, double, double*, StreamEnd*,
                                     const StopToken&);
template bool topk_thresholds<double>(const MatrixRef<double>&, const ThresholdProblem&,
                                      const ScratchVector<std::size_t>&, double, double*, StreamEnd*,
                                      const StopToken&);

}  // namespace bp
