#include "parallel.hpp"

#include <atomic>

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
