// The Newton iteration on the surviving groups of a held copy, shared by the
// solvers that copy the survivors' entries out of the matrix (the gathered
// groups and below-bound lists of exact_stream.cpp, the sampled copy of
// exact_start.cpp, the top lists of topk_thresholds.cpp). Survivor q is slot
// at[q] of the caller's per-group arrays (its entries, its l1 mass, its
// group group_of[at[q]]); the per-survivor arrays (mu, k, S and the previous
// pass's k, S) are in survivor order and shrink with `at`.
#pragma once

#include <cstddef>

#include "exact_stream.hpp"
#include "numeric.hpp"

namespace bp {

// One Newton step: survivor q has k[q] active entries summing to S[q].
// Returns theta = (sum S/k - eta) / sum 1/k, and clears *same when an active
// set differs from the previous pass's.
inline double survivors_newton_step(const ThresholdProblem& p, const std::size_t* group_of, const std::size_t* at,
                                    std::size_t na, double* k, double* S, const double* prev_k, const double* prev_s,
                                    bool* same) {
  CompensatedSum num, den;
  for (std::size_t q = 0; q < na; ++q) {
    if (k[q] == 0.0) {  // mu a hair above the top entry: see stream_thresholds
      k[q] = 1.0;
      S[q] = p.mx[group_of[at[q]]];
    }
    if (k[q] != prev_k[q] || S[q] != prev_s[q]) *same = false;
    num.add(S[q] / k[q]);
    den.add(1.0 / k[q]);
  }
  return (num.value() - p.eta) / den.value();
}

// After a step: drops the survivors whose l1 mass (total[at[q]]) is at or
// below theta (dead for good, since theta only rises), and moves their slot,
// the next thresholds mu = (S - theta) / k and this pass's (k, S), as the
// previous ones, into place. Returns the number kept.
inline std::size_t keep_survivors(std::size_t na, double theta, const double* total, std::size_t* at, double* mu,
                                  const double* k, const double* S, double* prev_k, double* prev_s) {
  std::size_t w = 0;
  for (std::size_t q = 0; q < na; ++q) {
    if (!(total[at[q]] > theta)) continue;
    at[w] = at[q];
    mu[w] = (S[q] - theta) / k[q];
    prev_k[w] = k[q];
    prev_s[w] = S[q];
    ++w;
  }
  return w;
}

}  // namespace bp
