// A main() for the harnesses without libFuzzer: runs LLVMFuzzerTestOneInput
// on every file named (or every file of every directory named) once. Lets
// the committed corpus be replayed by any C++17 compiler, under valgrind
// (scripts/valgrind-native.sh --fuzz-corpus) or in a debugger. Not globbed
// by CMake (only native/fuzz/fuzz_*.cpp are harnesses).
#include <dirent.h>
#include <sys/stat.h>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

int run_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    std::fprintf(stderr, "replay: cannot open %s\n", path.c_str());
    return 1;
  }
  std::vector<std::uint8_t> bytes;
  int c;
  while ((c = std::fgetc(f)) != EOF) bytes.push_back(static_cast<std::uint8_t>(c));
  std::fclose(f);
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int files = 0, failures = 0;
  for (int i = 1; i < argc; ++i) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      std::fprintf(stderr, "replay: no such file or directory: %s\n", argv[i]);
      return 1;
    }
    if (S_ISDIR(st.st_mode)) {
      DIR* d = opendir(argv[i]);
      std::vector<std::string> names;
      while (dirent* e = readdir(d)) {
        if (e->d_name[0] != '.') names.push_back(std::string(argv[i]) + "/" + e->d_name);
      }
      closedir(d);
      for (const std::string& n : names) {
        failures += run_file(n);
        ++files;
      }
    } else {
      failures += run_file(argv[i]);
      ++files;
    }
  }
  std::printf("replay: %d inputs replayed, no failure\n", files);
  return failures == 0 ? 0 : 1;
}
