// The per-thread scratch cache (scratch.hpp): freed blocks come back to the
// next request of their size class, the cache stays within its bound, blocks
// too large to cache bypass it, and each thread has its own.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "harness.hpp"
#include "scratch.hpp"

using namespace bptest;

TEST(scratch_reuses_blocks_by_size_class) {
  bp::scratch::release();  // whatever earlier tests left
  const std::size_t base = bp::scratch::cached_bytes();
  CHECK(base == 0);
  void* a = bp::scratch::take(3000);
  std::memset(a, 1, 3000);  // usable for the bytes asked
  bp::scratch::give(a, 3000);
  CHECK(bp::scratch::cached_bytes() == base + 3072);  // held, as its class of 3 KB (2 KB * 1.5)
  void* b = bp::scratch::take(2600);                  // same class: the same block
  CHECK(b == a);
  CHECK(bp::scratch::cached_bytes() == base);
  bp::scratch::give(b, 2600);
  // The classes are quarter octaves: 640 KB (80000 doubles) is a class of
  // its own, not 1 MB; one byte more takes the next class (768 KB).
  bp::scratch::release();
  void* c = bp::scratch::take(640 * 1024);
  bp::scratch::give(c, 640 * 1024);
  CHECK(bp::scratch::cached_bytes() == 640 * 1024);
  void* d = bp::scratch::take(640 * 1024 + 1);
  CHECK(d != c);
  bp::scratch::give(d, 640 * 1024 + 1);
  CHECK(bp::scratch::cached_bytes() == 640 * 1024 + 768 * 1024);
  bp::scratch::release();
  // A vector that grows and is freed leaves its blocks for the next one.
  {
    bp::ScratchVector<double> v;
    for (int i = 0; i < 10000; ++i) v.push_back(i);
    CHECK(v[9999] == 9999.0);
  }
  CHECK(bp::scratch::cached_bytes() <= bp::scratch::kCacheBytes);
}

TEST(scratch_bounds_the_cache_and_bypasses_large_blocks) {
  bp::scratch::release();
  const std::size_t before = bp::scratch::cached_bytes();
  void* big = bp::scratch::take(bp::scratch::kMaxCachedBytes + 1);
  static_cast<char*>(big)[bp::scratch::kMaxCachedBytes] = 1;
  bp::scratch::give(big, bp::scratch::kMaxCachedBytes + 1);
  CHECK(bp::scratch::cached_bytes() == before);  // not cached
  // Far more than the bound, freed at once: the cache keeps at most kCacheBytes.
  std::vector<void*> blocks;
  for (int i = 0; i < 12; ++i) blocks.push_back(bp::scratch::take(bp::scratch::kMaxCachedBytes));
  for (void* p : blocks) bp::scratch::give(p, bp::scratch::kMaxCachedBytes);
  CHECK(bp::scratch::cached_bytes() <= bp::scratch::kCacheBytes);
  bp::scratch::release();
  CHECK(bp::scratch::cached_bytes() == 0);
  // Another thread has its own cache (released when it ends).
  std::size_t other = 1;
  std::thread t([&] {
    bp::scratch::give(bp::scratch::take(100), 100);
    other = bp::scratch::cached_bytes();
  });
  t.join();
  CHECK(other == 112);  // 100 bytes: the class of 64 * 1.75
  CHECK(bp::scratch::cached_bytes() == 0);
}

TEST(scratch_buffer_takes_replaces_and_gives_back) {
  bp::scratch::release();
  {
    bp::ScratchBuffer<double> none;
    CHECK(none.data() == nullptr);  // nothing taken until asked
    bp::ScratchBuffer<double> empty(0);
    CHECK(empty.data() != nullptr);  // a take is never null, even of nothing
    bp::ScratchBuffer<double> b;
    double* p = b.ensure(500);  // 4000 bytes: class 4 KB
    CHECK(p != nullptr && b.data() == p);
    for (std::size_t i = 0; i < 500; ++i) b[i] = double(i);
    CHECK(b.ensure(500) == p && b.ensure(1) == p);  // large enough: kept
    CHECK(b[499] == 499.0);
    CHECK(bp::scratch::cached_bytes() == 0);
    double* q = b.ensure(1000);  // too small: replaced, the old block goes to the cache
    CHECK(q != nullptr && b.data() == q);
    CHECK(bp::scratch::cached_bytes() == 4096);
    q[999] = 1.0;
    CHECK(b.take(500) == p);  // a take always replaces: here by the cached 4 KB block
    CHECK(bp::scratch::cached_bytes() == 8192);
  }
  // Destroyed: every block is back (4 KB, 8 KB, and the smallest class, 64
  // bytes, for the take of nothing).
  CHECK(bp::scratch::cached_bytes() == 4096 + 8192 + 64);
  bp::scratch::release();
}

// The native tests run with poisoned scratch (main.cpp): a block taken fresh
// or from the cache comes filled with 0xFF bytes, NaN as a double, the
// largest size_t; off, the poison is not written.
TEST(scratch_poison_fills_every_taken_block) {
  CHECK(bp::scratch::poisoned());
  {
    bp::ScratchBuffer<double> a(1000);
    for (std::size_t i = 0; i < 1000; ++i) a[i] = 1.0;  // written, then given back to the cache
  }
  bp::ScratchBuffer<double> b(1000);  // the same size class: likely the block just given back
  bool all_nan = true;
  for (std::size_t i = 0; i < 1000; ++i) all_nan = all_nan && std::isnan(b[i]);
  CHECK(all_nan);
  bp::ScratchBuffer<std::size_t> c(7);
  CHECK(c[6] == static_cast<std::size_t>(-1));
  const bool was = bp::scratch::set_poison(false);
  CHECK(was);
  {
    bp::ScratchBuffer<double> d(1000);
    for (std::size_t i = 0; i < 1000; ++i) d[i] = 2.0;
  }
  bp::ScratchBuffer<double> e(1000);
  bool any_nan = false;
  for (std::size_t i = 0; i < 1000; ++i) any_nan = any_nan || std::isnan(e[i]);
  CHECK(!any_nan);  // not poisoned: the cached block keeps what it held
  bp::scratch::set_poison(true);
}
