// The split steps of the bilevel projections (native/core/split.hpp):
// groupNorms, combineGroupNorms, bilevelRadii, applyRadii,
// l1BallThresholdStats, and the thread-pool twins of the two O(block) ones.
// Marshalling and memory-safety checks only; lib/split.ts validates the
// arguments first, with errors that name them.
#include <napi.h>

#include <cstdint>
#include <functional>

#include "arrays.h"
#include "async_project.h"
#include "bilevel_projection.hpp"

namespace bpaddon {
namespace {

bool Fail(Napi::Env env, const char* what) {
  if (!env.IsExceptionPending()) Napi::TypeError::New(env, what).ThrowAsJavaScriptException();
  return false;
}

// A Float64Array of exactly `length` entries (any length when length is
// SIZE_MAX).
bool ReadDoubles(Napi::Env env, Napi::Value v, std::size_t length, double** data, std::size_t* got, const char* what) {
  napi_typedarray_type type;
  std::size_t n = 0;
  void* p = nullptr;
  if (!TypedArrayInfo(env, v, &type, &n, &p) || type != napi_float64_array || (length != SIZE_MAX && n != length)) {
    return Fail(env, what);
  }
  *data = n == 0 ? nullptr : static_cast<double*>(p);
  if (got != nullptr) *got = n;
  return true;
}

struct MatrixArgs {
  FloatView y;
  std::size_t rows = 0, cols = 0;
  bp::Groups groups = bp::Groups::kColumns;
  std::size_t groups_count() const { return bp::group_count(rows, cols, groups); }
};

bool ReadMatrix(const Napi::CallbackInfo& info, std::size_t at, MatrixArgs* m) {
  Napi::Env env = info.Env();
  double g = 0;
  if (!ReadFloatArray(env, info[at], &m->y) || !ReadShape(env, info[at + 1], info[at + 2], m->y, &m->rows, &m->cols) ||
      !ReadDouble(env, info[at + 3], &g)) {
    return Fail(env, "split: bad matrix arguments");
  }
  m->groups = g == 1 ? bp::Groups::kRows : bp::Groups::kColumns;
  return true;
}

// groupNorms(kind, y, rows, cols, groups, out)
struct NormsArgs {
  int kind = 0;
  MatrixArgs m;
  double* out = nullptr;
};

bool ParseNorms(const Napi::CallbackInfo& info, NormsArgs* a) {
  Napi::Env env = info.Env();
  double kind = -1;
  if (info.Length() < 6 || !ReadDouble(env, info[0], &kind) || !(kind == 0 || kind == 1 || kind == 2)) {
    return Fail(env, "groupNorms(kind, y, rows, cols, groups, out): bad arguments");
  }
  a->kind = static_cast<int>(kind);
  return ReadMatrix(info, 1, &a->m) && ReadDoubles(env, info[5], a->m.groups_count(), &a->out, nullptr,
                                                   "groupNorms: out must be a Float64Array, one entry per group");
}

bp::Status RunNorms(const NormsArgs& a) {
  const auto k = static_cast<bp::GroupNormKind>(a.kind);
  if (a.m.y.is_double) {
    return bp::group_norms(bp::MatrixRef<double>{static_cast<const double*>(a.m.y.data), a.m.rows, a.m.cols},
                           a.m.groups, k, a.out);
  }
  return bp::group_norms(bp::MatrixRef<float>{static_cast<const float*>(a.m.y.data), a.m.rows, a.m.cols}, a.m.groups, k,
                         a.out);
}

// applyRadii(kind, y, rows, cols, groups, radii, norms | undefined, mx | undefined, out)
// kind: 0 clip, 1 scale, 2 l1-ball soft threshold per group (norms, mx unused)
struct ApplyArgs {
  int kind = 0;
  MatrixArgs m;
  double* radii = nullptr;
  double* norms = nullptr;
  double* mx = nullptr;
  FloatView out;
};

bool ParseApply(const Napi::CallbackInfo& info, ApplyArgs* a) {
  Napi::Env env = info.Env();
  double kind = -1;
  if (info.Length() < 9 || !ReadDouble(env, info[0], &kind) || !(kind == 0 || kind == 1 || kind == 2)) {
    return Fail(env, "applyRadii(kind, y, rows, cols, groups, radii, norms, mx, out): bad arguments");
  }
  a->kind = static_cast<int>(kind);
  if (!ReadMatrix(info, 1, &a->m)) return false;
  const std::size_t ng = a->m.groups_count();
  if (!ReadDoubles(env, info[5], ng, &a->radii, nullptr,
                   "applyRadii: radii must be a Float64Array, one entry per group"))
    return false;
  if (a->kind == 1 && !ReadDoubles(env, info[6], ng, &a->norms, nullptr,
                                   "applyRadii: norms must be a Float64Array, one entry per group")) {
    return false;
  }
  if (!info[7].IsUndefined() &&
      !ReadDoubles(env, info[7], ng, &a->mx, nullptr, "applyRadii: mx must be a Float64Array, one entry per group")) {
    return false;
  }
  // An empty group list still needs a non-null pointer for "given".
  static double none = 0.0;
  if (!info[7].IsUndefined() && a->mx == nullptr) a->mx = &none;
  return ReadFloatArray(env, info[8], &a->out) && SameShapeNoPartialOverlap(env, a->m.y, a->out);
}

// zeroGroups (>= 0) or -status
double RunApply(const ApplyArgs& a) {
  const auto k = static_cast<bp::ApplyKind>(a.kind);
  std::size_t zero = 0;
  const bp::Status st =
      a.m.y.is_double
          ? bp::apply_radii(bp::MatrixRef<double>{static_cast<const double*>(a.m.y.data), a.m.rows, a.m.cols},
                            a.m.groups, k, a.radii, a.norms, a.mx, static_cast<double*>(a.out.data), &zero)
          : bp::apply_radii(bp::MatrixRef<float>{static_cast<const float*>(a.m.y.data), a.m.rows, a.m.cols}, a.m.groups,
                            k, a.radii, a.norms, a.mx, static_cast<float*>(a.out.data), &zero);
  return st == bp::Status::kOk ? static_cast<double>(zero) : -static_cast<double>(st);
}

Napi::Value GroupNorms(const Napi::CallbackInfo& info) {
  NormsArgs a;
  if (!ParseNorms(info, &a)) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), -static_cast<double>(RunNorms(a)));
}

