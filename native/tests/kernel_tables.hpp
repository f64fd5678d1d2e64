// Every dispatch table this build holds (the scalar lanes, the baseline, AVX2
// and AVX-512F where the CPU has them), for the tests that compare them.
#pragma once

#include <vector>

#include "simd/kernel_table.hpp"

namespace bptest {

inline std::vector<const bp::simd::KernelTable*> tables() {
  std::vector<const bp::simd::KernelTable*> t{&bp::simd::scalar_kernels(), &bp::simd::baseline_kernels()};
  if (bp::simd::avx2_kernels() != nullptr) t.push_back(bp::simd::avx2_kernels());
  if (bp::simd::avx512_kernels() != nullptr) t.push_back(bp::simd::avx512_kernels());
  return t;
}

}  // namespace bptest
