// A minimal test harness for the core: no dependency, so that the same
// binary builds plainly, under sanitizers and under valgrind.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace bptest {

struct TestCase {
  const char* name;
  std::function<void()> fn;
};

std::vector<TestCase>& registry();
void record_failure(const char* file, int line, const std::string& what);
const std::string& shared_reference_dir();

struct Registrar {
  Registrar(const char* name, std::function<void()> fn) { registry().push_back({name, std::move(fn)}); }
};

// Deterministic generator (splitmix64), so failures reproduce from the seed.
struct Rng {
  std::uint64_t state;
  explicit Rng(std::uint64_t seed) : state(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1p-53; }
  double normal() {
    double u = uniform(), v = uniform();
    return std::sqrt(-2.0 * std::log(u + 0x1p-60)) * std::cos(6.283185307179586 * v);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

}  // namespace bptest

#define BP_CONCAT2(a, b) a##b
#define BP_CONCAT(a, b) BP_CONCAT2(a, b)
#define TEST(name)                                               \
  static void name();                                            \
  static ::bptest::Registrar BP_CONCAT(reg_, name)(#name, name); \
  static void name()

#define CHECK(cond)                                                   \
  do {                                                                \
    if (!(cond)) ::bptest::record_failure(__FILE__, __LINE__, #cond); \
  } while (0)

#define CHECK_MSG(cond, msg)                                      \
  do {                                                            \
    if (!(cond)) {                                                \
      std::ostringstream bp_os_;                                  \
      bp_os_ << #cond << " : " << msg;                            \
      ::bptest::record_failure(__FILE__, __LINE__, bp_os_.str()); \
    }                                                             \
  } while (0)

#define CHECK_NEAR(a, b, tol) CHECK_MSG(std::fabs((a) - (b)) <= (tol), (a) << " vs " << (b) << " tol " << (tol))
