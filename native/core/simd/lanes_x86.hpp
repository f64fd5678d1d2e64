// The x86 lane types spell every operation the same way but for the
// intrinsics' prefix (_mm, _mm256) and suffix (pd, ps), and the compares: so
// each Lanes specialisation of lanes_sse2.hpp and lanes_avx2.hpp is this one
// definition, stamped with its names.
#pragma once

#include <cstddef>

// Lanes<T, ISA> over the vector type VEC of WIDTH lanes; GT, GE and UNORD are
// the compares of a and b (greater than, greater or equal, ordered; unordered).
#define BP_X86_LANES(T, ISA, VEC, WIDTH, P, S, GT, GE, UNORD) \
  template <>                                                 \
  struct Lanes<T, ISA> {                                      \
    using V = VEC;                                            \
    static constexpr std::size_t kWidth = WIDTH;              \
    static constexpr std::size_t kBytes = WIDTH * sizeof(T);  \
    static V gt(V a, V b) { return GT; }                      \
    static V ge(V a, V b) { return GE; }                      \
    static V unordered(V a, V b) { return UNORD; }            \
    BP_X86_LANE_OPS(T, P, S)                                  \
  };

#define BP_X86_LANE_OPS(T, P, S)                            \
  static V load(const T* p) {                               \
    return P##_loadu_##S(p);                                \
  }                                                         \
  static void store(T* p, V v) {                            \
    P##_storeu_##S(p, v);                                   \
  }                                                         \
  static void stream(T* p, V v) {                           \
    P##_stream_##S(p, v);                                   \
  }                                                         \
  static V set1(T x) {                                      \
    return P##_set1_##S(x);                                 \
  }                                                         \
  static V zero() {                                         \
    return P##_setzero_##S();                               \
  }                                                         \
  static V add(V a, V b) {                                  \
    return P##_add_##S(a, b);                               \
  }                                                         \
  static V sub(V a, V b) {                                  \
    return P##_sub_##S(a, b);                               \
  }                                                         \
  static V mul(V a, V b) {                                  \
    return P##_mul_##S(a, b);                               \
  }                                                         \
  static V div(V a, V b) {                                  \
    return P##_div_##S(a, b);                               \
  }                                                         \
  static V sqrt(V a) {                                      \
    return P##_sqrt_##S(a);                                 \
  }                                                         \
  static V min(V a, V b) {                                  \
    return P##_min_##S(a, b);                               \
  }                                                         \
  static V max(V a, V b) {                                  \
    return P##_max_##S(a, b);                               \
  }                                                         \
  static V bit_and(V a, V b) {                              \
    return P##_and_##S(a, b);                               \
  }                                                         \
  static V bit_or(V a, V b) {                               \
    return P##_or_##S(a, b);                                \
  }                                                         \
  static V and_not(V a, V b) {                              \
    return P##_andnot_##S(a, b);                            \
  } /* ~a & b */                                            \
  static V bit_xor(V a, V b) {                              \
    return P##_xor_##S(a, b);                               \
  }                                                         \
  static bool any(V m) {                                    \
    return P##_movemask_##S(m) != 0;                        \
  }                                                         \
  /* bit i set when lane i of the mask m is */              \
  static unsigned mask_bits(V m) {                          \
    return static_cast<unsigned>(P##_movemask_##S(m));      \
  }                                                         \
  static T max_lane(V v) {                                  \
    alignas(kBytes) T b[kWidth];                            \
    P##_store_##S(b, v);                                    \
    T r = b[0];                                             \
    for (T x : b) r = r > x ? r : x;                        \
    return r;                                               \
  }                                                         \
  static void prefetch(const void* p) {                     \
    _mm_prefetch(static_cast<const char*>(p), _MM_HINT_T0); \
  }
