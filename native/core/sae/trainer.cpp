#include "trainer.hpp"

#include <algorithm>
#include <cmath>
#include <new>

#include "adam.hpp"
#include "radius_for_keep.hpp"

namespace bp {
namespace sae {

namespace {

// Test samples are classified this many at a time at least.
constexpr std::size_t kPredictBlock = 4;

// The projection whose radius keep_columns computes: the same maths as the
// operation the trainer runs (an exact l1,inf by any method keeps the same
// columns).
KeepProjection keep_projection_of(Operation op) {
  switch (op) {
    case Operation::kBilevelL11:
      return KeepProjection::kBilevelL11;
    case Operation::kBilevelL12:
      return KeepProjection::kBilevelL12;
    case Operation::kExactNewton:
    case Operation::kExactSort:
    case Operation::kExactStream:
      return KeepProjection::kExactL1Inf;
    default:
      return KeepProjection::kBilevelL1Inf;
  }
}

template <class T>
class FoldTrainer {
 public:
  FoldTrainer(const Dataset<T>& data, const FoldIndices& fold, const TrainConfig& cfg, const StopToken& stop,
              const EpochObserver& observer)
      : data_(data),
        fold_(fold),
        cfg_(cfg),
        stop_(stop),
        observer_(observer),
        net_(Shape{data.features, cfg.hidden, cfg.classes}, std::max<std::size_t>(cfg.batch_size, kPredictBlock)),
        adam_(net_.param_count(), AdamSettings{cfg.learning_rate, cfg.beta1, cfg.beta2, cfg.adam_eps}),
        grad_(net_.param_count()),
        order_(fold.train_count),
        xs_(std::max(cfg.batch_size, std::max(fold.test_count, fold.validation_count))),
        ys_(cfg.batch_size),
        pred_(std::max(fold.test_count, fold.validation_count)) {}

  Status run(FoldResult<T>* out) {
    const bool projecting = cfg_.projection.has_value();
    const bool phase2 = projecting && cfg_.phase2_epochs > 0;
    out->epochs.clear();
    out->reported_phase = phase2 ? 2 : 1;
    best_correct_ = -1;

    // Phase 1. The same seed starts every phase, as torch.manual_seed(seed) does in the authors' script.
    Rng rng1(cfg_.seed);
    net_.init_uniform(rng1);
    adam_.reset();
    for (std::size_t e = 1; e <= cfg_.phase1_epochs; ++e) {
      EpochRecord rec;
      rec.phase = 1;
      rec.epoch = e;
      Status st = train_epoch(rng1, false, &rec);
      if (st != Status::kOk) return st;
      if (projecting && e == cfg_.phase1_epochs) {
        st = project(out);
        if (st != Status::kOk) return st;
      }
      const std::size_t correct = evaluate(&rec);
      out->epochs.push_back(rec);
      observer_(rec);
      // The baseline reports phase 1; a projected run with no phase 2 reports
      // the projected network (the last epoch of phase 1) only.
      if (!phase2 && (!projecting || e == cfg_.phase1_epochs)) keep_if_best(correct, e, out);
      if (!phase2) out->last_accuracy = rec.test_accuracy;
    }

    if (projecting && cfg_.phase1_epochs == 0) {  // no phase 1 epoch to end with the projection
      Status st = project(out);
      if (st != Status::kOk) return st;
    }
    if (phase2) {
      // Phase 2 continues from the projected weights: prune, fresh Adam, masked gradients.
      prune_small(net_, cfg_.prune_below);
      Rng rng2(cfg_.seed);
      adam_.reset();
      for (std::size_t e = 1; e <= cfg_.phase2_epochs; ++e) {
        EpochRecord rec;
        rec.phase = 2;
        rec.epoch = e;
        Status st = train_epoch(rng2, true, &rec);
        if (st != Status::kOk) return st;
        const std::size_t correct = evaluate(&rec);
        out->epochs.push_back(rec);
        observer_(rec);
        keep_if_best(correct, e, out);
        out->last_accuracy = rec.test_accuracy;
      }
    }
    if (best_correct_ < 0) snapshot(out);  // no epoch at all: report the network as it stands
    out->zero_columns = count_zero_columns(out->best_w1.data(), cfg_.hidden, data_.features, cfg_.zero_below);
    return Status::kOk;
  }

 private:
  // The projection of the recipe, at cfg.eta or at the radius that keeps
  // cfg.keep columns of W1 as it stands now.
  Status project(FoldResult<T>* out) {
    double eta = cfg_.eta;
    if (cfg_.keep >= 0) {
      const ParamLayout& L = net_.layout();
      const MatrixRef<T> w1{net_.params() + L.w1, cfg_.hidden, data_.features};
      const KeepProjection kind = keep_projection_of(*cfg_.projection);
      const Status st = radius_for_keep(w1, Groups::kColumns, kind, static_cast<std::size_t>(cfg_.keep), &eta);
      if (st != Status::kOk) return st;
    }
    out->eta = eta;
    const ProjectionTargets targets{cfg_.project_bias, cfg_.project_w2};
    return project_network(net_, cfg_.projection, eta, targets, &out->zero_columns_after_projection, stop_);
  }