Napi::Value ApplyRadii(const Napi::CallbackInfo& info) {
  ApplyArgs a;
  if (!ParseApply(info, &a)) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), RunApply(a));
}

// combineGroupNorms(kind, a, b, out)
Napi::Value CombineGroupNorms(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double kind = -1;
  double *a = nullptr, *b = nullptr, *out = nullptr;
  std::size_t n = 0;
  if (info.Length() < 4 || !ReadDouble(env, info[0], &kind) || !(kind == 0 || kind == 1 || kind == 2) ||
      !ReadDoubles(env, info[1], SIZE_MAX, &a, &n, "combineGroupNorms: a must be a Float64Array") ||
      !ReadDoubles(env, info[2], n, &b, nullptr, "combineGroupNorms: b must be a Float64Array as long as a") ||
      !ReadDoubles(env, info[3], n, &out, nullptr, "combineGroupNorms: out must be a Float64Array as long as a")) {
    Fail(env, "combineGroupNorms(kind, a, b, out): bad arguments");
    return env.Undefined();
  }
  bp::combine_group_norms(static_cast<bp::GroupNormKind>(static_cast<int>(kind)), a, b, n, out);
  return env.Undefined();
}

// bilevelRadii(norms, eta, out) -> threshold (>= 0) or -status
Napi::Value BilevelRadii(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double *norms = nullptr, *out = nullptr, eta = 0;
  std::size_t n = 0;
  if (info.Length() < 3 ||
      !ReadDoubles(env, info[0], SIZE_MAX, &norms, &n, "bilevelRadii: norms must be a Float64Array") ||
      !ReadDouble(env, info[1], &eta) ||
      !ReadDoubles(env, info[2], n, &out, nullptr, "bilevelRadii: out must be a Float64Array as long as norms")) {
    Fail(env, "bilevelRadii(norms, eta, out): bad arguments");
    return env.Undefined();
  }
  if (!(eta >= 0.0) || eta - eta != 0.0) {
    Napi::RangeError::New(env, "bilevelRadii: eta must be finite and >= 0").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  double tau = 0.0;
  const bp::Status st = bp::bilevel_radii(norms, n, eta, out, &tau);
  return Napi::Number::New(env, st == bp::Status::kOk ? tau : -static_cast<double>(st));
}

// l1BallThresholdStats(v, tau, out2) -> 0, or -1 if v holds a NaN
Napi::Value L1BallThresholdStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  FloatView v;
  double tau = 0, *out = nullptr;
  if (info.Length() < 3 || !ReadFloatArray(env, info[0], &v) || !ReadDouble(env, info[1], &tau) ||
      !ReadDoubles(env, info[2], 2, &out, nullptr, "l1BallThresholdStats: out must be a Float64Array(2)")) {
    Fail(env, "l1BallThresholdStats(v, tau, out): bad arguments");
    return env.Undefined();
  }
  bool nan = false;
  if (v.is_double)
    bp::l1_ball_threshold_stats(static_cast<const double*>(v.data), v.length, tau, &out[0], &out[1], &nan);
  else
    bp::l1_ball_threshold_stats(static_cast<const float*>(v.data), v.length, tau, &out[0], &out[1], &nan);
  return Napi::Number::New(env, nan ? -1.0 : 0.0);
}

