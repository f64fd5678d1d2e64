#include "memory_floor.hpp"

namespace bp {

template <class T>
double sum_all(const T* a, std::size_t n) {
  // Eight independent accumulators: vectorised without reassociating one chain.
  T s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; ++k) s[k] += a[i + static_cast<std::size_t>(k)];
  }
  double r = 0;
  for (; i < n; ++i) r += static_cast<double>(a[i]);
  for (int k = 0; k < 8; ++k) r += static_cast<double>(s[k]);
  return r;
}

template double sum_all<float>(const float*, std::size_t);
template double sum_all<double>(const double*, std::size_t);

}  // namespace bp
