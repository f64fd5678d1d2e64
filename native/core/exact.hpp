// The exact Euclidean projection onto the l1,inf ball and, through Moreau's
// identity, the prox of the dual norm alpha * ||.||_{inf,1}.
//
// The projection clips group j at mu_j >= 0, where for a common theta > 0
//   sum_i max(|y_ij| - mu_j, 0) = theta   for every group with mu_j > 0,
//   ||y_j||_1 <= theta                     for every group with mu_j = 0,
//   sum_j mu_j = eta.
// Every method solves this system exactly (up to rounding).
#pragma once

#include <cstddef>

#include "bilevel.hpp"
#include "status.hpp"

namespace bp {

enum class ExactMethod : int {
  // Semismooth Newton on the (mu, theta) system, after Chu et al. (ICML
  // 2020), started from a provable lower bound of theta and run on the
  // entries that can still be active. Finite termination: it stops when the
  // active sets reproduce themselves, which makes the last step exact.
  kNewton = 0,
  // Sort every group, list every breakpoint of sum_j mu_j(theta), sort them
  // and bisect: O(nm log nm), independent of the Newton code path.
  kSort = 1,
  // Semismooth Newton on streaming count-and-sum passes over the matrix (no
  // candidate lists), started from a per-group envelope of free lower bounds;
  // the surviving groups are copied out once few remain. See exact_stream.hpp.
  kStream = 2,
};

// `stop` is polled between Newton iterations (kAborted, out untouched).
template <class T>
Status project_l1inf_exact(const MatrixRef<T>& y, Groups g, double eta, ExactMethod method, T* out, double* radii,
                           ProjectionResult* res, const StopToken& stop = {});

// out = y - P_{l1,inf, alpha}(y); radii are the mu_j of that projection.
template <class T>
Status prox_linf1(const MatrixRef<T>& y, Groups g, double alpha, ExactMethod method, T* out, double* radii,
                  ProjectionResult* res, const StopToken& stop = {});

}  // namespace bp
