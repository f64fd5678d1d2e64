// A prebuild made on this Debian 12 toolchain must also load where Node 20
// itself runs: glibc 2.28 and the libstdc++ of GCC 8 (RHEL 8, Ubuntu 20.04).
// Two kinds of references would otherwise pin it to newer runtimes:
//
// - GCC 11+ headers make every std::allocator reference
//   std::__throw_bad_array_new_length, exported only by GCC 11's libstdc++
//   (GLIBCXX_3.4.29). Defined here with hidden visibility, the reference
//   resolves inside the addon.
// - GCC 12's libstdc++ gave std::condition_variable::wait(unique_lock&) a
//   new version (GLIBCXX_3.4.30; the kernels' thread pool waits on one). The
//   wrapper below calls the version every libstdc++ since GCC 4.4 has
//   (GLIBCXX_3.4.11), which GCC 12's still exports for compatibility.
// - glibc 2.27/2.29 gave exp, log, pow (and the float variants) new symbol
//   versions. CMake links the addon with --wrap for them, and the wrappers
//   below call the versions every glibc of the architecture has (x86-64:
//   GLIBC_2.2.5; aarch64, whose first glibc was 2.17: GLIBC_2.17).
//
// test/package.test.ts checks the versions the prebuild needs.
#include <new>  // defines __GLIBCXX__ when the library is libstdc++

#if defined(__GLIBCXX__) && defined(__linux__) && defined(__GNUC__) && __GNUC__ >= 11
namespace std {
[[noreturn]] __attribute__((visibility("hidden"))) void __throw_bad_array_new_length() {
  throw std::bad_array_new_length();
}
}  // namespace std
#endif

#if defined(BP_WRAP_LIBM) && defined(__linux__) && (defined(__x86_64__) || defined(__aarch64__))
#if defined(__x86_64__)
#define BP_LIBM_BASE "GLIBC_2.2.5"
#else
#define BP_LIBM_BASE "GLIBC_2.17"
#endif
#define BP_OLD_LIBM(ret, name, params, args)                                  \
  extern "C" ret bp_old_##name params;                                        \
  __asm__(".symver bp_old_" #name "," #name "@" BP_LIBM_BASE);                \
  extern "C" __attribute__((visibility("hidden"))) ret __wrap_##name params { \
    return bp_old_##name args;                                                \
  }

BP_OLD_LIBM(double, exp, (double x), (x))
BP_OLD_LIBM(double, log, (double x), (x))
BP_OLD_LIBM(double, pow, (double x, double y), (x, y))
BP_OLD_LIBM(double, exp2, (double x), (x))
BP_OLD_LIBM(double, log2, (double x), (x))
BP_OLD_LIBM(float, expf, (float x), (x))
BP_OLD_LIBM(float, logf, (float x), (x))
BP_OLD_LIBM(float, powf, (float x, float y), (x, y))
BP_OLD_LIBM(float, exp2f, (float x), (x))
BP_OLD_LIBM(float, log2f, (float x), (x))
#undef BP_OLD_LIBM

#if defined(__GLIBCXX__)
// void std::condition_variable::wait(std::unique_lock<std::mutex>&): `this`
// and the reference are both passed as pointers (Itanium C++ ABI).
extern "C" void bp_old_condition_variable_wait(void* self, void* lock);
__asm__(
    ".symver bp_old_condition_variable_wait,_ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE@GLIBCXX_3.4.11");
extern "C" __attribute__((visibility("hidden"))) void __wrap__ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE(
    void* self, void* lock) {
  bp_old_condition_variable_wait(self, lock);
}
#endif
#endif
