// Shared by the libFuzzer harnesses of native/fuzz: turning fuzz bytes into
// problems (shapes, values, radii) and checking the invariants every kernel
// promises. Everything is decided by the bytes, so a crashing input replays
// exactly. A violated invariant prints what was violated, on which problem,
// and aborts: libFuzzer then saves the input as a crash artifact.
//
// The invariants are computed independently of the kernels, in long double
// (x87 extended precision on x86-64: 64-bit mantissa and an exponent range
// wide enough that neither 1e308 squared nor a subnormal squared leaves it).
#pragma once

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "bilevel_projection.hpp"

namespace bpfuzz {

// ---------------------------------------------------------------------------
// Failure reporting.

[[noreturn]] inline void fail(const char* file, int line, const char* what, const std::string& detail) {
  std::fprintf(stderr, "\n==bpfuzz== invariant violated at %s:%d\n  %s\n  %s\n", file, line, what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

inline std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
inline std::string fmt(const char* f, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return buf;
}

// The problem currently being checked, printed with every failure.
inline std::string& context() {
  static std::string c;
  return c;
}

#define BPF_CHECK(cond, ...)                                                                                           \
  do {                                                                                                                 \
    if (!(cond)) ::bpfuzz::fail(__FILE__, __LINE__, #cond, ::bpfuzz::context() + "\n  " + ::bpfuzz::fmt(__VA_ARGS__)); \
  } while (0)

// ---------------------------------------------------------------------------
// Reading the fuzz bytes. Past the end every read gives 0, so any input
// (including the empty one) decodes to some problem.

class Bytes {
 public:
  Bytes(const std::uint8_t* p, std::size_t n) : p_(p), n_(n) {}
  std::uint8_t u8() { return i_ < n_ ? p_[i_++] : 0; }
  std::uint16_t u16() { return static_cast<std::uint16_t>(u8() | (u8() << 8)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(u16()) | (static_cast<std::uint32_t>(u16()) << 16); }
  std::uint64_t u64() { return static_cast<std::uint64_t>(u32()) | (static_cast<std::uint64_t>(u32()) << 32); }
  // Uniform-ish in [0, k); one byte when k <= 256, two otherwise.
  std::size_t below(std::size_t k) {
    if (k <= 1) return 0;
    return k <= 256 ? u8() % k : u16() % k;
  }
  bool flag() { return (u8() & 1) != 0; }
  std::size_t left() const { return n_ - std::min(i_, n_); }

 private:
  const std::uint8_t* p_;
  std::size_t n_;
  std::size_t i_ = 0;
};

// splitmix64: the generated fills, seeded from the bytes.
struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1p-53; }
};

// ---------------------------------------------------------------------------
// Values.

// Converts to T; finite doubles beyond T's range saturate (a fuzzer asking
// for 1e308 in a float matrix gets FLT_MAX, not an infinity).
template <class T>
T to_t(double d) {
  if (std::is_same<T, double>::value || !std::isfinite(d)) return static_cast<T>(d);
  const double mx = static_cast<double>(std::numeric_limits<T>::max());
  if (d > mx) return std::numeric_limits<T>::max();
  if (d < -mx) return -std::numeric_limits<T>::max();
  return static_cast<T>(d);
}

// One finite entry: mostly the values that break numerical code (signed
// zeros, subnormals, the extremes of the range, exact ties, powers of two),
// some ordinary ones, some raw bit patterns.
inline double special_value(Bytes& in, double previous) {
  const std::uint8_t tag = in.u8();
  const double sign = (tag & 0x80) ? -1.0 : 1.0;
  switch (tag & 0x0F) {
    case 0:
      return 0.0;
    case 1:
      return -0.0;
    case 2:
      return sign * std::numeric_limits<double>::denorm_min();
    case 3: {  // a random subnormal
      std::uint64_t bits = in.u64() & 0x000FFFFFFFFFFFFFull;
      double d;
      std::memcpy(&d, &bits, 8);
      return sign * d;
    }
    case 4:
      return sign * DBL_MIN;
    case 5:
      return sign * 1e308;
    case 6:
      return sign * DBL_MAX;
    case 7:
      return static_cast<double>(static_cast<int>(in.u8() % 9) - 4);  // small integers: ties
    case 8:
      return sign * std::ldexp(1.0, static_cast<int>(in.u16() % 2098) - 1074);  // any power of two
    case 9:
      return sign * static_cast<double>(FLT_MAX);
    case 10:
      return sign * static_cast<double>(FLT_MIN) * (1.0 + (in.u8() % 4));
    case 11:
      return sign * static_cast<double>(std::numeric_limits<float>::denorm_min()) * (1 + in.u8());
    case 12: {  // raw bits, made finite
      std::uint64_t bits = in.u64();
      if (((bits >> 52) & 0x7FF) == 0x7FF) bits &= ~(std::uint64_t(1) << 62);
      double d;
      std::memcpy(&d, &bits, 8);
      return d;
    }
    case 13:
      return previous;  // a repeat: exact ties between entries
    default:
      return sign * static_cast<double>(in.u16()) / 256.0;  // ordinary values
  }
}

// A matrix (or vector) of n entries. Either every entry is read from the
// bytes (cycling over those read once the bytes run out), or a seeded
// generator fills it with one of several distributions, multiplied by a
// power of two from 2^-1100 to 2^1000 (all-subnormal to near-overflow
// matrices, with structure).
template <class T>
std::vector<T> decode_values(Bytes& in, std::size_t n, std::string* how) {
  std::vector<T> y(n);
  if (n == 0) return y;
  const std::uint8_t mode = in.u8();
  if ((mode & 3) != 3) {
    double prev = 1.0;
    std::size_t read = 0;
    for (std::size_t k = 0; k < n; ++k) {
      if (in.left() == 0 && read > 0) {
        y[k] = y[k % read];
        continue;
      }
      prev = special_value(in, prev);
      y[k] = to_t<T>(prev);
      ++read;
    }
    *how = "explicit";
    return y;
  }
  Rng rng{in.u64()};
  const int dist = in.u8() % 6;
  const int exp2 = static_cast<int>(in.u16() % 2101) - 1100;
  for (std::size_t k = 0; k < n; ++k) {
    double u = rng.uniform(), x;
    switch (dist) {
      case 0:
        x = u;
        break;
      case 1:
        x = 2.0 * u - 1.0;
        break;
      case 2:
        x = static_cast<double>(static_cast<int>(rng.next() % 7) - 3);
        break;  // ties
      case 3:
        x = std::tan(3.1 * (u - 0.5));
        break;  // heavy tails
      case 4:
        x = u < 0.7 ? 0.0 : 2.0 * rng.uniform() - 1.0;
        break;  // sparse: zero groups
      default:
        x = (rng.next() & 1 ? 1.0 : -1.0) * std::ldexp(1.0, static_cast<int>(rng.next() % 60) - 30);
        break;
    }
    y[k] = to_t<T>(std::ldexp(x, exp2));
  }
  *how = fmt("generated dist %d x 2^%d", dist, exp2);
  return y;
}

// With probability about 1/8, one entry becomes NaN or +-Infinity.
template <class T>
bool maybe_poison(Bytes& in, std::vector<T>& y) {
  const std::uint8_t p = in.u8();
  if (y.empty() || (p & 7) != 7) return false;
  const std::size_t at = in.below(y.size());
  const T bad[] = {std::numeric_limits<T>::quiet_NaN(), std::numeric_limits<T>::infinity(),
                   -std::numeric_limits<T>::infinity(), -std::numeric_limits<T>::quiet_NaN()};
  y[at] = bad[(p >> 3) & 3];
  return true;
}

// A radius: 0 and -0, the extremes (subnormal, 1e308, DBL_MAX), the norm
// itself and its neighbours (the identity boundary), fractions of it
// (ordinary, tiny, just below), and raw finite non-negative bits.
inline double decode_radius(Bytes& in, double norm) {
  const std::uint8_t tag = in.u8();
  const double frac = static_cast<double>(in.u16()) / 65535.0;
  switch (tag % 14) {
    case 0:
      return 0.0;
    case 1:
      return -0.0;
    case 2:
      return std::numeric_limits<double>::denorm_min() * (1 + (tag >> 4));
    case 3:
      return 1e308;
    case 4:
      return DBL_MAX;
    case 5:
      return norm;
    case 6:
      return std::nextafter(norm, 0.0);
    case 7:
      return std::nextafter(norm, INFINITY) < INFINITY ? std::nextafter(norm, INFINITY) : norm;
    case 8:
      return norm * 1e-12 * (1.0 + frac);
    case 9:
      return norm * (1.0 - 1e-12 * (1.0 + frac));
    case 10: {
      std::uint64_t bits = in.u64() & 0x7FFFFFFFFFFFFFFFull;
      if ((bits >> 52) == 0x7FF) bits &= ~(std::uint64_t(1) << 62);
      double d;
      std::memcpy(&d, &bits, 8);
      return d;
    }
    default: {  // mostly a real projection, sometimes the identity
      const double r = norm * frac * 1.05;
      return r < DBL_MAX ? r : DBL_MAX;
    }
  }
}

// The entries of a small problem, exactly (hexadecimal floats), for the
// failure report: enough to write the regression test.
template <class T>
std::string values_str(const std::vector<T>& y) {
  if (y.size() > 24) return fmt("(%zu entries)", y.size());
  std::string s = "[";
  for (std::size_t k = 0; k < y.size(); ++k) s += fmt("%s%a", k ? ", " : "", static_cast<double>(y[k]));
  return s + "]";
}

// ---------------------------------------------------------------------------
// Shapes and groups.

struct Shape {
  std::size_t rows = 0, cols = 0;
  bool by_rows = false;
  bp::Groups groups() const { return by_rows ? bp::Groups::kRows : bp::Groups::kColumns; }
  std::size_t ng() const { return by_rows ? rows : cols; }
  std::size_t len() const { return by_rows ? cols : rows; }
  std::size_t size() const { return rows * cols; }
  // Entry k of group g.
  std::size_t at(std::size_t g, std::size_t k) const { return by_rows ? g * cols + k : k * cols + g; }
};

// rows and cols from 0 to max_side, at most max_entries entries. Degenerate
// shapes (0 x k, k x 0, 1 x k, k x 1) are common on purpose.
inline Shape decode_shape(Bytes& in, std::size_t max_side, std::size_t max_entries) {
  Shape s;
  auto side = [&]() -> std::size_t {
    const std::uint8_t t = in.u8();
    switch (t & 7) {
      case 0:
        return 0;
      case 1:
        return 1;
      case 2:
        return 2 + (t >> 3) % 3;
      default:
        return in.below(max_side + 1);
    }
  };
  s.rows = side();
  s.cols = side();
  while (s.rows * s.cols > max_entries) {
    if (s.rows >= s.cols)
      s.rows /= 2;
    else
      s.cols /= 2;
  }
  s.by_rows = in.flag();
  return s;
}

// ---------------------------------------------------------------------------
// Independent arithmetic for the checks.

using LD = long double;

// Whether long double really is wider than double. Under valgrind it is not
// (x87 arithmetic is emulated in double precision), and the numerical
// invariants, which need the extra range, are skipped: the corpus replay
// under memcheck (scripts/valgrind-native.sh --fuzz-corpus) is about memory.
inline bool extended_precision() {
  static const bool ok = [] {
    volatile LD one = 1.0L, tiny = 0x1p-60L, big = 1e300L;
    const LD sum = one + tiny, square = big * big;
    return sum != one && std::isfinite(square) && square > 1e599L && square < 1e601L;
  }();
  return ok;
}

template <class T>
bool all_finite(const std::vector<T>& v) {
  for (T x : v)
    if (!std::isfinite(x)) return false;
  return true;
}

// Per-group max |y|, l1 and l2 norms in long double.
template <class T>
struct GroupNorms {
  std::vector<LD> mx, l1, l2;
  GroupNorms(const std::vector<T>& y, const Shape& s) : mx(s.ng(), 0), l1(s.ng(), 0), l2(s.ng(), 0) {
    for (std::size_t g = 0; g < s.ng(); ++g) {
      LD q = 0;
      for (std::size_t k = 0; k < s.len(); ++k) {
        LD a = std::fabs(static_cast<LD>(y[s.at(g, k)]));
        mx[g] = std::max(mx[g], a);
        l1[g] += a;
        q += a * a;
      }
      l2[g] = std::sqrt(q);
    }
  }
};

inline LD sum_of(const std::vector<LD>& v) {
  LD s = 0;
  for (LD x : v) s += x;
  return s;
}

inline LD max_of(const std::vector<LD>& v) {
  LD s = 0;
  for (LD x : v) s = std::max(s, x);
  return s;
}

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

// |x| <= |y| and x keeps the sign of y (or is zero), entry by entry.
template <class T>
void check_shrinks_toward_zero(const std::vector<T>& y, const std::vector<T>& x, const char* what) {
  for (std::size_t k = 0; k < y.size(); ++k) {
    BPF_CHECK(std::fabs(x[k]) <= std::fabs(y[k]), "%s: |x[%zu]| = %.17g > |y[%zu]| = %.17g", what, k,
              static_cast<double>(x[k]), k, static_cast<double>(y[k]));
    BPF_CHECK(x[k] == 0 || std::signbit(x[k]) == std::signbit(y[k]),
              "%s: sign of x[%zu] = %.17g differs from y = %.17g", what, k, static_cast<double>(x[k]),
              static_cast<double>(y[k]));
  }
}

// The number of groups of x that are entirely zero.
template <class T>
std::size_t zero_groups_of(const std::vector<T>& x, const Shape& s) {
  std::size_t z = 0;
  for (std::size_t g = 0; g < s.ng(); ++g) {
    bool all = true;
    for (std::size_t k = 0; k < s.len() && all; ++k) all = x[s.at(g, k)] == 0;
    z += all ? 1 : 0;
  }
  return z;
}

// A recognisable sentinel for "never written": out and radii are filled
// with it before a call that must fail, and compared byte for byte after.
template <class T>
std::vector<T> sentinel(std::size_t n) {
  return std::vector<T>(n, static_cast<T>(-12345.6875));
}

// Rounding toward zero, as the kernels store a double parameter in T.
template <class T>
T toward_zero(double d) {
  T r = static_cast<T>(d);
  if (std::fabs(static_cast<double>(r)) > std::fabs(d)) r = std::nextafter(r, T(0));
  return r;
}

template <class T>
const char* type_name() {
  return std::is_same<T, double>::value ? "double" : "float";
}

// Relative precision of T (for the outputs' rounding) and a matching slack.
template <class T>
LD eps_of() {
  return static_cast<LD>(std::numeric_limits<T>::epsilon());
}

// Slack for comparing a computed quantity with its exact value: `terms`
// roundings of relative size eps_T (T = the output's type) on values up to
// `scale_of_terms`, plus a few subnormal steps (results that underflow).
template <class T>
LD slack(std::size_t terms, LD scale_of_terms) {
  return 8 * static_cast<LD>(terms + 2) * eps_of<T>() * scale_of_terms +
         64 * static_cast<LD>(terms + 2) * static_cast<LD>(std::numeric_limits<T>::denorm_min());
}

// x (one group, or a vector) is the soft thresholding of y at one common
// lambda, i.e. the projection of y onto the l1 ball of radius u:
//   - every x is sign(y) * (|y| - lambda) up to rounding, for one lambda;
//   - an entry that became 0 had |y| <= lambda;
//   - ||x||_1 <= u, and == u when ||y||_1 > u (up to rounding).
template <class T>
void check_soft_threshold(const std::vector<T>& y, const std::vector<T>& x, LD u, const char* what) {
  LD l1y = 0, l1x = 0, big = 0;
  for (std::size_t k = 0; k < y.size(); ++k) {
    l1y += std::fabs(static_cast<LD>(y[k]));
    l1x += std::fabs(static_cast<LD>(x[k]));
    big = std::max(big, std::fabs(static_cast<LD>(y[k])));
  }
  const LD tol = slack<T>(y.size(), big);
  if (u == 0) {
    for (std::size_t k = 0; k < y.size(); ++k)
      BPF_CHECK(x[k] == 0, "%s: radius 0 but x[%zu] = %.17g", what, k, static_cast<double>(x[k]));
    return;
  }
  BPF_CHECK(l1x <= u + tol, "%s: ||x||_1 = %.17Lg > radius %.17Lg (tol %.3Lg)", what, l1x, u, tol);
  if (l1y > u + tol) {
    BPF_CHECK(l1x >= u - tol, "%s: ||y||_1 = %.17Lg > radius %.17Lg but ||x||_1 = %.17Lg only (tol %.3Lg)", what, l1y,
              u, l1x, tol);
  }
  LD lo = INFINITY, hi = -INFINITY;
  for (std::size_t k = 0; k < y.size(); ++k) {
    if (x[k] == 0) continue;
    LD d = std::fabs(static_cast<LD>(y[k])) - std::fabs(static_cast<LD>(x[k]));
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  const LD tol1 = slack<T>(1, big);
  if (hi >= lo) {
    BPF_CHECK(hi - lo <= tol1, "%s: not one threshold: |y| - |x| ranges over [%.17Lg, %.17Lg] (tol %.3Lg)", what, lo,
              hi, tol1);
    for (std::size_t k = 0; k < y.size(); ++k) {
      if (x[k] != 0) continue;
      BPF_CHECK(std::fabs(static_cast<LD>(y[k])) <= hi + tol1,
                "%s: y[%zu] = %.17g was zeroed but exceeds lambda %.17Lg", what, k, static_cast<double>(y[k]), hi);
    }
  }
}

// The group of x numbered g, as a vector.
template <class T>
std::vector<T> group_of(const std::vector<T>& x, const Shape& s, std::size_t g) {
  std::vector<T> v(s.len());
  for (std::size_t k = 0; k < s.len(); ++k) v[k] = x[s.at(g, k)];
  return v;
}

// The matrix every kernel harness starts from, decoded from the input in one
// fixed order (shape, values, poisoning) so that corpus files stay readable
// by every harness.
template <class T>
struct MatrixCase {
  Shape s;
  std::string how;
  std::vector<T> y;
  bool poisoned;
  bool finite;
  GroupNorms<T> gn;
  explicit MatrixCase(Bytes& in)
      : s(decode_shape(in, 64, 4096)),
        y(decode_values<T>(in, s.size(), &how)),
        poisoned(maybe_poison(in, y)),
        finite(all_finite(y)),
        gn(y, s) {}
};

// A long-double norm as the double a caller would pass, saturated at DBL_MAX.
inline double saturate_to_double(LD v) {
  return v > static_cast<LD>(DBL_MAX) ? DBL_MAX : static_cast<double>(v);
}

}  // namespace bpfuzz
