// The lane loop shared by the compensated threshold passes of l1ball.cpp and
// group_l1_thresholds.cpp: over the entries above a threshold t, the sum of
// x - shift, accumulated in the baseline vector lanes (simd/target.hpp: one
// build, so every machine of an architecture gets the same bits) as two
// independent chains, each add's rounding error recovered exactly (an
// error-free two-sum) and accumulated apart; masked entries add an exact 0.
// Each caller reduces the lanes (and adds the tail) in its own order.
#pragma once

#include <cstddef>

#include "simd/lanes_scalar.hpp"
#include "simd/lanes_sse2.hpp"

namespace bp {

struct MaskedSumLanes {
  using L = simd::Lanes<double, simd::Baseline>;
  static constexpr std::size_t kWidth = L::kWidth;
  static constexpr std::size_t kLanes = 2 * kWidth;
  // sum[0, kWidth) and err[0, kWidth) are the first chain (entries i with
  // i / kWidth even), [kWidth, kLanes) the second; count per lane, in double
  // (exact below 2^53).
  double sum[kLanes], err[kLanes], count[kLanes];
  std::size_t end;  // a[0, end) is in the lanes; a[end, n) is left to the caller
};

inline MaskedSumLanes masked_sum_lanes(const double* a, std::size_t n, double t, double shift) {
  using L = MaskedSumLanes::L;
  constexpr std::size_t W = L::kWidth;
  const auto tv = L::set1(t), sv = L::set1(shift), one = L::set1(1.0);
  auto s0 = L::zero(), s1 = s0, e0 = s0, e1 = s0, c0 = s0, c1 = s0;
  auto two_sum = [](L::V& s, L::V& e, L::V x) {
    const auto sum = L::add(s, x), z = L::sub(sum, s);
    e = L::add(e, L::add(L::sub(s, L::sub(sum, z)), L::sub(x, z)));
    s = sum;
  };
  std::size_t i = 0;
  for (; i + 2 * W <= n; i += 2 * W) {
    const auto a0 = L::load(a + i), a1 = L::load(a + i + W);
    const auto m0 = L::gt(a0, tv), m1 = L::gt(a1, tv);
    c0 = L::add(c0, L::bit_and(m0, one));
    c1 = L::add(c1, L::bit_and(m1, one));
    two_sum(s0, e0, L::bit_and(m0, L::sub(a0, sv)));
    two_sum(s1, e1, L::bit_and(m1, L::sub(a1, sv)));
  }
  MaskedSumLanes r;
  L::store(r.sum, s0);
  L::store(r.sum + W, s1);
  L::store(r.err, e0);
  L::store(r.err + W, e1);
  L::store(r.count, c0);
  L::store(r.count + W, c1);
  r.end = i;
  return r;
}

}  // namespace bp
