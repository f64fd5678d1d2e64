// Adam (Kingma and Ba) with PyTorch's arithmetic: bias-corrected step size
// lr / (1 - beta1^t) and denominator sqrt(v) / sqrt(1 - beta2^t) + eps, no
// weight decay. The moments live in the parameters' own precision, as in
// PyTorch.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace bp {
namespace sae {

// No defaults here: the SAE's live in TrainConfig (trainer.hpp), once.
struct AdamSettings {
  double lr;
  double beta1;
  double beta2;
  double eps;
};

template <class T>
class Adam {
 public:
  Adam(std::size_t n, const AdamSettings& s) : s_(s), m_(n, T(0)), v_(n, T(0)) {}

  // Fresh state: zero moments, step count 0 (the authors build a new
  // optimiser for the second phase).
  void reset() {
    std::fill(m_.begin(), m_.end(), T(0));
    std::fill(v_.begin(), v_.end(), T(0));
    t_ = 0;
  }

  // p -= lr_t * m / (sqrt(v) / sqrt(1 - beta2^t) + eps), element-wise.
  void step(T* p, const T* g);

 private:
  AdamSettings s_;
  std::vector<T> m_, v_;
  std::size_t t_ = 0;
};

extern template class Adam<float>;
extern template class Adam<double>;

}  // namespace sae
}  // namespace bp
