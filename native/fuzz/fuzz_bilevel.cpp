// libFuzzer harness: the bilevel l1,inf / l1,1 / l1,2 projections (the
// paper's Algorithms 1-3), float and double, columns or rows as groups.
//
// From the bytes: method, type, shape (0 to 64 per side, <= 4096 entries),
// values (signed zeros, subnormals, 1e308, DBL_MAX, ties, raw bits, or a
// generated matrix scaled by 2^-1100 .. 2^1000), maybe one NaN/Inf, a radius
// (0, -0, subnormal, 1e308, the norm and its neighbours, fractions).
//
// Checked, independently of the kernel (fuzz_common.hpp):
//  - a non-finite entry gives kNonFinite and not one byte of out or radii
//    is written;
//  - otherwise kOk, every output and radius finite, radii >= 0;
//  - |x| <= |y| entrywise and signs kept;
//  - zeroGroups is the number of all-zero groups of x;
//  - eta = 0 gives zeros; eta above the norm gives y itself, bit for bit;
//  - otherwise the outer level is the l1 projection of the group norms:
//    sum u_j = eta and u_j = max(n_j - tau, 0) for one tau (up to rounding);
//  - the inner level: l1,inf clips group j at u_j (rounded toward zero) bit
//    for bit; l1,1 soft-thresholds group j onto the l1 ball of radius u_j;
//    l1,2 scales group j to l2 norm u_j;
//  - feasibility: the projection's own norm of x is <= eta;
//  - in place (out == y) gives the same bits as a separate out.
#include "fuzz_common.hpp"

using namespace bpfuzz;

