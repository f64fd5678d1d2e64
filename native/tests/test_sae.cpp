// The SAE trainer of native/core/sae: gradients against finite differences
// (float64), Adam against its formula, the generator against numpy, and
// whole-fold training (learning, determinism, projection, masking, abort).
#include <cmath>
#include <cstdint>
#include <vector>

#include "harness.hpp"
#include "sae/adam.hpp"
#include "sae/network.hpp"
#include "sae/predict.hpp"
#include "sae/projection_step.hpp"
#include "sae/rng.hpp"
#include "sae/trainer.hpp"

using namespace bptest;
using bp::sae::Network;
using bp::sae::Shape;

namespace {

// A tiny batch: values of magnitude ~2 so SmoothL1 sees both of its regimes.
struct TinyBatch {
  std::vector<double> x;
  std::vector<const double*> rows;
  std::vector<std::int32_t> y;
};

TinyBatch tiny_batch(std::size_t batch, std::size_t m, std::size_t k, std::uint64_t seed) {
  Rng rng(seed);
  TinyBatch t;
  t.x.resize(batch * m);
  for (double& v : t.x) v = 2.0 * rng.normal();
  for (std::size_t b = 0; b < batch; ++b) {
    t.rows.push_back(t.x.data() + b * m);
    t.y.push_back(static_cast<std::int32_t>(rng.below(k)));
  }
  return t;
}

// Central differences of the summed loss against the analytic gradient, for
// every parameter of a small network.
void check_gradient(std::size_t batch, double lambda, double beta) {
  const Shape shape{6, 5, 3};
  Network<double> net(shape, batch);
  bp::sae::Rng init(7);
  net.init_uniform(init);
  // Larger weights than the default init, so every layer's gradient matters.
  for (std::size_t i = 0; i < net.param_count(); ++i) net.params()[i] *= 3.0;
  TinyBatch t = tiny_batch(batch, shape.inputs, shape.classes, 11 + batch);
  std::vector<double> grad(net.param_count());
  net.loss_and_gradient(t.rows.data(), t.y.data(), batch, lambda, beta, grad.data());
  const double h = 1e-6;
  double worst = 0.0;
  for (std::size_t i = 0; i < net.param_count(); ++i) {
    double* p = net.params() + i;
    const double keep = *p;
    *p = keep + h;
    bp::sae::LossTerms up = net.loss(t.rows.data(), t.y.data(), batch, lambda, beta);
    *p = keep - h;
    bp::sae::LossTerms down = net.loss(t.rows.data(), t.y.data(), batch, lambda, beta);
    *p = keep;
    const double fd = ((up.classification + up.reconstruction) - (down.classification + down.reconstruction)) / (2 * h);
    const double err = std::fabs(fd - grad[i]) / std::max(1.0, std::fabs(fd));
    worst = std::max(worst, err);
    CHECK_MSG(err < 1e-6, "parameter " << i << ": finite difference " << fd << " vs analytic " << grad[i]);
  }
  CHECK(worst < 1e-6);
}

// A two-class problem the network must learn: the first `signal` features
// carry the class, the rest are noise.
struct ToyData {
  std::vector<float> x;
  std::vector<std::int32_t> y, train, test;
  std::size_t n, m;
};

ToyData toy(std::size_t n, std::size_t m, std::size_t signal, std::uint64_t seed) {
  Rng rng(seed);
  ToyData d{{}, {}, {}, {}, n, m};
  d.x.resize(n * m);
  d.y.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    d.y[i] = static_cast<std::int32_t>(rng.below(2));
    for (std::size_t j = 0; j < m; ++j) {
      const double shift = j < signal ? (d.y[i] == 1 ? 1.0 : -1.0) : 0.0;
      d.x[i * m + j] = static_cast<float>(rng.normal() + shift);
    }
    (i % 4 == 0 ? d.test : d.train).push_back(static_cast<std::int32_t>(i));
  }
  return d;
}

