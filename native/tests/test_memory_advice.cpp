// The huge-page hint for fresh result arrays (memory_advice.hpp): it must
// never reach memory outside the array, leave the contents as they are, and
// mark the array's whole 2 MB pages for transparent huge pages.
#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "harness.hpp"
#include "memory_advice.hpp"

using namespace bptest;

namespace {

// "[madvise]" or "[always]" in the THP setting: a hinted region may get huge pages.
bool thp_on_request() {
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return s.find("[madvise]") != std::string::npos || s.find("[always]") != std::string::npos;
}

// A field of the smaps entry of the mapping that contains p ("" if none).
std::string smaps_field(const void* p, const std::string& field) {
  std::ifstream f("/proc/self/smaps");
  std::string line;
  bool inside = false;
  const auto a = reinterpret_cast<std::uintptr_t>(p);
  while (std::getline(f, line)) {
    std::uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-') {
      inside = lo <= a && a < hi;
    } else if (inside && line.rfind(field + ":", 0) == 0) {
      return line.substr(field.size() + 1);
    }
  }
  return "";
}

}  // namespace

TEST(memory_advice_keeps_contents_and_ignores_small_or_null) {
  bp::advise_huge_pages(nullptr, std::size_t(64) << 20);
  char small[4096];
  std::memset(small, 7, sizeof small);
  bp::advise_huge_pages(small, sizeof small);
  for (char c : small) CHECK(c == 7);
  // An odd, unaligned interior of a mapping: written before and after the hint.
  const std::size_t bytes = std::size_t(12) << 20;
  char* m = static_cast<char*>(mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  CHECK(m != MAP_FAILED);
  if (m == MAP_FAILED) return;
  for (std::size_t i = 0; i < bytes; i += 4096) m[i] = static_cast<char>(i >> 12);
  bp::advise_huge_pages(m + 12345, bytes - 23456);
  for (std::size_t i = 0; i < bytes; i += 4096) CHECK(m[i] == static_cast<char>(i >> 12));
  munmap(m, bytes);
}

// The hint itself is checked, not the kernel's answer to it: whether a 2 MB
// page is free at fault time depends on the machine (and valgrind's address
// space manager never gets one). VmFlags shows "hg" on a region advised
// MADV_HUGEPAGE, and the advice must cover the array's 2 MB interior only.
TEST(memory_advice_marks_the_interior_of_a_large_mapping) {
  if (!thp_on_request()) return;  // THP compiled out or "never": madvise refuses, by design a no-op
  const std::size_t bytes = std::size_t(32) << 20;
  char* m = static_cast<char*>(mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  CHECK(m != MAP_FAILED);
  if (m == MAP_FAILED) return;
  const std::string before = smaps_field(m + bytes / 2, "VmFlags");
  CHECK(!before.empty());
  CHECK(before.find(" hg") == std::string::npos);
  bp::advise_huge_pages(m + 1, bytes - 2);  // unaligned ends: the first and last 2 MB stay unadvised
  CHECK(smaps_field(m + bytes / 2, "VmFlags").find(" hg") != std::string::npos);
  CHECK(smaps_field(m, "VmFlags").find(" hg") == std::string::npos);
  CHECK(smaps_field(m + bytes - 1, "VmFlags").find(" hg") == std::string::npos);
  munmap(m, bytes);
}
