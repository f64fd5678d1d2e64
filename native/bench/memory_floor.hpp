// Reference loops for benchmarks: the cheapest possible read-only pass over
// an array (a sum the compiler vectorises), against which the kernels'
// memory traffic is judged.
#pragma once

#include <cstddef>

namespace bp {

template <class T>
double sum_all(const T* a, std::size_t n);

}  // namespace bp