// One O(block) step on the libuv thread pool. The arrays stay referenced
// until the Promise settles; the facade passes only memory nobody can detach
// or shrink meanwhile (see lib/split-async.ts).
class StepWorker : public Napi::AsyncWorker {
 public:
  StepWorker(Napi::Env env, std::function<double()> run, Napi::Array keep, const std::int32_t* flag)
      : Napi::AsyncWorker(env, "bilevel-projection:split"),
        deferred_(Napi::Promise::Deferred::New(env)),
        run_(std::move(run)),
        keep_(Napi::Persistent(static_cast<Napi::Object>(keep))),
        flag_(flag) {}
  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override { result_ = PollFlag(flag_) ? -static_cast<double>(bp::Status::kAborted) : run_(); }
  void OnOK() override { deferred_.Resolve(Napi::Number::New(Env(), result_)); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::function<double()> run_;
  Napi::ObjectReference keep_;
  const std::int32_t* flag_;
  double result_ = 0.0;
};

Napi::Value Queue(const Napi::CallbackInfo& info, std::size_t flag_at, std::function<double()> run) {
  Napi::Env env = info.Env();
  if (info.Length() <= flag_at || !info[flag_at].IsTypedArray() ||
      info[flag_at].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      info[flag_at].As<Napi::Int32Array>().ElementLength() < 1) {
    Napi::TypeError::New(env, "split async: flag must be an Int32Array of length >= 1").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array keep = Napi::Array::New(env, flag_at + 1);
  for (std::size_t i = 0; i <= flag_at; ++i) keep.Set(static_cast<uint32_t>(i), info[i]);
  Napi::Int32Array flag = info[flag_at].As<Napi::Int32Array>();
  auto* worker = new StepWorker(env, std::move(run), keep, flag.Data());
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value GroupNormsAsync(const Napi::CallbackInfo& info) {
  NormsArgs a;
  if (!ParseNorms(info, &a)) return info.Env().Undefined();
  return Queue(info, 6, [a]() { return -static_cast<double>(RunNorms(a)); });
}

Napi::Value ApplyRadiiAsync(const Napi::CallbackInfo& info) {
  ApplyArgs a;
  if (!ParseApply(info, &a)) return info.Env().Undefined();
  return Queue(info, 9, [a]() { return RunApply(a); });
}

}  // namespace

void RegisterSplit(Napi::Env env, Napi::Object exports) {
  exports.Set("groupNorms", Napi::Function::New(env, GroupNorms, "groupNorms"));
  exports.Set("groupNormsAsync", Napi::Function::New(env, GroupNormsAsync, "groupNormsAsync"));
  exports.Set("combineGroupNorms", Napi::Function::New(env, CombineGroupNorms, "combineGroupNorms"));
  exports.Set("bilevelRadii", Napi::Function::New(env, BilevelRadii, "bilevelRadii"));
  exports.Set("applyRadii", Napi::Function::New(env, ApplyRadii, "applyRadii"));
  exports.Set("applyRadiiAsync", Napi::Function::New(env, ApplyRadiiAsync, "applyRadiiAsync"));
  exports.Set("l1BallThresholdStats", Napi::Function::New(env, L1BallThresholdStats, "l1BallThresholdStats"));
}

}  // namespace bpaddon
