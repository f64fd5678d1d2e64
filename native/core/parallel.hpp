// Splitting a pass across a few threads. Results never depend on the thread
// count: reductions are split by groups (each group still summed in the same
// order by one thread), elementwise passes by rows.
#pragma once

#include <cstddef>
#include <new>
#include <stdexcept>
#include <thread>
#include <vector>

namespace bp {

// How many threads a kernel may use (the calling one included). Process-wide;
// 1 turns helper threads off. The default is the hardware's core count,
// capped at 8.
unsigned thread_limit();
// n = 0 restores the default. Returns the previous limit.
unsigned set_thread_limit(unsigned n);

// Below this many entries a pass runs on the calling thread alone: starting a
// thread costs tens of microseconds.
constexpr std::size_t kParallelMinEntries = std::size_t(1) << 18;

// Runs f(begin, end) over contiguous sub-ranges of [0, n), one per thread,
// each at least `grain` long; the calling thread takes the last range. If a
// range throws (std::bad_alloc, say), the same kind of exception is thrown
// here once every thread has finished. (Not std::exception_ptr: that would
// tie the prebuilt addon to GCC 11's C++ runtime.)
template <class F>
void parallel_ranges(std::size_t n, std::size_t grain, std::size_t work_entries, F&& f) {
  std::size_t k = work_entries < kParallelMinEntries || grain == 0 ? 1 : thread_limit();
  if (grain > 0 && n / grain < k) k = n / grain;
  if (k <= 1) {
    f(std::size_t(0), n);
    return;
  }
  enum Failure : unsigned char { kNone, kBadAlloc, kOther };
  std::vector<unsigned char> errors(k, kNone);
  std::vector<std::thread> threads;
  threads.reserve(k - 1);
  auto run = [&](std::size_t t) {
    const std::size_t b = n * t / k, e = n * (t + 1) / k;
    try {
      f(b, e);
    } catch (const std::bad_alloc&) {
      errors[t] = kBadAlloc;
    } catch (...) {
      errors[t] = kOther;
    }
  };
  try {
    for (std::size_t t = 0; t + 1 < k; ++t) threads.emplace_back(run, t);
  } catch (...) {
    // Could not start a thread: finish the remaining ranges here.
    for (std::size_t t = threads.size(); t + 1 < k; ++t) run(t);
  }
  run(k - 1);
  for (std::thread& th : threads) th.join();
  for (unsigned char e : errors) {
    if (e == kBadAlloc) throw std::bad_alloc();
    if (e == kOther) throw std::runtime_error("a parallel pass failed");
  }
}

}  // namespace bp
