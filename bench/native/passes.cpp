// Times the passes of the bilevel l1,inf kernel separately, inside C++, next
// to memcpy and a read-only sum over the same matrix: where the time goes.
// Build: cmake -S . -B build-passes -DBP_BUILD_ADDON=OFF -DBP_BUILD_BENCH=ON && cmake --build build-passes
// Run:   build-passes/bp_bench_passes [rows] [cols] [threads]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "apply.hpp"
#include "bilevel_projection.hpp"
#include "memory_floor.hpp"
#include "parallel.hpp"
#include "reduce.hpp"

namespace {

template <class F>
double median_ms(F f, int reps = 15) {
  std::vector<double> t;
  f();
  for (int r = 0; r < reps; ++r) {
    auto a = std::chrono::steady_clock::now();
    f();
    auto b = std::chrono::steady_clock::now();
    t.push_back(std::chrono::duration<double, std::milli>(b - a).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

template <class T>
void run(std::size_t n, std::size_t m) {
  std::vector<T> y(n * m), out(n * m);
  unsigned s = 1;
  for (auto& v : y) {
    s = s * 1664525u + 1013904223u;
    v = static_cast<T>(s / 4294967296.0);
  }
  bp::MatrixRef<T> ref{y.data(), n, m};
  std::vector<double> mx(m), radii(m), u(m, 0.01);
  volatile double sink = 0;
  double copy = median_ms([&] { std::memcpy(out.data(), y.data(), y.size() * sizeof(T)); });
  double read = median_ms([&] { sink = sink + bp::sum_all(y.data(), y.size()); });
  double pass1 = median_ms([&] { bp::group_max_sum<false>(ref, bp::Groups::kColumns, 1.0, mx.data(), nullptr); });
  double write =
      median_ms([&] { bp::apply_groups<bp::ClipMap<T>>(ref, bp::Groups::kColumns, u.data(), mx.data(), out.data()); });
  bp::ProjectionResult pr;
  double whole = median_ms([&] { bp::bilevel_l1inf(ref, bp::Groups::kColumns, 1.0, out.data(), radii.data(), &pr); });
  std::printf(
      "%s %zux%zu  memcpy %.2f  read %.2f | bilevel l1,inf: pass1 %.2f  write %.2f  whole %.2f ms = %.2fx memcpy\n",
      sizeof(T) == 8 ? "f64" : "f32", n, m, copy, read, pass1, write, whole, whole / copy);
  bp::ScratchVector<double> buf;
  double scan = median_ms([&] { sink = sink + bp::l1_threshold_scan(y.data(), y.size(), 1.0, 1.0, buf).tau; });
  double ball = median_ms([&] { bp::project_l1_ball(y.data(), y.size(), 1.0, out.data()); });
  std::printf("    l1 ball of the %zu entries: scan %.2f  whole %.2f ms = %.2fx read\n", y.size(), scan, ball,
              ball / read);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1000;
  std::size_t m = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 8000;
  if (argc > 3) bp::set_thread_limit(static_cast<unsigned>(std::strtoul(argv[3], nullptr, 10)));
  std::printf("threads: %u\n", bp::thread_limit());
  run<double>(n, m);
  run<float>(n, m);
}
