#include "parallel.hpp"

#include <atomic>

namespace bp {
namespace {

unsigned default_limit() {
  unsigned hw = std::thread::hardware_concurrency();
  if (hw == 0) hw = 1;
  return hw > 8 ? 8 : hw;
}

std::atomic<unsigned> g_limit{0};  // 0: not set, use the default

}  // namespace

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