namespace {

enum Method { kL1Inf = 0, kL11 = 1, kL12 = 2 };
const char* const kNames[] = {"bilevel_l1inf", "bilevel_l11", "bilevel_l12"};

template <class T>
bp::Status run(Method m, const std::vector<T>& y, const Shape& s, double eta, T* out, double* radii,
               bp::ProjectionResult* res) {
  const bp::MatrixRef<T> ref{y.data(), s.rows, s.cols};
  switch (m) {
    case kL1Inf:
      return bp::bilevel_l1inf(ref, s.groups(), eta, out, radii, res);
    case kL11:
      return bp::bilevel_l11(ref, s.groups(), eta, out, radii, res);
    default:
      return bp::bilevel_l12(ref, s.groups(), eta, out, radii, res);
  }
}

template <class T>
void fuzz(Bytes& in, Method m) {
  MatrixCase<T> c(in);
  auto& [s, how, y, poisoned, finite, gn] = c;
  const std::vector<LD>& nj = m == kL1Inf ? gn.mx : m == kL11 ? gn.l1 : gn.l2;
  const LD total = finite ? sum_of(nj) : 0;
  const double norm_d = saturate_to_double(total);
  const double eta = decode_radius(in, norm_d);
  context() = fmt("%s<%s> %zu x %zu groups=%s values=%s%s eta=%.17g (%a) norm=%.17Lg", kNames[m], type_name<T>(),
                  s.rows, s.cols, s.by_rows ? "rows" : "columns", (how + " " + values_str(y)).c_str(),
                  poisoned ? " +non-finite" : "", eta, eta, total);

  const std::size_t ng = s.ng();
  std::vector<T> out = sentinel<T>(y.size());
  std::vector<double> radii = sentinel<double>(ng);
  bp::ProjectionResult res;
  const bp::Status st = run(m, y, s, eta, out.data(), radii.data(), &res);

  if (!finite) {
    BPF_CHECK(st == bp::Status::kNonFinite, "status %d for a non-finite entry", static_cast<int>(st));
    BPF_CHECK(same_bits(out, sentinel<T>(y.size())), "out was written although the call failed");
    BPF_CHECK(same_bits(radii, sentinel<double>(ng)), "radii were written although the call failed");
    return;
  }
  BPF_CHECK(st == bp::Status::kOk, "status %d on finite input", static_cast<int>(st));
  BPF_CHECK(all_finite(out), "a non-finite output");
  for (std::size_t j = 0; j < ng; ++j)
    BPF_CHECK(std::isfinite(radii[j]) && radii[j] >= 0, "radii[%zu] = %.17g", j, radii[j]);
  check_shrinks_toward_zero(y, out, "x");
  BPF_CHECK(res.zero_groups == zero_groups_of(out, s), "zeroGroups %zu but %zu groups of x are zero", res.zero_groups,
            zero_groups_of(out, s));

  // In place gives the same bits.
  {
    std::vector<T> z = y;
    std::vector<double> r2 = sentinel<double>(ng);
    bp::ProjectionResult res2;
    const bp::Status st2 = run(m, z, s, eta, z.data(), r2.data(), &res2);
    BPF_CHECK(
        st2 == bp::Status::kOk && same_bits(z, out) && same_bits(r2, radii) && res2.zero_groups == res.zero_groups,
        "in place differs from a separate out");
  }

  if (!extended_precision()) return;
  const LD big_n = max_of(nj);
  const LD eta_l = static_cast<LD>(eta);
  // Relative error of the kernel's group norms (sums of len terms in double)
  // and of the outer l1 projection (ng terms): absolute, on the scale of big_n.
  const LD tol_outer = 8 * static_cast<LD>(s.len() + ng + 8) * static_cast<LD>(DBL_EPSILON) * big_n +
                       64 * static_cast<LD>(ng + 2) * static_cast<LD>(std::numeric_limits<double>::denorm_min());

  if (eta == 0) {
    for (std::size_t k = 0; k < out.size(); ++k)
      BPF_CHECK(out[k] == 0, "eta = 0 but x[%zu] = %.17g", k, double(out[k]));
    for (std::size_t j = 0; j < ng; ++j) BPF_CHECK(radii[j] == 0, "eta = 0 but radii[%zu] = %.17g", j, radii[j]);
    BPF_CHECK(res.zero_groups == ng, "eta = 0 but zeroGroups = %zu", res.zero_groups);
    return;
  }
  const bool identity = same_bits(out, y);
  if (total <= eta_l - tol_outer) BPF_CHECK(identity, "eta is above the norm but x != y");
  if (identity && total > eta_l + tol_outer) {
    // Allowed only if the projection rounds back to y (a radius within
    // rounding of the norm); then the radii must still be the norms.
    BPF_CHECK(false, "x == y although the norm %.17Lg exceeds eta by more than rounding", total);
  }
  LD sum_u = 0;
  for (double u : radii) sum_u += static_cast<LD>(u);
  if (identity && total <= eta_l + tol_outer) {
    for (std::size_t j = 0; j < ng; ++j)
      BPF_CHECK(std::fabs(static_cast<LD>(radii[j]) - nj[j]) <= tol_outer,
                "identity: radii[%zu] = %.17g but the group norm is %.17Lg", j, radii[j], nj[j]);
    return;
  }

  // A real projection. Outer level: u = P1_eta(n).
  BPF_CHECK(sum_u <= eta_l + tol_outer, "sum of radii %.17Lg > eta (tol %.3Lg)", sum_u, tol_outer);
  BPF_CHECK(sum_u >= eta_l - tol_outer, "sum of radii %.17Lg < eta (tol %.3Lg)", sum_u, tol_outer);
  LD tau_lo = INFINITY, tau_hi = -INFINITY;
  for (std::size_t j = 0; j < ng; ++j) {
    BPF_CHECK(static_cast<LD>(radii[j]) <= nj[j] + tol_outer, "radii[%zu] = %.17g above the group norm %.17Lg", j,
              radii[j], nj[j]);
    if (radii[j] > 0) {
      tau_lo = std::min(tau_lo, nj[j] - static_cast<LD>(radii[j]));
      tau_hi = std::max(tau_hi, nj[j] - static_cast<LD>(radii[j]));
    }
  }
  if (tau_hi >= tau_lo) {
    BPF_CHECK(tau_hi - tau_lo <= 2 * tol_outer, "outer level: n_j - u_j ranges over [%.17Lg, %.17Lg]", tau_lo, tau_hi);
    for (std::size_t j = 0; j < ng; ++j) {
      if (radii[j] == 0)
        BPF_CHECK(nj[j] <= tau_hi + 2 * tol_outer, "group %zu zeroed but its norm %.17Lg exceeds tau %.17Lg", j, nj[j],
                  tau_hi);
    }
  }

  // Inner level, group by group, and the projection's own norm of x.
  LD own = 0;
  for (std::size_t g = 0; g < ng; ++g) {
    const std::vector<T> yg = group_of(y, s, g), xg = group_of(out, s, g);
    const LD u = static_cast<LD>(radii[g]);
    LD gmax = 0, g1 = 0, g2 = 0;
    for (T v : xg) {
      LD a = std::fabs(static_cast<LD>(v));
      gmax = std::max(gmax, a);
      g1 += a;
      g2 += a * a;
    }
    if (m == kL1Inf) {
      const T c = toward_zero<T>(radii[g]);
      for (std::size_t k = 0; k < yg.size(); ++k) {
        const T want = std::min(std::max(yg[k], static_cast<T>(-c)), c);
        BPF_CHECK(same_bits(std::vector<T>{xg[k]}, std::vector<T>{want}) || (xg[k] == 0 && want == 0),
                  "group %zu entry %zu: x = %.17g, clip(y = %.17g, %.17g) = %.17g", g, k, double(xg[k]), double(yg[k]),
                  double(c), double(want));
      }
      own += gmax;
    } else if (m == kL11) {
      check_soft_threshold(yg, xg, u, "inner l1 projection");
      own += g1;
    } else {
      const LD l2 = std::sqrt(g2);
      const LD tol = slack<T>(yg.size(), std::max(u, gn.l2[g]));
      BPF_CHECK(l2 <= u + tol, "group %zu: l2 norm %.17Lg > u = %.17Lg", g, l2, u);
      if (gn.l2[g] > 0) {
        const LD f = u / gn.l2[g];
        for (std::size_t k = 0; k < yg.size(); ++k) {
          const LD want = static_cast<LD>(yg[k]) * f;
          BPF_CHECK(std::fabs(static_cast<LD>(xg[k]) - want) <= slack<T>(4, std::fabs(static_cast<LD>(yg[k]))),
                    "group %zu entry %zu: x = %.17g but y * u / ||y|| = %.17Lg", g, k, double(xg[k]), want);
        }
        BPF_CHECK(l2 >= u - tol, "group %zu: l2 norm %.17Lg < u = %.17Lg", g, l2, u);
      }
      own += l2;
    }
  }
  BPF_CHECK(own <= eta_l + slack<T>(ng + s.len(), eta_l), "infeasible: the norm of x is %.17Lg > eta = %.17g", own,
            eta);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes in(data, size);
  const std::uint8_t head = in.u8();
  const Method m = static_cast<Method>(head % 3);
  if (head & 0x80)
    fuzz<float>(in, m);
  else
    fuzz<double>(in, m);
  return 0;
}