bp::sae::FoldResult<float> train(const ToyData& d, const bp::sae::TrainConfig& cfg, bp::Status* st,
                                 const bp::StopToken& stop = {}, const bp::sae::EpochObserver& obs = {}) {
  bp::sae::Dataset<float> data{d.x.data(), d.n, d.m, d.y.data()};
  bp::sae::FoldIndices fold{d.train.data(), d.train.size(), d.test.data(), d.test.size()};
  bp::sae::FoldResult<float> r;
  *st = bp::sae::train_fold(data, fold, cfg, &r, stop, obs);
  return r;
}

bp::sae::TrainConfig small_config(bp::sae::ProjectionKind kind, double eta) {
  bp::sae::TrainConfig cfg;
  cfg.hidden = 16;
  cfg.phase1_epochs = 8;
  cfg.phase2_epochs = 6;
  cfg.learning_rate = 2e-3;
  cfg.projection = kind;
  cfg.eta = eta;
  return cfg;
}

}  // namespace

TEST(sae_gradient_matches_finite_differences_one_block) {
  check_gradient(3, 0.3, 1.0);
}
TEST(sae_gradient_matches_finite_differences_two_blocks) {
  check_gradient(6, 0.7, 0.5);
}

TEST(sae_loss_is_cross_entropy_plus_smooth_l1) {
  // A network whose every parameter is zero outputs z = 0 and xhat = 0:
  // loss = batch * log(k) + lambda * sum SmoothL1(x).
  const Shape shape{3, 2, 2};
  Network<double> net(shape, 2);
  std::fill(net.params(), net.params() + net.param_count(), 0.0);
  const double x[6] = {0.5, -2.0, 0.0, 1.5, 0.25, -0.75};
  const double* rows[2] = {x, x + 3};
  const std::int32_t y[2] = {0, 1};
  bp::sae::LossTerms t = net.loss(rows, y, 2, 0.1, 1.0);
  double rec = 0;
  for (double v : x) rec += std::fabs(v) < 1 ? 0.5 * v * v : std::fabs(v) - 0.5;
  CHECK_NEAR(t.classification, 2 * std::log(2.0), 1e-12);
  CHECK_NEAR(t.reconstruction, 0.1 * rec, 1e-12);
}

TEST(sae_adam_follows_pytorch_formula) {
  bp::sae::AdamSettings s{0.1, 0.9, 0.999, 1e-8};
  bp::sae::Adam<double> adam(1, s);
  double p = 1.0, m = 0, v = 0;
  const double grads[3] = {0.5, -0.25, 2.0};
  for (int t = 1; t <= 3; ++t) {
    const double g = grads[t - 1];
    adam.step(&p, &g);
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
  }
  // Replay the formula from scratch.
  double q = 1.0;
  m = v = 0;
  for (int t = 1; t <= 3; ++t) {
    const double g = grads[t - 1];
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
    q -= 0.1 / (1 - std::pow(0.9, t)) * m / (std::sqrt(v) / std::sqrt(1 - std::pow(0.999, t)) + 1e-8);
  }
  CHECK_NEAR(p, q, 1e-15);
  // float and double paths (SIMD body and scalar tail) agree element by element.
  bp::sae::Adam<float> a4(7, s);
  std::vector<float> pf(7, 1.0f), gf = {0.5f, -0.25f, 2.0f, 1e-3f, -4.0f, 0.0f, 0.125f};
  a4.step(pf.data(), gf.data());
  for (std::size_t i = 0; i < 7; ++i) {
    bp::sae::Adam<float> a1(1, s);
    float p1 = 1.0f;
    a1.step(&p1, &gf[i]);
    CHECK(p1 == pf[i]);
  }
}

