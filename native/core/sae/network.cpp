#include "network.hpp"

#include <algorithm>
#include <cmath>

#include "kernels.hpp"

namespace bp {
namespace sae {

ParamLayout::ParamLayout(const Shape& s) {
  const std::size_t m = s.inputs, h = s.hidden, k = s.classes;
  w1 = 0;
  b1 = w1 + h * m;
  w2 = b1 + h;
  b2 = w2 + k * h;
  w3 = b2 + k;
  b3 = w3 + h * k;
  w4 = b3 + h;
  b4 = w4 + m * h;
  total = b4 + m;
}

namespace {

template <class T>
inline T sigmoid(T a) {
  return T(1) / (T(1) + std::exp(-a));
}

// d silu(a) / da = s (1 + a (1 - s)), s = sigmoid(a).
template <class T>
inline T silu_grad(T a) {
  const T s = sigmoid(a);
  return s * (T(1) + a * (T(1) - s));
}

std::size_t round_up4(std::size_t n) {
  return (n + kBlock - 1) / kBlock * kBlock;
}

}  // namespace

template <class T>
Network<T>::Network(const Shape& shape, std::size_t max_batch)
    : shape_(shape),
      layout_(shape),
      max_batch_(std::max<std::size_t>(max_batch, 1)),
      padded_(round_up4(max_batch_)),
      params_(layout_.total) {
  const std::size_t p = padded_, m = shape.inputs, h = shape.hidden, k = shape.classes;
  a1_.assign(p * h, T(0));
  h1_.assign(p * h, T(0));
  z_.assign(p * k, T(0));
  dz_.assign(p * k, T(0));
  a3_.assign(p * h, T(0));
  h3_.assign(p * h, T(0));
  dh3_.assign(p * h, T(0));
  dh1_.assign(p * h, T(0));
  xhat_.assign(p * m, T(0));
  coef_.assign(p, T(0));
}

template <class T>
void Network<T>::init_uniform(Rng& rng) {
  const std::size_t m = shape_.inputs, h = shape_.hidden, k = shape_.classes;
  // (offset, count, fan_in) of W1, b1, W2, b2, W3, b3, W4, b4.
  const std::size_t spec[8][3] = {{layout_.w1, h * m, m}, {layout_.b1, h, m},     {layout_.w2, k * h, h},
                                  {layout_.b2, k, h},     {layout_.w3, h * k, k}, {layout_.b3, h, k},
                                  {layout_.w4, m * h, h}, {layout_.b4, m, h}};
  for (const auto& s : spec) {
    const double bound = s[2] > 0 ? 1.0 / std::sqrt(static_cast<double>(s[2])) : 0.0;
    T* p = params_.data() + s[0];
    for (std::size_t i = 0; i < s[1]; ++i) p[i] = static_cast<T>(bound * (2.0 * rng.uniform() - 1.0));
  }
}

// a1, h1 and z for the padded batch (padding rows repeat sample 0).
template <class T>
void Network<T>::encode(const T* const* xs, std::size_t batch) {
  const std::size_t m = shape_.inputs, h = shape_.hidden, k = shape_.classes;
  const T* w1 = params_.data() + layout_.w1;
  const T* b1 = params_.data() + layout_.b1;
  const T* w2 = params_.data() + layout_.w2;
  const T* b2 = params_.data() + layout_.b2;
  const std::size_t p = round_up4(batch);
  for (std::size_t q = 0; q < p; q += kBlock) {
    const T* x[kBlock];
    T* out[kBlock];
    for (std::size_t b = 0; b < kBlock; ++b) {
      x[b] = q + b < batch ? xs[q + b] : xs[0];
      out[b] = a1_.data() + (q + b) * h;
    }
    dot_rows4(w1, h, m, x, out);
  }
  for (std::size_t b = 0; b < batch; ++b) {
    T* a1 = a1_.data() + b * h;
    T* h1 = h1_.data() + b * h;
    for (std::size_t r = 0; r < h; ++r) {
      a1[r] += b1[r];
      h1[r] = a1[r] * sigmoid(a1[r]);
    }
    T* z = z_.data() + b * k;
    for (std::size_t c = 0; c < k; ++c) {
      const T* w = w2 + c * h;
      T s = 0;
      for (std::size_t r = 0; r < h; ++r) s += w[r] * h1[r];
      z[c] = s + b2[c];
    }
  }
}

template <class T>
LossTerms Network<T>::forward_loss(const T* const* xs, const std::int32_t* ys, std::size_t batch, double lambda,
                                   double smooth_beta) {
  const std::size_t m = shape_.inputs, h = shape_.hidden, k = shape_.classes;
  const std::size_t p = round_up4(batch);
  const T* w3 = params_.data() + layout_.w3;
  const T* b3 = params_.data() + layout_.b3;
  const T* w4 = params_.data() + layout_.w4;
  const T* b4 = params_.data() + layout_.b4;
  LossTerms loss;

  encode(xs, batch);

  // Classification: cross-entropy of softmax(z); dz = softmax(z) - onehot(y).
  for (std::size_t b = 0; b < batch; ++b) {
    const T* z = z_.data() + b * k;
    T* dz = dz_.data() + b * k;
    T zmax = z[0];
    std::size_t arg = 0;
    for (std::size_t c = 1; c < k; ++c) {
      if (z[c] > zmax) {
        zmax = z[c];
        arg = c;
      }
    }
    if (arg == static_cast<std::size_t>(ys[b])) ++loss.correct;
    double sum = 0.0;
    for (std::size_t c = 0; c < k; ++c) sum += std::exp(static_cast<double>(z[c] - zmax));
    const double lse = static_cast<double>(zmax) + std::log(sum);
    loss.classification += lse - static_cast<double>(z[ys[b]]);
    for (std::size_t c = 0; c < k; ++c) {
      const double pc = std::exp(static_cast<double>(z[c]) - lse);
      dz[c] = static_cast<T>(pc - (c == static_cast<std::size_t>(ys[b]) ? 1.0 : 0.0));
    }
  }
  for (std::size_t b = batch; b < p; ++b) std::fill(dz_.data() + b * k, dz_.data() + (b + 1) * k, T(0));

  // Decoder: a3 = W3 z + b3, h3 = silu(a3) (padding rows: zero).
  for (std::size_t b = 0; b < p; ++b) {
    T* a3 = a3_.data() + b * h;
    T* h3 = h3_.data() + b * h;
    if (b >= batch) {
      std::fill(a3, a3 + h, T(0));
      std::fill(h3, h3 + h, T(0));
      continue;
    }
    const T* z = z_.data() + b * k;
    for (std::size_t r = 0; r < h; ++r) {
      T s = b3[r];
      for (std::size_t c = 0; c < k; ++c) s += w3[r * k + c] * z[c];
      a3[r] = s;
      h3[r] = s * sigmoid(s);
    }
  }
  // xhat = W4 h3 + b4, then the reconstruction loss and dL/dxhat (in place).
  for (std::size_t q = 0; q < p; q += kBlock) {
    const T* x[kBlock];
    T* out[kBlock];
    for (std::size_t b = 0; b < kBlock; ++b) {
      x[b] = h3_.data() + (q + b) * h;
      out[b] = xhat_.data() + (q + b) * m;
    }
    dot_rows4(w4, m, h, x, out);
  }
  const T beta = static_cast<T>(smooth_beta), half_beta = static_cast<T>(0.5 * smooth_beta);
  const T lam = static_cast<T>(lambda), lam_over_beta = static_cast<T>(lambda / smooth_beta);
  for (std::size_t b = 0; b < p; ++b) {
    T* d = xhat_.data() + b * m;
    if (b >= batch) {
      std::fill(d, d + m, T(0));
      continue;
    }
    const T* x = xs[b];
    double rec = 0.0;
    for (std::size_t i = 0; i < m; ++i) {
      const T diff = d[i] + b4[i] - x[i];
      const T ad = std::fabs(diff);
      const bool quad = ad < beta;
      rec += static_cast<double>(quad ? diff * diff / (T(2) * beta) : ad - half_beta);
      d[i] = quad ? diff * lam_over_beta : (diff > T(0) ? lam : -lam);
    }
    loss.reconstruction += lambda * rec;
  }
  return loss;
}

template <class T>
LossTerms Network<T>::loss(const T* const* xs, const std::int32_t* ys, std::size_t batch, double lambda,
                           double smooth_beta) {
  return forward_loss(xs, ys, batch, lambda, smooth_beta);
}

template <class T>
LossTerms Network<T>::loss_and_gradient(const T* const* xs, const std::int32_t* ys, std::size_t batch, double lambda,
                                        double smooth_beta, T* grad) {
  const LossTerms loss = forward_loss(xs, ys, batch, lambda, smooth_beta);
  const std::size_t m = shape_.inputs, h = shape_.hidden, k = shape_.classes;
  const std::size_t p = round_up4(batch);
  const T* w2 = params_.data() + layout_.w2;
  const T* w3 = params_.data() + layout_.w3;
  const T* w4 = params_.data() + layout_.w4;
  T* g = grad;

  // Layer 4: gW4 = sum_b dxhat_b h3_b^T, gb4 = sum_b dxhat_b, dh3_b = W4^T dxhat_b.
  std::fill(dh3_.begin(), dh3_.begin() + static_cast<std::ptrdiff_t>(p * h), T(0));
  for (std::size_t q = 0; q < p; q += kBlock) {
    const T* c[kBlock];
    const T* x[kBlock];
    T* y[kBlock];
    for (std::size_t b = 0; b < kBlock; ++b) {
      c[b] = xhat_.data() + (q + b) * m;
      x[b] = h3_.data() + (q + b) * h;
      y[b] = dh3_.data() + (q + b) * h;
    }
    rank4_rows(g + layout_.w4, m, h, c, x, q > 0);
    transpose_mul4(w4, m, h, c, y);
  }
  T* gb4 = g + layout_.b4;
  std::fill(gb4, gb4 + m, T(0));
  for (std::size_t b = 0; b < batch; ++b) {
    const T* d = xhat_.data() + b * m;
    for (std::size_t i = 0; i < m; ++i) gb4[i] += d[i];
  }

  // Layer 3 (h x k): da3 = dh3 * silu'(a3); gW3 = sum_b da3_b z_b^T; dz_b += W3^T da3_b.
  T* gw3 = g + layout_.w3;
  T* gb3 = g + layout_.b3;
  std::fill(gw3, gw3 + h * k, T(0));
  std::fill(gb3, gb3 + h, T(0));
  for (std::size_t b = 0; b < batch; ++b) {
    T* da3 = dh3_.data() + b * h;
    const T* a3 = a3_.data() + b * h;
    const T* z = z_.data() + b * k;
    T* dz = dz_.data() + b * k;
    for (std::size_t r = 0; r < h; ++r) {
      da3[r] *= silu_grad(a3[r]);
      gb3[r] += da3[r];
      for (std::size_t c = 0; c < k; ++c) {
        gw3[r * k + c] += da3[r] * z[c];
        dz[c] += w3[r * k + c] * da3[r];
      }
    }
  }

  // Layer 2 (k x h): gW2 = sum_b dz_b h1_b^T; da1_b = (W2^T dz_b) * silu'(a1_b).
  T* gw2 = g + layout_.w2;
  T* gb2 = g + layout_.b2;
  std::fill(gw2, gw2 + k * h, T(0));
  std::fill(gb2, gb2 + k, T(0));
  for (std::size_t b = 0; b < p; ++b) {
    T* da1 = dh1_.data() + b * h;
    if (b >= batch) {
      std::fill(da1, da1 + h, T(0));
      continue;
    }
    const T* h1 = h1_.data() + b * h;
    const T* a1 = a1_.data() + b * h;
    const T* dz = dz_.data() + b * k;
    std::fill(da1, da1 + h, T(0));
    for (std::size_t c = 0; c < k; ++c) {
      gb2[c] += dz[c];
      T* gr = gw2 + c * h;
      const T* wr = w2 + c * h;
      for (std::size_t r = 0; r < h; ++r) {
        gr[r] += dz[c] * h1[r];
        da1[r] += wr[r] * dz[c];
      }
    }
    for (std::size_t r = 0; r < h; ++r) da1[r] *= silu_grad(a1[r]);
  }

  // Layer 1 (h x m): gW1 = sum_b da1_b x_b^T, gb1 = sum_b da1_b.
  for (std::size_t q = 0; q < p; q += kBlock) {
    const T* c[kBlock];
    const T* x[kBlock];
    for (std::size_t b = 0; b < kBlock; ++b) {
      c[b] = dh1_.data() + (q + b) * h;
      x[b] = q + b < batch ? xs[q + b] : xs[0];
    }
    rank4_rows(g + layout_.w1, h, m, c, x, q > 0);
  }
  T* gb1 = g + layout_.b1;
  std::fill(gb1, gb1 + h, T(0));
  for (std::size_t b = 0; b < batch; ++b) {
    const T* da1 = dh1_.data() + b * h;
    for (std::size_t r = 0; r < h; ++r) gb1[r] += da1[r];
  }
  return loss;
}

template <class T>
void Network<T>::logits(const T* const* xs, std::size_t batch, T* z) {
  const std::size_t k = shape_.classes;
  for (std::size_t q = 0; q < batch; q += max_batch_) {
    const std::size_t nb = std::min(max_batch_, batch - q);
    encode(xs + q, nb);
    std::copy(z_.data(), z_.data() + nb * k, z + q * k);
  }
}

template <class T>
void Network<T>::predict(const T* const* xs, std::size_t batch, std::int32_t* cls) {
  const std::size_t k = shape_.classes;
  for (std::size_t q = 0; q < batch; q += max_batch_) {
    const std::size_t nb = std::min(max_batch_, batch - q);
    encode(xs + q, nb);
    for (std::size_t b = 0; b < nb; ++b) {
      const T* z = z_.data() + b * k;
      std::size_t arg = 0;
      for (std::size_t c = 1; c < k; ++c) {
        if (z[c] > z[arg]) arg = c;
      }
      cls[q + b] = static_cast<std::int32_t>(arg);
    }
  }
}

template class Network<float>;
template class Network<double>;

}  // namespace sae
}  // namespace bp
