#include <chrono>
#include <cstdio>
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

}  // namespace bptest

// Usage: bp_native_tests [reference-dir] [name-filter]
int main(int argc, char** argv) {
  using namespace bptest;
  if (argc > 1) g_reference_dir = argv[1];
  const char* filter = argc > 2 ? argv[2] : nullptr;
  // Every test runs on poisoned scratch blocks (scratch.hpp): the uncleared
  // blocks' callers promise to write each slot before reading it, and a broken
  // promise then gives NaN or a wild index instead of a plausible old value.
  bp::scratch::set_poison(true);
  int passed = 0, failed = 0;
  for (const TestCase& t : registry()) {
    if (filter != nullptr && std::strstr(t.name, filter) == nullptr) continue;
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
  std::printf("native: %d passed, %d failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
