// libFuzzer harness: the exact l1,inf projection (semismooth Newton and the
// sort-based method) and the prox of the dual norm, float and double,
// columns or rows as groups. Inputs decoded as in fuzz_bilevel.cpp.
//
// Checked, independently of the kernels (fuzz_common.hpp):
//  - a non-finite entry gives kNonFinite from all four entry points and not
//    one byte of out or radii is written;
//  - otherwise kOk, outputs and thresholds finite, mu_j >= 0;
//  - |x| <= |y| entrywise and signs kept, for the projection and the prox;
//  - zeroGroups counts the all-zero groups of the result;
//  - eta = 0: projection 0, prox y; eta above the norm: projection y, prox 0;
//  - the projection clips group j at mu_j (rounded toward zero) bit for bit,
//    the prox soft-thresholds it at mu_j (Moreau: prox = y - projection), and
//    the prox reports the same mu_j, bit for bit, as the projection;
//  - optimality (KKT): sum mu_j = eta, and one theta with
//    sum_i max(|y_ij| - mu_j, 0) = theta for every group with mu_j > 0 and
//    ||y_j||_1 <= theta for the others (up to rounding);
//  - feasibility: ||x||_1,inf <= eta;
//  - Newton = sort: thresholds and outputs agree to rounding;
//  - in place gives the same bits as a separate out;
//  - a StopToken that fires after k polls gives either the full result, bit
//    for bit, or kAborted with out untouched.
#include "fuzz_common.hpp"

using namespace bpfuzz;

