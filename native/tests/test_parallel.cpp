// The persistent pool behind parallel_ranges: helpers are started once, not
// per call; several callers can share it; a failing range is reported to its
// own caller; the split does not depend on who runs a range.
#include <dirent.h>
#include <atomic>
#include <new>
#include <stdexcept>
#include <thread>
#include <vector>

#include "harness.hpp"
#include "parallel.hpp"

using namespace bptest;

namespace {

std::size_t task_count() {
  std::size_t k = 0;
  if (DIR* d = opendir("/proc/self/task")) {
    while (dirent* e = readdir(d)) k += e->d_name[0] != '.' ? 1 : 0;
    closedir(d);
  }
  return k;
}

const std::size_t kBig = bp::kParallelMinEntries;  // work large enough to split

}  // namespace

TEST(pool_starts_helpers_once_not_per_call) {
  const unsigned before = bp::set_thread_limit(4);
  std::vector<int> seen(1000, 0);
  bp::parallel_ranges(seen.size(), 1, kBig, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) ++seen[i];
  });
  const std::size_t threads_after_first = task_count();
  for (int call = 0; call < 300; ++call) {
    bp::parallel_ranges(seen.size(), 1, kBig, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) ++seen[i];
    });
  }
  for (int v : seen) CHECK(v == 301);
  if (threads_after_first > 0)
    CHECK_MSG(task_count() == threads_after_first, "threads " << task_count() << " vs " << threads_after_first);
  bp::set_thread_limit(before);
}

TEST(pool_serves_concurrent_callers_and_reports_failures_to_each) {
  const unsigned before = bp::set_thread_limit(3);
  std::atomic<int> wrong{0};
  auto caller = [&](int id) {
    for (int call = 0; call < 200; ++call) {
      std::vector<long> out(4096, 0);
      bp::parallel_ranges(out.size(), 16, kBig, [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) out[i] = static_cast<long>(i) * id;
      });
      for (std::size_t i = 0; i < out.size(); ++i) wrong += out[i] != static_cast<long>(i) * id ? 1 : 0;
      bool threw = false;
      try {
        bp::parallel_ranges(64, 1, kBig, [&](std::size_t b, std::size_t) {
          if (b == 0 && call % 2 == 0) throw std::bad_alloc();
        });
      } catch (const std::bad_alloc&) {
        threw = true;
      }
      wrong += threw != (call % 2 == 0) ? 1 : 0;
    }
  };
  std::thread a(caller, 1), b(caller, 2), c(caller, 3);
  a.join();
  b.join();
  c.join();
  CHECK_MSG(wrong.load() == 0, wrong.load() << " wrong results");
  bp::set_thread_limit(before);
}
