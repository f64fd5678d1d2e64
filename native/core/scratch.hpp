// Scratch memory for the kernels, recycled per thread.
//
// Why: glibc hands the top of its heap back to the system once enough of it
// is free (M_TRIM_THRESHOLD, 128 KB by default), so a kernel that allocates
// and frees a few megabytes of scratch per call would take a page fault for
// every 4 KB page on every call, and faults are dear on virtual machines.
// The bound per thread is a trade between those faults and what a library
// may keep (five threads: the caller and libuv's pool); docs/memory.md.
// Blocks freed through ScratchAllocator go to a per-thread cache, by size
// class (four an octave: docs/memory.md), instead of back to malloc (at most
// kCacheBytes per thread, freed when the thread ends); blocks too large to
// cache come straight from malloc (and are hinted to huge pages).
#pragma once

#include <cstddef>
#include <cstring>
#include <limits>
#include <new>
#include <type_traits>
#include <vector>

namespace bp {
namespace scratch {

// Blocks up to this size are cached, up to kCacheBytes per thread.
constexpr std::size_t kMaxCachedBytes = std::size_t(2) << 20;
constexpr std::size_t kCacheBytes = std::size_t(8) << 20;

// At least `bytes` bytes, aligned for any scalar type; throws std::bad_alloc.
void* take(std::size_t bytes);
// Returns a block from take(bytes), with the same bytes.
void give(void* p, std::size_t bytes) noexcept;
// Bytes held in this thread's cache.
std::size_t cached_bytes() noexcept;
// Frees every block of this thread's cache.
void release() noexcept;
// For the tests: while on, every ScratchBuffer block is filled with 0xFF
// bytes when taken (NaN as a float or double, the largest size_t), so a slot
// read before it is written shows in the results instead of reading as an
// old or zero value. Returns the previous setting. Off by default.
bool set_poison(bool on) noexcept;
bool poisoned() noexcept;

}  // namespace scratch

template <class T>
struct ScratchAllocator {
  using value_type = T;
  ScratchAllocator() noexcept = default;
  template <class U>
  ScratchAllocator(const ScratchAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    if (n > std::numeric_limits<std::size_t>::max() / sizeof(T)) throw std::bad_alloc();
    return static_cast<T*>(scratch::take(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept { scratch::give(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const ScratchAllocator<U>&) const noexcept {
    return true;
  }
  template <class U>
  bool operator!=(const ScratchAllocator<U>&) const noexcept {
    return false;
  }
};

template <class T>
using ScratchVector = std::vector<T, ScratchAllocator<T>>;

// A block of n elements from the scratch cache that is neither cleared nor
// constructed, for callers that write every element before reading it: a
// cleared ScratchVector of 80000 groups was a 640 KB memset per call, and a
// candidates' block of tens of megabytes would be touched whole for the few
// pages that receive candidates. Given back when replaced or destroyed.
template <class T>
class ScratchBuffer {
  static_assert(std::is_trivially_copyable_v<T>, "the elements are never constructed");

 public:
  ScratchBuffer() = default;
  explicit ScratchBuffer(std::size_t n) { take(n); }
  ~ScratchBuffer() { scratch::give(p_, n_ * sizeof(T)); }
  ScratchBuffer(const ScratchBuffer&) = delete;
  ScratchBuffer& operator=(const ScratchBuffer&) = delete;

  // Replaces the block by one of n elements (at least one, so data() is
  // never null after a take); returns it.
  T* take(std::size_t n) {
    scratch::give(p_, n_ * sizeof(T));
    p_ = nullptr;
    n_ = 0;
    const std::size_t k = n == 0 ? 1 : n;
    p_ = ScratchAllocator<T>().allocate(k);
    n_ = k;
    if (scratch::poisoned()) std::memset(static_cast<void*>(p_), 0xFF, k * sizeof(T));
    return p_;
  }
  // A block of at least n elements: the one held if it is large enough, else
  // a new one (the old one's contents are not kept). For a block that a call
  // may not need at all.
  T* ensure(std::size_t n) { return p_ != nullptr && n <= n_ ? p_ : take(n); }
  T* data() const { return p_; }
  T& operator[](std::size_t i) const { return p_[i]; }

 private:
  T* p_ = nullptr;
  std::size_t n_ = 0;
};

}  // namespace bp