TEST(sae_rng_matches_numpy_random_state) {
  bp::sae::Rng r(5);
  // numpy.random.RandomState(5).random_sample(3)
  CHECK(r.uniform() == 0x1.c6a45b0e2048cp-3);
  CHECK(r.uniform() == 0x1.bdd09ff53479ap-1);
  CHECK(r.uniform() == 0x1.a75c5f5d1ddc4p-3);
  // numpy.random.RandomState(5).permutation(10)
  bp::sae::Rng s(5);
  std::int32_t a[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  s.shuffle(a, 10);
  const std::int32_t want[10] = {9, 5, 2, 4, 7, 1, 0, 8, 6, 3};
  for (int i = 0; i < 10; ++i) CHECK(a[i] == want[i]);
}

TEST(sae_baseline_learns_and_is_deterministic) {
  ToyData d = toy(200, 40, 4, 3);
  bp::Status st;
  bp::sae::TrainConfig cfg = small_config(std::nullopt, 0);
  auto a = train(d, cfg, &st);
  CHECK(st == bp::Status::kOk);
  CHECK_MSG(a.best_accuracy > 0.85, a.best_accuracy);
  CHECK(a.epochs.size() == cfg.phase1_epochs);
  CHECK(a.reported_phase == 1);
  CHECK(a.best_w1.size() == cfg.hidden * d.m);
  CHECK(a.zero_columns == 0);
  auto b = train(d, cfg, &st);
  CHECK(a.best_w1 == b.best_w1);
  CHECK(a.best_epoch == b.best_epoch);
  for (std::size_t e = 0; e < a.epochs.size(); ++e) CHECK(a.epochs[e].train_loss == b.epochs[e].train_loss);
  cfg.seed = 6;
  auto c = train(d, cfg, &st);
  CHECK(a.best_w1 != c.best_w1);
}

TEST(sae_projection_zeroes_columns_and_phase_two_keeps_them) {
  ToyData d = toy(200, 40, 4, 5);
  for (auto kind : {bp::Operation::kBilevelL1Inf, bp::Operation::kBilevelL11, bp::Operation::kBilevelL12,
                    bp::Operation::kExactNewton}) {
    bp::Status st;
    std::size_t epochs_seen = 0;
    bp::sae::EpochObserver obs{[](void* ctx, const bp::sae::EpochRecord&) { ++*static_cast<std::size_t*>(ctx); },
                               &epochs_seen};
    bp::sae::TrainConfig cfg = small_config(kind, 0.5);
    auto r = train(d, cfg, &st, {}, obs);
    CHECK(st == bp::Status::kOk);
    CHECK(epochs_seen == cfg.phase1_epochs + cfg.phase2_epochs);
    CHECK(r.reported_phase == 2);
    CHECK(r.best_epoch >= 1 && r.best_epoch <= cfg.phase2_epochs);
    CHECK_MSG(r.zero_columns_after_projection > 0, static_cast<int>(kind));
    // Phase 2 cannot revive a column the projection removed.
    CHECK_MSG(r.zero_columns >= r.zero_columns_after_projection,
              r.zero_columns << " < " << r.zero_columns_after_projection);
    CHECK(r.zero_columns < d.m);
  }
}

TEST(sae_bilevel_keeps_the_informative_features) {
  ToyData d = toy(240, 60, 3, 9);
  bp::Status st;
  auto r = train(d, small_config(bp::Operation::kBilevelL1Inf, 0.3), &st);
  CHECK(st == bp::Status::kOk);
  CHECK_MSG(r.best_accuracy > 0.85, r.best_accuracy);
  // The three signal columns survive.
  for (std::size_t j = 0; j < 3; ++j) {
    double mx = 0;
    for (std::size_t i = 0; i < 16; ++i) mx = std::max(mx, std::fabs(static_cast<double>(r.best_w1[i * d.m + j])));
    CHECK_MSG(mx > 1e-3, "column " << j);
  }
  CHECK_MSG(r.zero_columns >= d.m / 2, r.zero_columns);
}

TEST(sae_stop_token_aborts_between_batches) {
  ToyData d = toy(120, 20, 2, 1);
  int polls = 0;
  bp::StopToken stop{[](const void* ctx) { return ++*static_cast<int*>(const_cast<void*>(ctx)) > 5; }, &polls};
  bp::Status st;
  train(d, small_config(bp::Operation::kBilevelL1Inf, 1.0), &st, stop);
  CHECK(st == bp::Status::kAborted);
  CHECK(polls == 6);
}

TEST(sae_zero_column_count_uses_the_threshold) {
  const float w[6] = {0.0f, 5e-4f, 2.0f, 0.0f, -5e-4f, 0.0f};  // 2 x 3
  CHECK(bp::sae::count_zero_columns(w, 2, 3, 1e-3) == 2);
  CHECK(bp::sae::count_zero_columns(w, 2, 3, 0.0) == 1);
  const float z[4] = {0, 0, 0, 1};
  CHECK(bp::sae::count_zero_columns(z, 2, 2, 0.0) == 1);
}

TEST(sae_projection_happens_even_without_phase_one) {
  ToyData d = toy(80, 20, 2, 2);
  bp::sae::TrainConfig cfg = small_config(bp::Operation::kBilevelL1Inf, 0.1);
  cfg.phase1_epochs = 0;
  cfg.phase2_epochs = 2;
  bp::Status st;
  auto r = train(d, cfg, &st);
  CHECK(st == bp::Status::kOk);
  CHECK(r.epochs.size() == 2);
  CHECK_MSG(r.zero_columns_after_projection > 0, r.zero_columns_after_projection);
  CHECK(r.zero_columns >= r.zero_columns_after_projection);
}

TEST(sae_keep_projects_at_the_radius_that_keeps_k_columns) {
  ToyData d = toy(160, 30, 3, 4);
  for (auto kind : {bp::Operation::kBilevelL1Inf, bp::Operation::kBilevelL11, bp::Operation::kBilevelL12,
                    bp::Operation::kExactStream, bp::Operation::kExactNewton}) {
    bp::sae::TrainConfig cfg = small_config(kind, 123.0);  // eta is ignored when keep is set
    cfg.keep = 7;
    bp::Status st;
    auto r = train(d, cfg, &st);
    CHECK(st == bp::Status::kOk);
    CHECK_MSG(r.zero_columns_after_projection == d.m - 7, static_cast<int>(kind)
                                                              << ": " << r.zero_columns_after_projection);
    CHECK(r.eta > 0.0 && r.eta != 123.0);
    CHECK(r.zero_columns >= d.m - 7);  // phase 2 never revives a column
  }
}

TEST(sae_epoch_selection_last_and_validation) {
  ToyData d = toy(160, 20, 3, 8);
  bp::sae::TrainConfig cfg = small_config(bp::Operation::kBilevelL1Inf, 0.5);
  cfg.epoch_selection = bp::sae::EpochSelection::kLast;
  bp::Status st;
  auto last = train(d, cfg, &st);
  CHECK(st == bp::Status::kOk);
  CHECK(last.best_epoch == cfg.phase2_epochs);
  CHECK(last.best_accuracy == last.last_accuracy);
  // The validation set alone decides: with no validation samples every epoch
  // scores 0 and the first one is kept.
  cfg.epoch_selection = bp::sae::EpochSelection::kValidation;
  auto none = train(d, cfg, &st);
  CHECK(none.best_epoch == 1);
}

TEST(sae_predict_encoder_matches_the_trainers_network) {
  ToyData d = toy(100, 12, 3, 6);
  bp::sae::TrainConfig cfg = small_config(std::nullopt, 0);
  cfg.epoch_selection = bp::sae::EpochSelection::kLast;
  bp::Status st;
  auto r = train(d, cfg, &st);
  CHECK(st == bp::Status::kOk);
  const Shape shape{d.m, cfg.hidden, 2};
  CHECK(r.best_encoder.size() == bp::sae::encoder_param_count(shape));
  std::vector<double> proba(d.n * 2);
  std::vector<std::int32_t> cls(d.n);
  CHECK(bp::sae::predict_encoder(shape, r.best_encoder.data(), d.x.data(), d.n, proba.data(), cls.data()) ==
        bp::Status::kOk);
  // The last epoch's test accuracy, recomputed from the kept encoder.
  std::size_t correct = 0;
  for (std::int32_t i : d.test) correct += cls[i] == d.y[i] ? 1u : 0u;
  CHECK_NEAR(static_cast<double>(correct) / static_cast<double>(d.test.size()), r.last_accuracy, 1e-12);
  for (std::size_t i = 0; i < d.n; ++i) {
    CHECK_NEAR(proba[2 * i] + proba[2 * i + 1], 1.0, 1e-12);
    CHECK((proba[2 * i + 1] > proba[2 * i]) == (cls[i] == 1) || proba[2 * i + 1] == proba[2 * i]);
  }
}
