#include "predict.hpp"

#include <algorithm>
#include <cmath>
#include <new>
#include <vector>

namespace bp {
namespace sae {

namespace {
constexpr std::size_t kBlock = 64;  // samples encoded per call
}  // namespace

template <class T>
Status predict_encoder(const Shape& s, const T* encoder, const T* x, std::size_t samples, double* proba,
                       std::int32_t* cls) try {
  Network<T> net(s, kBlock);
  std::copy(encoder, encoder + encoder_param_count(s), net.params());
  std::vector<const T*> xs(kBlock);
  std::vector<T> z(kBlock * s.classes);
  const std::size_t k = s.classes;
  for (std::size_t q = 0; q < samples; q += kBlock) {
    const std::size_t nb = std::min(kBlock, samples - q);
    for (std::size_t b = 0; b < nb; ++b) xs[b] = x + (q + b) * s.inputs;
    net.logits(xs.data(), nb, z.data());
    for (std::size_t b = 0; b < nb; ++b) {
      const T* zb = z.data() + b * k;
      std::size_t arg = 0;
      for (std::size_t c = 1; c < k; ++c) {
        if (zb[c] > zb[arg]) arg = c;
      }
      if (!(zb[arg] - zb[arg] == 0)) return Status::kNonFinite;
      if (cls != nullptr) cls[q + b] = static_cast<std::int32_t>(arg);
      if (proba != nullptr) {
        // Softmax in double, shifted by the largest logit so exp cannot overflow.
        double* p = proba + (q + b) * k;
        double sum = 0.0;
        for (std::size_t c = 0; c < k; ++c) {
          p[c] = std::exp(static_cast<double>(zb[c]) - static_cast<double>(zb[arg]));
          sum += p[c];
        }
        for (std::size_t c = 0; c < k; ++c) p[c] /= sum;
      }
    }
  }
  return Status::kOk;
} catch (const std::bad_alloc&) {
  return Status::kOutOfMemory;
}

template Status predict_encoder<float>(const Shape&, const float*, const float*, std::size_t, double*, std::int32_t*);
template Status predict_encoder<double>(const Shape&, const double*, const double*, std::size_t, double*,
                                        std::int32_t*);

}  // namespace sae
}  // namespace bp
