// The trainer's random numbers: weight initialisation and the per-epoch
// shuffle of the training samples. std::mt19937's output sequence is fixed by
// the C++ standard (unlike std::uniform_real_distribution's), and the
// conversions below are numpy's legacy ones, so a seed gives the same network
// and the same batches on every platform and compiler.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <utility>

namespace bp {
namespace sae {

class Rng {
 public:
  explicit Rng(std::uint32_t seed) : mt_(seed) {}

  std::uint32_t next_u32() { return static_cast<std::uint32_t>(mt_()); }

  // A double in [0, 1) from 53 random bits (numpy's random_sample).
  double uniform() {
    const double a = static_cast<double>(next_u32() >> 5), b = static_cast<double>(next_u32() >> 6);
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  // An integer in [0, max] by masked rejection, without modulo bias.
  std::uint32_t interval(std::uint32_t max) {
    if (max == 0) return 0;
    std::uint32_t mask = max;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    std::uint32_t v;
    while ((v = next_u32() & mask) > max) {
    }
    return v;
  }

  // Fisher-Yates from the end, as numpy's legacy shuffle.
  template <class I>
  void shuffle(I* a, std::size_t n) {
    for (std::size_t i = n; i-- > 1;) {
      const std::size_t j = interval(static_cast<std::uint32_t>(i));
      std::swap(a[i], a[j]);
    }
  }

 private:
  std::mt19937 mt_;
};

}  // namespace sae
}  // namespace bp
