// A prebuild made on this Debian 12 toolchain must also load where Node 20
// itself runs: glibc 2.28 and the libstdc++ of GCC 8 (RHEL 8, Ubuntu 20.04).
// GCC 11+ headers make every std::allocator reference
// std::__throw_bad_array_new_length, exported only by GCC 11's libstdc++
// (GLIBCXX_3.4.29). Defining it here, with hidden visibility, resolves that
// reference inside the addon, so the .node needs nothing newer than
// GLIBCXX_3.4.21. test/package.test.ts checks the versions a prebuild needs.
#include <new>  // defines __GLIBCXX__ when the library is libstdc++

#if defined(__GLIBCXX__) && defined(__linux__) && defined(__GNUC__) && __GNUC__ >= 11

namespace std {
[[noreturn]] __attribute__((visibility("hidden"))) void __throw_bad_array_new_length() {
  throw std::bad_array_new_length();
}
}  // namespace std
#endif
