// libFuzzer harness: the l1-ball projection of a vector (project_l1_ball,
// float and double, up to 20,000 entries so that the sampled first pass and
// the block filter of the scan both run) and the threshold routine under it
// (l1_threshold_inplace), which is also fed arbitrary doubles: a
// SharedArrayBuffer rewritten by another thread can hand it values that
// passed no check, so on any input it must terminate without touching
// memory outside its buffer.
//
// Checked, independently of the kernel (fuzz_common.hpp):
//  - a non-finite entry gives kNonFinite and out is not written;
//  - otherwise kOk, a finite result, |x| <= |v| and signs kept;
//  - eta = 0 gives zeros; ||v||_1 <= eta gives v bit for bit;
//  - otherwise x is the soft thresholding of v at one lambda with
//    ||x||_1 = eta (up to rounding) and never above it;
//  - in place gives the same bits;
//  - the threshold routine: on valid input (finite, >= 0, a finite sum as
//    the callers' scaling guarantees, radius > 0) sum max(a - tau, 0) =
//    radius when sum a > radius, else tau = 0.
#include "fuzz_common.hpp"

using namespace bpfuzz;

namespace {

template <class T>
void fuzz_ball(Bytes& in) {
  const std::uint8_t sz = in.u8();
  std::size_t n;
  switch (sz & 3) {
    case 0:
      n = sz >> 2;
      break;  // 0 .. 63
    case 1:
      n = in.below(600);
      break;  // below the sample
    case 2:
      n = 4096 + in.below(64) * (1 + (sz >> 5));
      break;  // around the sample boundary
    default:
      n = in.below(20001);
      break;
  }
  std::string how;
  std::vector<T> v = decode_values<T>(in, n, &how);
  const bool poisoned = maybe_poison(in, v);
  const bool finite = all_finite(v);
  LD l1 = 0;
  for (T x : v) l1 += std::fabs(static_cast<LD>(x));
  const double norm_d = !finite ? 1.0 : saturate_to_double(l1);
  const double eta = decode_radius(in, norm_d);
  context() = fmt("project_l1_ball<%s> n=%zu values=%s%s eta=%.17g (%a) ||v||_1=%.17Lg", type_name<T>(), n,
                  (how + " " + values_str(v)).c_str(), poisoned ? " +non-finite" : "", eta, eta, l1);

  std::vector<T> out = sentinel<T>(n);
  const bp::Status st = bp::project_l1_ball(v.data(), n, eta, out.data());
  if (!finite) {
    BPF_CHECK(st == bp::Status::kNonFinite, "status %d for a non-finite entry", static_cast<int>(st));
    BPF_CHECK(same_bits(out, sentinel<T>(n)), "out written although the call failed");
    return;
  }
  BPF_CHECK(st == bp::Status::kOk, "status %d on finite input", static_cast<int>(st));
  if (n == 0) return;
  BPF_CHECK(all_finite(out), "a non-finite output");
  check_shrinks_toward_zero(v, out, "x");
  {
    std::vector<T> z = v;
    BPF_CHECK(bp::project_l1_ball(z.data(), n, eta, z.data()) == bp::Status::kOk && same_bits(z, out),
              "in place differs");
  }
  if (eta == 0) {
    for (T x : out) BPF_CHECK(x == 0, "eta = 0 but x has %.17g", double(x));
    return;
  }
  if (!extended_precision()) return;
  LD big = 0;
  for (T x : v) big = std::max(big, std::fabs(static_cast<LD>(x)));
  const LD tol = slack<double>(n, big);
  if (l1 <= static_cast<LD>(eta) - tol) {
    BPF_CHECK(same_bits(out, v), "inside the ball but x != v");
    return;
  }
  if (same_bits(out, v)) {
    BPF_CHECK(l1 <= static_cast<LD>(eta) + tol, "x == v although ||v||_1 exceeds eta");
    return;
  }
  check_soft_threshold(v, out, static_cast<LD>(eta), "l1 ball");
}

void fuzz_threshold(Bytes& in) {
  const std::size_t k = in.below(700);
  std::vector<double> a(k);
  bool valid = true;
  double prev = 1.0;
  const bool raw = in.flag();
  for (double& x : a) {
    if (raw) {  // anything at all: negative, NaN, infinite
      std::uint64_t bits = in.u64();
      std::memcpy(&x, &bits, 8);
    } else {
      x = std::fabs(special_value(in, prev));
      prev = x;
    }
    valid = valid && std::isfinite(x) && x >= 0;
  }
  double radius;
  {
    std::uint64_t bits = in.u64();
    std::memcpy(&radius, &bits, 8);
    if (!raw) radius = std::fabs(radius);
  }
  valid = valid && std::isfinite(radius) && radius > 0;
  // The callers hand it values in scaled units (overflow_guard_scale), so
  // that every sum of them is finite; beyond that only termination and
  // memory safety are required.
  {
    LD total = 0;
    for (double x : a) total += std::fabs(static_cast<LD>(x));
    valid = valid && total < static_cast<LD>(DBL_MAX) / 4;
  }
  // Guard bytes on both sides catch a write outside [0, k) even without ASan.
  std::vector<double> buf(k + 2, -7.0);
  std::copy(a.begin(), a.end(), buf.begin() + 1);
  context() = fmt("l1_threshold_inplace k=%zu raw=%d radius=%.17g", k, raw ? 1 : 0, radius);
  const double tau = bp::l1_threshold_inplace(buf.data() + 1, k, radius);
  BPF_CHECK(buf[0] == -7.0 && buf[k + 1] == -7.0, "wrote outside its buffer");
  if (!valid || !extended_precision()) return;
  LD sum = 0, big = 0;
  for (double x : a) {
    sum += x;
    big = std::max(big, static_cast<LD>(x));
  }
  BPF_CHECK(std::isfinite(tau) && tau >= 0, "tau = %.17g", tau);
  if (sum <= static_cast<LD>(radius)) {
    BPF_CHECK(tau == 0 || sum >= static_cast<LD>(radius) - slack<double>(k, big), "inside the ball but tau = %.17g",
              tau);
    return;
  }
  LD mass = 0;
  for (double x : a)
    if (x > tau) mass += static_cast<LD>(x) - tau;
  const LD tol = slack<double>(k, big);
  BPF_CHECK(mass <= static_cast<LD>(radius) + tol && mass >= static_cast<LD>(radius) - tol,
            "sum max(a - tau, 0) = %.17Lg for radius %.17g (tau %.17g, tol %.3Lg)", mass, radius, tau, tol);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes in(data, size);
  const std::uint8_t head = in.u8();
  switch (head % 3) {
    case 0:
      fuzz_ball<double>(in);
      break;
    case 1:
      fuzz_ball<float>(in);
      break;
    default:
      fuzz_threshold(in);
      break;
  }
  return 0;
}
