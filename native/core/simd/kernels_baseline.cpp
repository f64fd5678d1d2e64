// The loops compiled for the scalar lanes and for the baseline set (SSE2 on
// x86-64), and the choice of table.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "../numeric.hpp"
#include "../scratch.hpp"
#include "candidate_records.hpp"
#include "gather_float.hpp"
#include "kernel_table.hpp"
#include "lanes_scalar.hpp"
#include "lanes_sse2.hpp"
#include "mask_lists.hpp"
#include "rows_ahead.hpp"

// After everything it needs (it has no includes of its own).
#include "loops-inl.hpp"

namespace bp {
namespace simd {

const KernelTable& scalar_kernels() {
  static const KernelTable t = [] {
    KernelTable k = make_table<Scalar>();
    k.name = "scalar";
    take_candidate_records(k, false);
    take_gather_float(k, false);
    return k;
  }();
  return t;
}

const KernelTable& baseline_kernels() {
  static const KernelTable t = [] {
    KernelTable k = make_table<Baseline>();
    k.name = std::is_same_v<Baseline, Sse2> ? "sse2" : "scalar";
    take_candidate_records(k, false);
    take_gather_float(k, false);
    return k;
  }();
  return t;
}

const KernelTable& kernels() {
  static const KernelTable& chosen = avx512_kernels() != nullptr ? *avx512_kernels()
                                     : avx2_kernels() != nullptr ? *avx2_kernels()
                                                                 : baseline_kernels();
  return chosen;
}

}  // namespace simd
}  // namespace bp
