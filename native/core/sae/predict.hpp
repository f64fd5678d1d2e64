// Prediction with a fitted encoder alone (W1, b1, W2, b2): what a saved SAE
// model needs. The same Network arithmetic as training, so a model restored
// from its saved weights predicts exactly what the fitted one did.
#pragma once

#include <cstddef>
#include <cstdint>

#include "network.hpp"
#include "status.hpp"

namespace bp {
namespace sae {

// Number of encoder parameters: W1 (h x m), b1 (h), W2 (k x h), b2 (k).
inline std::size_t encoder_param_count(const Shape& s) {
  return s.hidden * s.inputs + s.hidden + s.classes * s.hidden + s.classes;
}

// x: samples x inputs, row-major. encoder: encoder_param_count(s) values in
// ParamLayout order. proba (samples x classes) receives softmax of the
// logits; cls the first class of largest logit. Either may be null.
template <class T>
Status predict_encoder(const Shape& s, const T* encoder, const T* x, std::size_t samples, double* proba,
                       std::int32_t* cls);

}  // namespace sae
}  // namespace bp
