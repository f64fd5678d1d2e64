#include "parallel.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace bp {
namespace {

// hardware_concurrency() reads /sys on every call (tens of microseconds):
// ask once.
unsigned default_limit() {
  static const unsigned limit = [] {
    unsigned hw = std::thread::hardware_concurrency();
    if (hw == 0) hw = 1;
    return hw > 8 ? 8u : hw;
  }();
  return limit;
}

std::atomic<unsigned> g_limit{0};  // 0: not set, use the default

// The pool waits on std::condition_variable. (GCC 12's libstdc++ versions
// its wait() as GLIBCXX_3.4.30; the prebuild links it to the older version
// every libstdc++ exports: native/binding/glibc_compat.cc.)
using CondVar = std::condition_variable;

// The persistent pool. Jobs wait in `queue` until every range is claimed;
// helpers and callers claim ranges under the one mutex (a job has at most a
// few), and a range's completion is recorded under it too, so a caller that
// sees its job finished knows no helper will touch the job (on its stack)
// again. The pool is never destroyed: its helpers sleep until the process
// ends, so no static destructor ever has to join them.
struct PoolJob {
  detail::RangeFn call;
  void* ctx;
  std::size_t count;
  std::size_t next = 0;  // first unclaimed range
  std::size_t done = 0;  // ranges finished
};

class Pool {
 public:
  void run(detail::RangeFn call, void* ctx, std::size_t count) {
    PoolJob job{call, ctx, count};
    {
      std::lock_guard<std::mutex> lock(m_);
      grow(count - 1);
      queue_.push_back(&job);
    }
    work_.notify_all();
    // The caller claims ranges too, so the job finishes even when every
    // helper is busy elsewhere.
    for (;;) {
      std::size_t t;
      {
        std::lock_guard<std::mutex> lock(m_);
        if (job.next >= job.count) break;
        t = claim(&job);
      }
      job.call(job.ctx, t);
      std::lock_guard<std::mutex> lock(m_);
      ++job.done;
    }
    std::unique_lock<std::mutex> lock(m_);
    finished_.wait(lock, [&] { return job.done == job.count; });
  }

 private:
  // Takes range job->next; drops the job from the queue once all are taken.
  std::size_t claim(PoolJob* job) {
    const std::size_t t = job->next++;
    if (job->next == job->count) {
      for (std::size_t q = 0; q < queue_.size(); ++q) {
        if (queue_[q] == job) {
          queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(q));
          break;
        }
      }
    }
    return t;
  }

  // Up to `want` helpers (and the thread limit). A helper that cannot be
  // started is simply not there: callers run the ranges themselves.
  void grow(std::size_t want) {
    const std::size_t cap = thread_limit() > 1 ? thread_limit() - 1 : 0;
    if (want > cap) want = cap;
    while (helpers_ < want) {
      try {
        std::thread(&Pool::helper, this).detach();
        ++helpers_;
      } catch (...) {
        return;
      }
    }
  }

  void helper() {
    std::unique_lock<std::mutex> lock(m_);
    for (;;) {
      work_.wait(lock, [&] { return !queue_.empty(); });
      PoolJob* job = queue_.front();
      const std::size_t t = claim(job);
      lock.unlock();
      job->call(job->ctx, t);
      lock.lock();
      if (++job->done == job->count) finished_.notify_all();
    }
  }

  std::mutex m_;
  CondVar work_, finished_;
  std::vector<PoolJob*> queue_;
  std::size_t helpers_ = 0;
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed, see above
  return *p;
}

}  // namespace

void detail::run_ranges(detail::RangeFn call, void* ctx, std::size_t count) {
  pool().run(call, ctx, count);
}

unsigned thread_limit() {
  unsigned v = g_limit.load(std::memory_order_relaxed);
  return v == 0 ? default_limit() : v;
}

unsigned set_thread_limit(unsigned n) {
  unsigned before = thread_limit();
  g_limit.store(n, std::memory_order_relaxed);
  return before;
}

}  // namespace bp
