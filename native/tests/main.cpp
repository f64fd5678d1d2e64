#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "harness.hpp"
#include "scratch.hpp"

namespace bptest {

std::vector<TestCase>& registry() {
  static std::vector<TestCase> r;
  return r;
}

namespace {
int g_failures_in_case = 0;
std::string g_reference_dir;
}  // namespace

void record_failure(const char* file, int line, const std::string& what) {
  if (g_failures_in_case < 5) std::printf("    %s:%d: %s\n", file, line, what.c_str());
  ++g_failures_in_case;
}

const std::string& shared_reference_dir() {
  return g_reference_dir;
}

namespace {

// BP_TEST_SHARD="k/n" runs the k-th of n shares of the tests (k from 0): the
// sanitizer and valgrind runs take minutes in one process, and two processes
// on two cores take half. The shares deal the (filtered) tests out in turn,
// which spreads the heavy tests of one file over the shares.
struct Shard {
  int index = 0;
  int count = 1;
};

bool parse_shard(const char* text, Shard& out) {
  if (text == nullptr || *text == '\0') return true;
  int k = -1, n = 0;
  char tail = 0;
  if (std::sscanf(text, "%d/%d%c", &k, &n, &tail) != 2 || n < 1 || k < 0 || k >= n) return false;
  out.index = k;
  out.count = n;
  return true;
}

}  // namespace

}  // namespace bptest

// Usage: bp_native_tests [reference-dir] [name-filter]
//        (environment: BP_TEST_SHARD=k/n runs one share of them, see Shard)
int main(int argc, char** argv) {
  using namespace bptest;
  if (argc > 1) g_reference_dir = argv[1];
  const char* filter = argc > 2 ? argv[2] : nullptr;
  Shard shard;
  if (!parse_shard(std::getenv("BP_TEST_SHARD"), shard)) {
    std::fprintf(stderr, "native: BP_TEST_SHARD must be k/n with 0 <= k < n, got '%s'\n", std::getenv("BP_TEST_SHARD"));
    return 2;
  }
  // Every test runs on poisoned scratch blocks (scratch.hpp): the uncleared
  // blocks' callers promise to write each slot before reading it, and a broken
  // promise then gives NaN or a wild index instead of a plausible old value.
  bp::scratch::set_poison(true);
  int passed = 0, failed = 0, matching = 0;
  for (const TestCase& t : registry()) {
    if (filter != nullptr && std::strstr(t.name, filter) == nullptr) continue;
    if (matching++ % shard.count != shard.index) continue;
    g_failures_in_case = 0;
    const auto t0 = std::chrono::steady_clock::now();
    t.fn();
    // The time per test shows which tests make the sanitizer and valgrind
    // runs long; the flush makes a slow run show its progress as it goes.
    const long long ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    if (g_failures_in_case == 0) {
      ++passed;
      std::printf("ok   %s (%lld ms)\n", t.name, ms);
    } else {
      ++failed;
      std::printf("FAIL %s (%d checks, %lld ms)\n", t.name, g_failures_in_case, ms);
    }
    std::fflush(stdout);
  }
  if (shard.count > 1)
    std::printf("native: share %d of %d: %d passed, %d failed\n", shard.index, shard.count, passed, failed);
  else
    std::printf("native: %d passed, %d failed\n", passed, failed);
  // No test matched: a mistyped filter, not a pass. A share may be empty when
  // fewer tests match than there are shares.
  return failed == 0 && matching > 0 && (passed > 0 || shard.count > 1) ? 0 : 1;
}
