// The supervised autoencoder of the paper's section V.C ("netBio" in the
// authors' code), for one fixed shape:
//   encoder  z    = W2 silu(W1 x + b1) + b2          (k logits)
//   decoder  xhat = W4 silu(W3 z + b3) + b4          (m outputs)
//   loss     sum_batch CE(z, y) + lambda * sum_batch,features SmoothL1(xhat - x)
// Weights are stored as PyTorch stores them (out x in, row-major), so W1 is
// hidden x m and input feature j is column j of W1. All parameters live in one
// contiguous buffer, which makes the optimiser one loop and a snapshot one copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "rng.hpp"

namespace bp {
namespace sae {

struct Shape {
  std::size_t inputs = 0;   // m
  std::size_t hidden = 0;   // h
  std::size_t classes = 0;  // k (the latent dimension is the number of classes)
};

// Offsets of each tensor in the parameter buffer, in PyTorch's parameter order.
struct ParamLayout {
  std::size_t w1, b1, w2, b2, w3, b3, w4, b4, total;
  explicit ParamLayout(const Shape& s);
};

struct LossTerms {
  double classification = 0.0;  // summed cross-entropy
  double reconstruction = 0.0;  // lambda * summed smooth-l1
  std::size_t correct = 0;      // argmax(z) == y in the batch
};

template <class T>
class Network {
 public:
  // max_batch bounds the batch size of every later call (workspace is
  // allocated once here, never in the training loop).
  Network(const Shape& shape, std::size_t max_batch);

  const Shape& shape() const { return shape_; }
  const ParamLayout& layout() const { return layout_; }
  T* params() { return params_.data(); }
  const T* params() const { return params_.data(); }
  std::size_t param_count() const { return layout_.total; }

  // PyTorch's default for Linear layers: every weight and bias uniform in
  // [-1/sqrt(fan_in), 1/sqrt(fan_in)), drawn tensor by tensor in order.
  void init_uniform(Rng& rng);

  // Loss of a batch (xs[b]: row of length m, ys[b] in [0, k)) and its
  // gradient with respect to every parameter, written (not added) to grad
  // (length param_count()). smooth_beta is SmoothL1's beta.
  LossTerms loss_and_gradient(const T* const* xs, const std::int32_t* ys, std::size_t batch, double lambda,
                              double smooth_beta, T* grad);

  // The loss alone (for gradient checks); same arguments.
  LossTerms loss(const T* const* xs, const std::int32_t* ys, std::size_t batch, double lambda, double smooth_beta);

  // Predicted class (first index of the largest logit) of each sample; only
  // the encoder runs.
  void predict(const T* const* xs, std::size_t batch, std::int32_t* cls);

  // The logits (batch x k, row-major) of each sample: the arithmetic predict
  // uses, so a saved model reproduces what training measured.
  void logits(const T* const* xs, std::size_t batch, T* z);

 private:
  void encode(const T* const* xs, std::size_t batch);
  LossTerms forward_loss(const T* const* xs, const std::int32_t* ys, std::size_t batch, double lambda,
                         double smooth_beta);

  Shape shape_;
  ParamLayout layout_;
  std::size_t max_batch_, padded_;  // padded_: max_batch rounded up to a multiple of 4
  std::vector<T> params_;
  // Workspace, one row per sample of the (padded) batch.
  std::vector<T> a1_, h1_, z_, dz_, a3_, h3_, dh3_, dh1_, xhat_;
  std::vector<T> coef_;  // per-row coefficients of a rank-4 update
};

extern template class Network<float>;
extern template class Network<double>;

}  // namespace sae
}  // namespace bp
