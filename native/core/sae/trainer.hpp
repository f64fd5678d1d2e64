// One fold of the SAE recipe of docs/sae-recipe.md, end to end:
// phase 1 (unconstrained Adam), the projection once after the last training
// pass of phase 1, phase 2 from the projected weights (small weights pruned,
// fresh Adam, gradients of W1 and W2 masked where |w| is tiny), and the
// best-epoch choice on the test fold within the reported phase.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "network.hpp"
#include "projection_step.hpp"
#include "status.hpp"

namespace bp {
namespace sae {

// Which epoch's weights a fold keeps, within the reported phase (the option
// epochSelection of lib/sae).
enum class EpochSelection : int {
  kTestFold = 0,    // best accuracy on the test indices (the authors' protocol; optimistic)
  kValidation = 1,  // best accuracy on the separate validation indices (a hold-out)
  kLast = 2,        // the last epoch (no choice made on held-out data)
};

// The knobs of the SAE recipe, and the one place their defaults are written:
// lib/sae reads them through the binding (saeDefaults), and every field is
// named as its option in lib/sae/options.ts (snake_case here, camelCase
// there: phase1_epochs is phase1Epochs), so nothing is renamed on the way.
struct TrainConfig {
  std::size_t hidden = 100;
  std::size_t classes = 2;         // not an option: the labels decide
  std::size_t phase1_epochs = 30;  // unconstrained
  std::size_t phase2_epochs = 30;  // after the projection (only when projecting)
  std::size_t batch_size = 4;
  double learning_rate = 5e-4;  // Adam's
  double beta1 = 0.9;
  double beta2 = 0.999;
  double adam_eps = 1e-8;
  double loss_lambda = 5e-5;                             // weight of the reconstruction loss
  double smooth_l1_beta = 1.0;                           // SmoothL1's beta
  ProjectionKind projection = Operation::kBilevelL1Inf;  // std::nullopt: the baseline
  double eta = 1.0;
  // >= 0: ignore eta and project at the radius that keeps this many W1
  // columns, computed on W1 as it stands when the projection happens (the
  // same radius then serves b1 and W2).
  long long keep = -1;
  EpochSelection epoch_selection = EpochSelection::kTestFold;
  bool project_bias = true;   // also project b1 (as the authors do)
  bool project_w2 = true;     // and W2, by hidden units
  double prune_below = 1e-3;  // phase 2 starts by zeroing |w| below this in W1 and W2
  double mask_below = 1e-4;   // and then freezes (zero gradient) |w| below this
  double zero_below = 1e-3;   // a W1 column with every |w| below this counts as removed
  std::uint32_t seed = 5;     // init and shuffles; reseeded at the start of each phase
};

// Row-major samples x features, and the labels, shared read-only by folds.
template <class T>
struct Dataset {
  const T* x = nullptr;
  std::size_t samples = 0;
  std::size_t features = 0;
  const std::int32_t* y = nullptr;
};

struct FoldIndices {
  const std::int32_t* train = nullptr;
  std::size_t train_count = 0;
  const std::int32_t* test = nullptr;
  std::size_t test_count = 0;
  const std::int32_t* validation = nullptr;  // used by EpochSelection::kValidation only
  std::size_t validation_count = 0;
};

struct EpochRecord {
  int phase = 1;            // 1 or 2
  std::size_t epoch = 0;    // 1-based within the phase
  double train_loss = 0.0;  // mean total loss per training sample
  double train_accuracy = 0.0;
  double test_accuracy = 0.0;
  double validation_accuracy = 0.0;  // on the validation indices (kValidation only)
};

// Called on the training thread after every epoch (progress reports).
struct EpochObserver {
  void (*fn)(void* ctx, const EpochRecord& r) = nullptr;
  void* ctx = nullptr;
  void operator()(const EpochRecord& r) const {
    if (fn != nullptr) fn(ctx, r);
  }
};

template <class T>
struct FoldResult {
  std::vector<EpochRecord> epochs;  // phase 1 then phase 2
  int reported_phase = 1;           // the phase the accuracies below come from
  std::size_t best_epoch = 0;       // 1-based within the reported phase: the kept epoch (cfg.epoch_selection)
  double best_accuracy = 0.0;       // test accuracy of the kept epoch
  double last_accuracy = 0.0;       // the reported phase's last epoch
  std::size_t zero_columns_after_projection = 0;
  std::size_t zero_columns = 0;  // of best_w1, by zero_below
  double eta = 0.0;              // the radius the projection used (cfg.eta, or the one for cfg.keep)
  std::vector<T> best_w1;        // hidden x features, at the kept epoch
  std::vector<T> best_encoder;   // W1, b1, W2, b2 in ParamLayout order, at the kept epoch
};

// Trains one fold. The caller has checked the arguments (shapes, labels in
// [0, classes), indices in range, batch >= 1): lib/sae validates every
// user-facing value and the binding checks what memory safety needs.
// Returns kAborted when `stop` fires (polled between batches), kNonFinite if
// the projection meets a non-finite weight, kOutOfMemory on allocation failure.
template <class T>
Status train_fold(const Dataset<T>& data, const FoldIndices& fold, const TrainConfig& cfg, FoldResult<T>* out,
                  const StopToken& stop = {}, const EpochObserver& observer = {});

extern template Status train_fold<float>(const Dataset<float>&, const FoldIndices&, const TrainConfig&,
                                         FoldResult<float>*, const StopToken&, const EpochObserver&);
extern template Status train_fold<double>(const Dataset<double>&, const FoldIndices&, const TrainConfig&,
                                          FoldResult<double>*, const StopToken&, const EpochObserver&);

}  // namespace sae
}  // namespace bp
