// AVX2 twins of the streaming write loops of stream_store.hpp, for CPUs that
// have it (checked once at run time; the prebuilds target the SSE2 baseline).
// On this project's machines 256-bit non-temporal stores write a 64 MB
// result a third faster than 128-bit ones (2.6 against 3.9 ms), which is the
// difference between the clip pass running slower or faster than a memcpy.
// Each does the operations of its SSE2 twin in the same order on wider
// lanes, so the bytes written are the same.
#pragma once

#include <cstddef>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(BP_NO_TARGET_CLONES)
#define BP_HAVE_AVX2_STREAMS 1
#endif

namespace bp {
namespace avx2 {

#ifdef BP_HAVE_AVX2_STREAMS
// The CPU runs AVX2 (and the OS saves its registers).
bool available() noexcept;

// dst = clamp(src, -c, c), c per entry (each) or one c.
void clamp_each(const double* src, const double* c, double* dst, std::size_t n);
void clamp_one(const double* src, double c, double* dst, std::size_t n);
void clamp_each(const float* src, const float* c, float* dst, std::size_t n);
void clamp_one(const float* src, float c, float* dst, std::size_t n);
// dst = sign(src) * max(|src| - t, 0) in double, t per entry or one t.
void shrink_each(const double* src, const double* t, double* dst, std::size_t n);
void shrink_one(const double* src, double t, double* dst, std::size_t n);
// dst = +0.
void zero(double* dst, std::size_t n);
void zero(float* dst, std::size_t n);
#else
inline bool available() noexcept { return false; }
#endif

}  // namespace avx2
}  // namespace bp
