#include "scratch.hpp"

#include <cstdlib>

#include "memory_advice.hpp"

namespace bp {
namespace scratch {
namespace {

constexpr unsigned kMinClass = 6;  // 64 bytes
constexpr unsigned kClasses = 22;  // up to 2^21 = kMaxCachedBytes
static_assert((std::size_t(1) << (kClasses - 1)) == kMaxCachedBytes, "the largest class is the largest cached block");

// Free blocks of each class, as an intrusive singly linked list (the link is
// stored in the block itself), so that caching never allocates. One cache
// per thread, so that no lock is taken: a block freed on another thread than
// the one that took it simply serves that thread next. (A process-wide cache
// with a lock measured slower here: the blocks that parallel helpers grow,
// freed by the caller, then crowd out the caller's own.)
struct Cache {
  void* head[kClasses] = {};
  std::size_t bytes = 0;
  void clear() noexcept {
    for (void*& h : head) {
      while (h != nullptr) {
        void* next = *static_cast<void**>(h);
        std::free(h);
        h = next;
      }
    }
    bytes = 0;
  }
  ~Cache() { clear(); }
};
thread_local Cache cache;

unsigned class_of(std::size_t bytes) {
  unsigned c = kMinClass;
  while ((std::size_t(1) << c) < bytes) ++c;
  return c;
}

}  // namespace

void* take(std::size_t bytes) {
  if (bytes > kMaxCachedBytes) {
    void* p = std::malloc(bytes);
    if (p == nullptr) throw std::bad_alloc();
    advise_huge_pages(p, bytes);
    return p;
  }
  const unsigned c = class_of(bytes);
  Cache& k = cache;
  if (void* p = k.head[c]) {
    k.head[c] = *static_cast<void**>(p);
    k.bytes -= std::size_t(1) << c;
    return p;
  }
  void* p = std::malloc(std::size_t(1) << c);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void give(void* p, std::size_t bytes) noexcept {
  if (p == nullptr) return;
  const unsigned c = bytes > kMaxCachedBytes ? kClasses : class_of(bytes);
  Cache& k = cache;
  if (c >= kClasses || k.bytes + (std::size_t(1) << c) > kCacheBytes) {
    std::free(p);
    return;
  }
  *static_cast<void**>(p) = k.head[c];
  k.head[c] = p;
  k.bytes += std::size_t(1) << c;
}

std::size_t cached_bytes() noexcept {
  return cache.bytes;
}

void release() noexcept {
  cache.clear();
}

}  // namespace scratch
}  // namespace bp
