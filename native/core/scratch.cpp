#include "scratch.hpp"

#include <atomic>
#include <cstdlib>

#include "memory_advice.hpp"

namespace bp {
namespace scratch {
namespace {

// Four size classes an octave (2^e times 1.25, 1.5, 1.75 and 2), from 64
// bytes up to kMaxCachedBytes: a block is at most a quarter larger than
// asked, not up to twice. The per-column arrays of a wide matrix (80000
// doubles, 640 KB) then take 640 KB of the cache each instead of 1 MB: twelve
// of the exact solve's fourteen fit in kCacheBytes, not eight (docs/memory.md).
constexpr unsigned kMinShift = 6;  // 64 bytes: class 0
constexpr unsigned kClasses = 61;  // up to 2^20 * 2 = kMaxCachedBytes: class 60

constexpr std::size_t class_bytes(unsigned c) {
  if (c == 0) return std::size_t(1) << kMinShift;
  const unsigned e = kMinShift + (c - 1) / 4, q = (c - 1) % 4 + 1;
  return (std::size_t(4) + q) << (e - 2);
}
static_assert(class_bytes(kClasses - 1) == kMaxCachedBytes, "the largest class is the largest cached block");
static_assert(class_bytes(1) == 80 && class_bytes(4) == 128 && class_bytes(5) == 160, "quarter octaves");

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

// The least class of at least `bytes` (bytes <= kMaxCachedBytes): with
// 2^e < bytes <= 2^(e + 1), the least q of 1..4 with 2^e + q 2^(e - 2) >= bytes.
unsigned class_of(std::size_t bytes) {
  if (bytes <= (std::size_t(1) << kMinShift)) return 0;
  const unsigned e = 63 - static_cast<unsigned>(__builtin_clzll(static_cast<unsigned long long>(bytes - 1)));
  const std::size_t quarter = std::size_t(1) << (e - 2);
  const unsigned q = static_cast<unsigned>((bytes - (std::size_t(1) << e) + quarter - 1) / quarter);
  return 4 * (e - kMinShift) + q;
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
    k.bytes -= class_bytes(c);
    return p;
  }
  void* p = std::malloc(class_bytes(c));
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void give(void* p, std::size_t bytes) noexcept {
  if (p == nullptr) return;
  const unsigned c = bytes > kMaxCachedBytes ? kClasses : class_of(bytes);
  Cache& k = cache;
  if (c >= kClasses || k.bytes + class_bytes(c) > kCacheBytes) {
    std::free(p);
    return;
  }
  *static_cast<void**>(p) = k.head[c];
  k.head[c] = p;
  k.bytes += class_bytes(c);
}

std::size_t cached_bytes() noexcept {
  return cache.bytes;
}

void release() noexcept {
  cache.clear();
}

namespace {
std::atomic<bool> g_poison{false};
}  // namespace

bool set_poison(bool on) noexcept {
  return g_poison.exchange(on);
}

bool poisoned() noexcept {
  return g_poison.load(std::memory_order_relaxed);
}

}  // namespace scratch
}  // namespace bp
