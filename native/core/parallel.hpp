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

// Below this many entries a pass runs on the calling thread alone: waking a
// helper and handing it a range costs microseconds.
constexpr std::size_t kParallelMinEntries = std::size_t(1) << 18;

namespace detail {

// Range t of a job, run through a plain function pointer so that the pool
// (parallel.cpp) needs no template and no allocation per call.
using RangeFn = void (*)(void* ctx, std::size_t t);

// Runs call(ctx, t) for every t in [0, count) and returns when all have
// finished. The ranges are handed to a persistent pool of helper threads
// (started once, on first use, up to thread_limit() - 1 of them) and the
// calling thread claims ranges too, so a call never waits on a busy or
// missing helper: with no helper free (or none startable) it runs them all.
void run_ranges(RangeFn call, void* ctx, std::size_t count);

}  // namespace detail

// Runs f(begin, end) over contiguous sub-ranges of [0, n), one per thread,
// each at least `grain` long. The split depends only on n, grain and the
// thread limit, never on which thread runs a range. If a range throws
// (std::bad_alloc, say), the same kind of exception is thrown here once every
// range has finished. (Not std::exception_ptr: that would tie the prebuilt
// addon to GCC 11's C++ runtime.)
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
  struct Job {
    F* f;
    std::size_t n, k;
    unsigned char* errors;
  } job{&f, n, k, errors.data()};
  detail::run_ranges(
      [](void* ctx, std::size_t t) {
        Job& j = *static_cast<Job*>(ctx);
        const std::size_t b = j.n * t / j.k, e = j.n * (t + 1) / j.k;
        try {
          (*j.f)(b, e);
        } catch (const std::bad_alloc&) {
          j.errors[t] = kBadAlloc;
        } catch (...) {
          j.errors[t] = kOther;
        }
      },
      &job, k);
  for (unsigned char e : errors) {
    if (e == kBadAlloc) throw std::bad_alloc();
    if (e == kOther) throw std::runtime_error("a parallel pass failed");
  }
}

}  // namespace bp
