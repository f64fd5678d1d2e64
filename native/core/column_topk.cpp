#include "column_topk.hpp"

#include <atomic>
#include <type_traits>

#include "parallel.hpp"

namespace bp {

template <class T>
bool column_max_sum_top(const MatrixRef<T>& y, double scale, double* mx, double* sum, T* top) {
  const simd::KernelTable& k = simd::kernels();
  // Split by columns, as group_max_sum: each column is reduced by one thread
  // in row order, so the bits do not depend on the thread count.
  std::atomic<bool> ok{true};
  parallel_ranges(y.cols, 64, y.size(), [&](std::size_t c0, std::size_t c1) {
    bool r;
    if constexpr (std::is_same_v<T, float>)
      r = k.column_max_sum_top_f32(y.data, y.rows, y.cols, c0, c1, scale, mx, sum, top);
    else
      r = k.column_max_sum_top_f64(y.data, y.rows, y.cols, c0, c1, scale, mx, sum, top);
    if (!r) ok = false;
  });
  return ok;
}

template bool column_max_sum_top<float>(const MatrixRef<float>&, double, double*, double*, float*);
template bool column_max_sum_top<double>(const MatrixRef<double>&, double, double*, double*, double*);

}  // namespace bp
