// The one projection of the SAE recipe, applied at the end of the first
// training phase (docs/sae-recipe.md, step 4): W1 by feature columns,
// and, as the authors did, the first-layer bias and W2 by hidden units.
#pragma once

#include <cstddef>
#include <optional>

#include "network.hpp"
#include "operations.hpp"
#include "status.hpp"

namespace bp {
namespace sae {

// One of the core's operations (operations.hpp, the table the binding and
// lib/ share), or none: the baseline, trained without a constraint.
using ProjectionKind = std::optional<Operation>;

struct ProjectionTargets {
  // No defaults here: TrainConfig's project_bias and project_w2 hold them.
  bool bias;  // b1: l1 ball of radius eta (clipped to [-eta, eta] for the exact l1,inf)
  bool w2;    // W2 (k x hidden): groups are its columns, the hidden units
};

// Projects the network's parameters in place with radius eta. zero_columns
// receives the number of W1 columns (features) that came out entirely zero.
template <class T>
Status project_network(Network<T>& net, ProjectionKind kind, double eta, const ProjectionTargets& targets,
                       std::size_t* zero_columns, const StopToken& stop = {});

// Entries of W1 and W2 with |w| < threshold set to exactly 0 (the start of
// the second phase).
template <class T>
void prune_small(Network<T>& net, double threshold);

// W1 columns whose entries all have |w| < threshold.
template <class T>
std::size_t count_zero_columns(const T* w1, std::size_t rows, std::size_t cols, double threshold);

}  // namespace sae
}  // namespace bp
