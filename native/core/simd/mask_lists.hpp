// A vector compare's mask as a list of lane numbers: MaskList<Isa, width>::append
// writes the column of each set lane to a list. The general form goes lane
// by lane; lanes_avx2.hpp specialises it with one widen-and-store from the
// table below (the row's eight column stores and count adds, one by one,
// were about half of the float candidate fill's samples on 8000 x 1000
// sparse 0.5; docs/exact-float32.md). Both give the same list.
#pragma once

#include <cstddef>
#include <cstdint>

#include "target.hpp"

namespace bp {
namespace simd {

// For each 8-bit mask: the numbers of its set bits, lowest first (byte k the
// k-th), and how many there are.
struct LaneLists {
  alignas(64) std::uint8_t lane[256][8];
  std::uint8_t count[256];
};

constexpr LaneLists make_lane_lists() {
  LaneLists t{};
  for (unsigned b = 0; b < 256; ++b) {
    std::uint8_t k = 0;
    for (std::uint8_t l = 0; l < 8; ++l)
      if ((b >> l) & 1u) t.lane[b][k++] = l;
    t.count[b] = k;
  }
  return t;
}

inline constexpr LaneLists kLaneLists = make_lane_lists();

// Appends to at[held..] the columns j + l of the set bits l of bits (the
// mask of a vector of kWidth lanes) and returns the new count. Entries past
// the count may be written (overwritten by the next call or never read):
// there must be room for kWidth at at + held.
template <class Isa, std::size_t kWidth>
struct MaskList {
  static std::size_t append(unsigned bits, std::size_t j, std::uint32_t* at, std::size_t held) {
    for (std::size_t q = 0; q < kWidth; ++q) {
      at[held] = static_cast<std::uint32_t>(j + q);
      held += (bits >> q) & 1u;
    }
    return held;
  }
};

}  // namespace simd
}  // namespace bp