  void snapshot(FoldResult<T>* out) {
    const ParamLayout& L = net_.layout();
    out->best_w1.assign(net_.params() + L.w1, net_.params() + L.w1 + cfg_.hidden * data_.features);
    out->best_encoder.assign(net_.params(), net_.params() + L.w3);
  }

  const T* row(std::int32_t i) const { return data_.x + static_cast<std::size_t>(i) * data_.features; }

  Status train_epoch(Rng& rng, bool masked, EpochRecord* rec) {
    const std::size_t n = fold_.train_count, bs = cfg_.batch_size;
    // A fresh permutation every epoch, as a shuffling DataLoader draws one.
    std::copy(fold_.train, fold_.train + n, order_.begin());
    rng.shuffle(order_.data(), n);
    const ParamLayout& L = net_.layout();
    double loss = 0.0;
    std::size_t correct = 0;
    for (std::size_t s = 0; s < n; s += bs) {
      if (stop_.requested()) return Status::kAborted;
      const std::size_t nb = std::min(bs, n - s);
      for (std::size_t b = 0; b < nb; ++b) {
        xs_[b] = row(order_[s + b]);
        ys_[b] = data_.y[order_[s + b]];
      }
      const LossTerms t =
          net_.loss_and_gradient(xs_.data(), ys_.data(), nb, cfg_.loss_lambda, cfg_.smooth_l1_beta, grad_.data());
      loss += t.classification + t.reconstruction;
      correct += t.correct;
      if (masked) {
        mask_gradient(L.w1, cfg_.hidden * data_.features);
        mask_gradient(L.w2, cfg_.classes * cfg_.hidden);
      }
      adam_.step(net_.params(), grad_.data());
    }
    rec->train_loss = n > 0 ? loss / static_cast<double>(n) : 0.0;
    rec->train_accuracy = n > 0 ? static_cast<double>(correct) / static_cast<double>(n) : 0.0;
    return Status::kOk;
  }

  // Weights that are (nearly) zero get no gradient, so Adam, started fresh,
  // leaves them at exactly zero: the sparsity of the projection survives.
  void mask_gradient(std::size_t offset, std::size_t count) {
    const T* w = net_.params() + offset;
    T* g = grad_.data() + offset;
    const T thr = static_cast<T>(cfg_.mask_below);
    for (std::size_t i = 0; i < count; ++i) g[i] = std::fabs(w[i]) < thr ? T(0) : g[i];
  }

  // Accuracy on `count` samples given by index.
  std::size_t correct_on(const std::int32_t* idx, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) xs_[i] = row(idx[i]);
    net_.predict(xs_.data(), count, pred_.data());
    std::size_t correct = 0;
    for (std::size_t i = 0; i < count; ++i) correct += pred_[i] == data_.y[idx[i]] ? 1u : 0u;
    return correct;
  }

  // Fills the record's held-out accuracies; returns the count the epoch
  // choice compares (correct answers on the test or the validation indices).
  std::size_t evaluate(EpochRecord* rec) {
    const std::size_t n = fold_.test_count;
    const std::size_t correct = correct_on(fold_.test, n);
    rec->test_accuracy = n > 0 ? static_cast<double>(correct) / static_cast<double>(n) : 0.0;
    if (cfg_.epoch_selection != EpochSelection::kValidation) return correct;
    const std::size_t v = fold_.validation_count;
    const std::size_t sel = correct_on(fold_.validation, v);
    rec->validation_accuracy = v > 0 ? static_cast<double>(sel) / static_cast<double>(v) : 0.0;
    return sel;
  }

  void keep_if_best(std::size_t correct, std::size_t epoch, FoldResult<T>* out) {
    // Strict for the best-epoch choices: the first best epoch wins ties; the
    // last-epoch choice takes every epoch, so the last one stays.
    if (cfg_.epoch_selection != EpochSelection::kLast && static_cast<long long>(correct) <= best_correct_) return;
    best_correct_ = static_cast<long long>(correct);
    out->best_epoch = epoch;
    const std::vector<EpochRecord>& e = out->epochs;
    out->best_accuracy = e.empty() ? 0.0 : e.back().test_accuracy;
    snapshot(out);
  }

  const Dataset<T>& data_;
  const FoldIndices& fold_;
  const TrainConfig& cfg_;
  const StopToken& stop_;
  const EpochObserver& observer_;
  Network<T> net_;
  Adam<T> adam_;
  std::vector<T> grad_;
  std::vector<std::int32_t> order_;
  std::vector<const T*> xs_;
  std::vector<std::int32_t> ys_;
  std::vector<std::int32_t> pred_;
  long long best_correct_ = -1;
};

}  // namespace

template <class T>
Status train_fold(const Dataset<T>& data, const FoldIndices& fold, const TrainConfig& cfg, FoldResult<T>* out,
                  const StopToken& stop, const EpochObserver& observer) try {
  FoldTrainer<T> trainer(data, fold, cfg, stop, observer);
  return trainer.run(out);
} catch (const std::bad_alloc&) {
  return Status::kOutOfMemory;
}

template Status train_fold<float>(const Dataset<float>&, const FoldIndices&, const TrainConfig&, FoldResult<float>*,
                                  const StopToken&, const EpochObserver&);
template Status train_fold<double>(const Dataset<double>&, const FoldIndices&, const TrainConfig&, FoldResult<double>*,
                                   const StopToken&, const EpochObserver&);

}  // namespace sae
}  // namespace bp