namespace {

struct Countdown {
  int left;
};
bool poll_countdown(const void* ctx) {
  auto* c = static_cast<Countdown*>(const_cast<void*>(ctx));
  return c->left-- <= 0;
}

template <class T>
struct Run {
  bp::Status st;
  std::vector<T> out;
  std::vector<double> mu;
  std::size_t zero_groups;
};

template <class T>
Run<T> run(bool prox, bp::ExactMethod method, const std::vector<T>& y, const Shape& s, double eta,
           const bp::StopToken& stop = {}) {
  Run<T> r{bp::Status::kOk, sentinel<T>(y.size()), sentinel<double>(s.ng()), 0};
  const bp::MatrixRef<T> ref{y.data(), s.rows, s.cols};
  bp::ProjectionResult res;
  r.st = prox ? bp::prox_linf1(ref, s.groups(), eta, method, r.out.data(), r.mu.data(), &res, stop)
              : bp::project_l1inf_exact(ref, s.groups(), eta, method, r.out.data(), r.mu.data(), &res, stop);
  r.zero_groups = res.zero_groups;
  return r;
}

const char* name_of(bool prox, bp::ExactMethod m) {
  if (m == bp::ExactMethod::kStream) return prox ? "prox stream" : "projection stream";
  if (prox) return m == bp::ExactMethod::kNewton ? "prox newton" : "prox sort";
  return m == bp::ExactMethod::kNewton ? "projection newton" : "projection sort";
}

// Every method, with 'sort' (the reference) at index 1.
constexpr int kMethodCount = 3;

template <class T>
void fuzz(Bytes& in) {
  MatrixCase<T> c(in);
  auto& [s, how, y, poisoned, finite, gn] = c;
  const LD total = finite ? sum_of(gn.mx) : 0;
  const double norm_d = saturate_to_double(total);
  const double eta = decode_radius(in, norm_d);
  const std::uint8_t stop_after = in.u8();
  context() = fmt("exact<%s> %zu x %zu groups=%s values=%s%s eta=%.17g (%a) ||y||_1,inf=%.17Lg", type_name<T>(), s.rows,
                  s.cols, s.by_rows ? "rows" : "columns", (how + " " + values_str(y)).c_str(),
                  poisoned ? " +non-finite" : "", eta, eta, total);
  const std::size_t ng = s.ng();
  const bp::ExactMethod kMethods[kMethodCount] = {bp::ExactMethod::kNewton, bp::ExactMethod::kSort,
                                                  bp::ExactMethod::kStream};

  Run<T> proj[kMethodCount], prox[kMethodCount];
  for (int i = 0; i < kMethodCount; ++i) {
    proj[i] = run<T>(false, kMethods[i], y, s, eta);
    prox[i] = run<T>(true, kMethods[i], y, s, eta);
  }
  if (!finite) {
    for (const Run<T>* r : {&proj[0], &proj[1], &proj[2], &prox[0], &prox[1], &prox[2]}) {
      BPF_CHECK(r->st == bp::Status::kNonFinite, "status %d for a non-finite entry", static_cast<int>(r->st));
      BPF_CHECK(same_bits(r->out, sentinel<T>(y.size())) && same_bits(r->mu, sentinel<double>(ng)),
                "out or radii written although the call failed");
    }
    return;
  }

  const LD big = max_of(gn.mx);
  const LD eta_l = static_cast<LD>(eta);
  const std::size_t len = s.len();
  // mu_j = (S_j - theta) / k_j: cancellation on the scale of a group's l1
  // norm (at most len * big), for every group.
  const LD tol_mu = 16 * static_cast<LD>(ng + len + 8) * static_cast<LD>(len + 1) * static_cast<LD>(DBL_EPSILON) * big +
                    64 * static_cast<LD>(ng + 2) * static_cast<LD>(std::numeric_limits<double>::denorm_min());

  for (int i = 0; i < kMethodCount; ++i) {
    for (bool is_prox : {false, true}) {
      const Run<T>& r = is_prox ? prox[i] : proj[i];
      const char* nm = name_of(is_prox, kMethods[i]);
      BPF_CHECK(r.st == bp::Status::kOk, "%s: status %d on finite input", nm, static_cast<int>(r.st));
      BPF_CHECK(all_finite(r.out), "%s: a non-finite output", nm);
      for (std::size_t j = 0; j < ng; ++j)
        BPF_CHECK(std::isfinite(r.mu[j]) && r.mu[j] >= 0, "%s: mu[%zu] = %.17g", nm, j, r.mu[j]);
      check_shrinks_toward_zero(y, r.out, nm);
      BPF_CHECK(r.zero_groups == zero_groups_of(r.out, s), "%s: zeroGroups %zu but %zu zero groups", nm, r.zero_groups,
                zero_groups_of(r.out, s));
    }
    BPF_CHECK(same_bits(proj[i].mu, prox[i].mu), "%s: the prox's thresholds differ from the projection's",
              name_of(false, kMethods[i]));
  }

  if (!extended_precision()) return;
  if (eta == 0) {
    for (int i = 0; i < kMethodCount; ++i) {
      for (T v : proj[i].out) BPF_CHECK(v == 0, "eta = 0 but the projection has %.17g", double(v));
      BPF_CHECK(same_bits(prox[i].out, y), "eta = 0 but the prox is not y");
    }
    return;
  }
  const bool identity = same_bits(proj[0].out, y);
  // The identity boundary, up to rounding: of the norm's sum, and of the
  // thresholds themselves when they are subnormal (a threshold of 2/3 of the
  // smallest subnormal is stored as 1 step: up to one step per group).
  const LD tol_id = 8 * static_cast<LD>(ng + 8) * static_cast<LD>(DBL_EPSILON) * total +
                    static_cast<LD>(ng) * static_cast<LD>(std::numeric_limits<double>::denorm_min());
  if (total <= eta_l - tol_id) {
    for (int i = 0; i < kMethodCount; ++i) {
      BPF_CHECK(same_bits(proj[i].out, y), "%s: eta is above the norm but x != y", name_of(false, kMethods[i]));
      for (T v : prox[i].out) BPF_CHECK(v == 0, "eta above the norm but the prox has %.17g", double(v));
    }
    return;
  }
  if (identity) {
    BPF_CHECK(total <= eta_l + tol_id, "x == y although the norm exceeds eta");
    return;
  }

  for (int i = 0; i < kMethodCount; ++i) {
    const char* nm = name_of(false, kMethods[i]);
    const std::vector<double>& mu = proj[i].mu;
    LD sum_mu = 0;
    for (double v : mu) sum_mu += static_cast<LD>(v);
    BPF_CHECK(sum_mu <= eta_l + slack<double>(ng, eta_l), "%s: sum mu = %.17Lg > eta", nm, sum_mu);
    BPF_CHECK(sum_mu >= eta_l - tol_mu, "%s: sum mu = %.17Lg < eta (tol %.3Lg)", nm, sum_mu, tol_mu);
    // One theta for every surviving group.
    LD th_lo = INFINITY, th_hi = -INFINITY;
    std::vector<LD> theta(ng, 0);
    for (std::size_t g = 0; g < ng; ++g) {
      if (mu[g] == 0) continue;
      for (std::size_t k = 0; k < len; ++k) {
        const LD a = std::fabs(static_cast<LD>(y[s.at(g, k)]));
        if (a > mu[g]) theta[g] += a - static_cast<LD>(mu[g]);
      }
      th_lo = std::min(th_lo, theta[g]);
      th_hi = std::max(th_hi, theta[g]);
    }
    const LD tol_th = static_cast<LD>(len + 1) * tol_mu;
    if (th_hi >= th_lo) {
      BPF_CHECK(th_hi - th_lo <= tol_th, "%s: not one theta: [%.17Lg, %.17Lg] (tol %.3Lg)", nm, th_lo, th_hi, tol_th);
      for (std::size_t g = 0; g < ng; ++g) {
        if (mu[g] == 0)
          BPF_CHECK(gn.l1[g] <= th_hi + tol_th, "%s: group %zu zeroed but ||y_j||_1 = %.17Lg > theta = %.17Lg", nm, g,
                    gn.l1[g], th_hi);
      }
    }
    // The projection clips at mu (rounded toward zero), the prox shrinks by it.
    LD own = 0;
    for (std::size_t g = 0; g < ng; ++g) {
      const T c = toward_zero<T>(mu[g]);
      LD gmax = 0;
      for (std::size_t k = 0; k < len; ++k) {
        const std::size_t at = s.at(g, k);
        const T want = std::min(std::max(y[at], static_cast<T>(-c)), c);
        BPF_CHECK(proj[i].out[at] == want, "%s: x[%zu] = %.17g but clip(%.17g, %.17g) = %.17g", nm, at,
                  double(proj[i].out[at]), double(y[at]), double(c), double(want));
        gmax = std::max(gmax, std::fabs(static_cast<LD>(proj[i].out[at])));
        const LD a = static_cast<LD>(y[at]), m = static_cast<LD>(mu[g]);
        const LD shrink = a > m ? a - m : (a < -m ? a + m : 0);
        BPF_CHECK(std::fabs(static_cast<LD>(prox[i].out[at]) - shrink) <= slack<T>(1, std::fabs(a)),
                  "%s: prox[%zu] = %.17g but y - clip = %.17Lg", nm, at, double(prox[i].out[at]), shrink);
      }
      own += gmax;
    }
    BPF_CHECK(own <= eta_l + slack<T>(ng, eta_l), "%s: infeasible, ||x||_1,inf = %.17Lg > eta", nm, own);
  }

  // Newton = sort, stream = sort.
  for (int i : {0, 2}) {
    const char* nm = name_of(false, kMethods[i]);
    for (std::size_t g = 0; g < ng; ++g) {
      BPF_CHECK(std::fabs(static_cast<LD>(proj[i].mu[g]) - static_cast<LD>(proj[1].mu[g])) <= tol_mu,
                "%s mu[%zu] = %.17g, sort mu = %.17g (tol %.3Lg)", nm, g, proj[i].mu[g], proj[1].mu[g], tol_mu);
    }
    for (std::size_t k = 0; k < y.size(); ++k) {
      BPF_CHECK(
          std::fabs(static_cast<LD>(proj[i].out[k]) - static_cast<LD>(proj[1].out[k])) <= tol_mu + slack<T>(1, big),
          "%s x[%zu] = %.17g, sort x = %.17g", nm, k, double(proj[i].out[k]), double(proj[1].out[k]));
    }
  }

  // In place, and interrupted.
  {
    std::vector<T> z = y;
    std::vector<double> mu = sentinel<double>(ng);
    bp::ProjectionResult res;
    const bp::Status st = bp::project_l1inf_exact(bp::MatrixRef<T>{z.data(), s.rows, s.cols}, s.groups(), eta,
                                                  bp::ExactMethod::kNewton, z.data(), mu.data(), &res);
    BPF_CHECK(st == bp::Status::kOk && same_bits(z, proj[0].out) && same_bits(mu, proj[0].mu), "in place differs");
  }
  for (int i : {0, 2}) {
    Countdown cd{stop_after % 12};
    const Run<T> r = run<T>(stop_after & 0x80, kMethods[i], y, s, eta, bp::StopToken{&poll_countdown, &cd});
    const Run<T>& full = (stop_after & 0x80) ? prox[i] : proj[i];
    if (r.st == bp::Status::kAborted) {
      BPF_CHECK(same_bits(r.out, sentinel<T>(y.size())), "aborted after %d polls but out was written", stop_after % 12);
    } else {
      BPF_CHECK(r.st == bp::Status::kOk && same_bits(r.out, full.out) && same_bits(r.mu, full.mu),
                "a StopToken that did not stop changed the result (status %d)", static_cast<int>(r.st));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes in(data, size);
  if (in.u8() & 0x80)
    fuzz<float>(in);
  else
    fuzz<double>(in);
  return 0;
}
