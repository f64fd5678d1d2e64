// Lanes of width one: the same loops, built where no vector set is known.
// A "mask" is a value whose bits are all ones (true) or all zeros (false), as
// vector compares give them, so that the loops' bitwise steps mean the same.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "target.hpp"

namespace bp {
namespace simd {

template <class T>
struct Lanes<T, Scalar> {
  using V = T;
  using Bits = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>;
  static constexpr std::size_t kWidth = 1;
  static constexpr std::size_t kBytes = sizeof(T);

  static V load(const T* p) { return *p; }
  static void store(T* p, V v) { *p = v; }
  static void stream(T* p, V v) { *p = v; }
  static V set1(T x) { return x; }
  static V zero() { return T(0); }
  static V add(V a, V b) { return a + b; }
  static V sub(V a, V b) { return a - b; }
  static V mul(V a, V b) { return a * b; }
  static V div(V a, V b) { return a / b; }
  static V sqrt(V a) { return std::sqrt(a); }
  // As the vector instructions: the second operand unless the first is
  // strictly smaller (larger), so a NaN in either gives the second.
  static V min(V a, V b) { return a < b ? a : b; }
  static V max(V a, V b) { return a > b ? a : b; }
  static V from_bits(Bits b) {
    V v;
    std::memcpy(&v, &b, sizeof v);
    return v;
  }
  static Bits bits(V v) {
    Bits b;
    std::memcpy(&b, &v, sizeof b);
    return b;
  }
  static V mask(bool m) { return from_bits(m ? ~Bits(0) : Bits(0)); }
  static V gt(V a, V b) { return mask(a > b); }
  static V ge(V a, V b) { return mask(a >= b); }
  static V unordered(V a, V b) { return mask(a != a || b != b); }
  static V bit_and(V a, V b) { return from_bits(bits(a) & bits(b)); }
  static V bit_or(V a, V b) { return from_bits(bits(a) | bits(b)); }
  static V and_not(V a, V b) { return from_bits(~bits(a) & bits(b)); }  // ~a & b
  static V bit_xor(V a, V b) { return from_bits(bits(a) ^ bits(b)); }
  static bool any(V m) { return bits(m) != 0; }
  static unsigned mask_bits(V m) { return bits(m) != 0 ? 1u : 0u; }  // bit i: lane i of the mask
  static T max_lane(V v) { return v; }
  static void prefetch(const void*) {}
};

}  // namespace simd
}  // namespace bp
