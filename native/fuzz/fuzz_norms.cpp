// libFuzzer harness: the four mixed norms (l1,inf, l1,1, l1,2, inf,1),
// float and double, columns or rows as groups, on the same decoded matrices
// as the projections (subnormal and near-overflow ones included).
//
// Checked against the same norm computed in long double (whose range holds
// the squares of 1e308 and of subnormals):
//  - a non-finite entry gives kNonFinite and the result is not written;
//  - otherwise kOk and a result within 1e-12 (relative) of the true norm, or
//    within a few subnormal steps of it;
//  - +Infinity exactly when the true value exceeds the largest double (and
//    never a NaN).
#include "fuzz_common.hpp"

using namespace bpfuzz;

namespace {

template <class T>
void fuzz(Bytes& in) {
  MatrixCase<T> c(in);
  auto& [s, how, y, poisoned, finite, gn] = c;
  const char* const names[] = {"l1inf", "l11", "l12", "linf1"};
  for (int kind = 0; kind < 4; ++kind) {
    context() =
        fmt("mixed_norm<%s> %s %zu x %zu groups=%s values=%s%s", type_name<T>(), names[kind], s.rows, s.cols,
            s.by_rows ? "rows" : "columns", (how + " " + values_str(y)).c_str(), poisoned ? " +non-finite" : "");
    double r = -42.0;
    const bp::Status st =
        bp::mixed_norm(bp::MatrixRef<T>{y.data(), s.rows, s.cols}, s.groups(), static_cast<bp::NormKind>(kind), &r);
    if (!finite) {
      BPF_CHECK(st == bp::Status::kNonFinite && r == -42.0, "status %d, result %.17g for a non-finite entry",
                static_cast<int>(st), r);
      continue;
    }
    BPF_CHECK(st == bp::Status::kOk, "status %d on finite input", static_cast<int>(st));
    BPF_CHECK(!std::isnan(r) && r >= 0, "result %.17g", r);
    if (!extended_precision()) continue;
    LD want = 0;
    switch (kind) {
      case 0:
        want = sum_of(gn.mx);
        break;
      case 1:
        want = sum_of(gn.l1);
        break;
      case 2:
        want = sum_of(gn.l2);
        break;
      default:
        want = max_of(gn.l1);
        break;
    }
    BPF_CHECK(!std::isnan(r) && r >= 0, "result %.17g", r);
    const LD dmax = static_cast<LD>(DBL_MAX);
    if (want > dmax * (1 + 1e-12L)) {
      BPF_CHECK(std::isinf(r) || static_cast<LD>(r) >= dmax * (1 - 1e-12L),
                "true norm %.17Lg overflows but result %.17g", want, r);
      continue;
    }
    if (want < dmax * (1 - 1e-12L)) BPF_CHECK(std::isfinite(r), "result Infinity but the true norm is %.17Lg", want);
    if (!std::isfinite(r)) continue;
    // Each group's norm may be rounded once to the subnormal grid before the
    // sum (half a step each): allow a step per group.
    const LD tol =
        1e-12L * want + static_cast<LD>(s.ng() + 16) * static_cast<LD>(std::numeric_limits<double>::denorm_min());
    BPF_CHECK(std::fabs(static_cast<LD>(r) - want) <= tol, "result %.17g, true norm %.17Lg (rel error %.3Lg)", r, want,
              want > 0 ? std::fabs(static_cast<LD>(r) - want) / want : 0.0L);
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
