// The N-API layer: turns JavaScript arguments into pointers and sizes, calls
// the core, and hands back its result. It knows nothing of the mathematics
// and does not validate user input beyond what memory safety needs: lib/ does
// that first, with errors that name the argument. Everything here holds no
// global state, so the addon is context-aware and loads in worker threads.
#include <napi.h>

#include <cstdint>

#include "arrays.h"
#include "async_project.h"
#include "bilevel_projection.hpp"
#include "memory_advice.hpp"
#include "operations.h"
#include "parallel.hpp"
#include "sae_binding.h"

namespace bpaddon {
void RegisterSplit(Napi::Env env, Napi::Object exports);          // split_binding.cc
void RegisterRadiusForKeep(Napi::Env env, Napi::Object exports);  // radius_binding.cc
#ifdef BP_BENCH_HOOKS
void RegisterBench(Napi::Env env, Napi::Object exports);  // native/bench/bench_binding.cc
#endif
}  // namespace bpaddon

namespace {

using bpaddon::FloatView;

// project(op, y, rows, cols, groups, eta, out, radii) -> zeroGroups (>= 0) or
// -status (< 0). out and radii are allocated by the caller.
Napi::Value Project(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bpaddon::ProjectArgs a;
  if (!bpaddon::ParseProjectArgs(info, &a)) return env.Undefined();
  bp::ProjectionResult res;
  bp::Status st = bpaddon::RunProjection(a, &res);
  if (st != bp::Status::kOk) return Napi::Number::New(env, -static_cast<double>(st));
  return Napi::Number::New(env, static_cast<double>(res.zero_groups));
}

// projectL1Ball(v, eta, out) -> 0 or -status.
Napi::Value ProjectL1Ball(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  FloatView v, out;
  if (info.Length() < 3 || !bpaddon::ReadFloatArray(env, info[0], &v) || !info[1].IsNumber() ||
      !bpaddon::ReadFloatArray(env, info[2], &out) || !bpaddon::SameShapeNoPartialOverlap(env, v, out)) {
    if (!env.IsExceptionPending())
      Napi::TypeError::New(env, "projectL1Ball(v, eta, out): bad arguments").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  double eta = info[1].As<Napi::Number>().DoubleValue();
  bp::Status st =
      v.is_double
          ? bp::project_l1_ball(static_cast<const double*>(v.data), v.length, eta, static_cast<double*>(out.data))
          : bp::project_l1_ball(static_cast<const float*>(v.data), v.length, eta, static_cast<float*>(out.data));
  return Napi::Number::New(env, -static_cast<double>(st));
}

// norm(kind, y, rows, cols, groups) -> norm (>= 0) or -status (< 0).
Napi::Value Norm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  FloatView y;
  std::size_t rows = 0, cols = 0;
  if (info.Length() < 5 || !info[0].IsNumber() || !bpaddon::ReadFloatArray(env, info[1], &y) ||
      !bpaddon::ReadShape(env, info[2], info[3], y, &rows, &cols) || !info[4].IsNumber()) {
    if (!env.IsExceptionPending())
      Napi::TypeError::New(env, "norm(kind, y, rows, cols, groups): bad arguments").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int kind = info[0].As<Napi::Number>().Int32Value();
  if (kind < 0 || kind > 3) {
    Napi::RangeError::New(env, "norm: unknown kind").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  bp::Groups g = info[4].As<Napi::Number>().Int32Value() == 1 ? bp::Groups::kRows : bp::Groups::kColumns;
  double r = 0.0;
  bp::Status st = y.is_double ? bp::mixed_norm(bp::MatrixRef<double>{static_cast<const double*>(y.data), rows, cols}, g,
                                               static_cast<bp::NormKind>(kind), &r)
                              : bp::mixed_norm(bp::MatrixRef<float>{static_cast<const float*>(y.data), rows, cols}, g,
                                               static_cast<bp::NormKind>(kind), &r);
  if (st != bp::Status::kOk) return Napi::Number::New(env, -static_cast<double>(st));
  return Napi::Number::New(env, r);
}

// threads(n?) -> the thread limit before the call; sets it when n is given
// (0 restores the default).
Napi::Value Threads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double n = -1;
  if (info.Length() > 0 && !info[0].IsUndefined()) {
    if (!bpaddon::ReadDouble(env, info[0], &n) || !(n >= 0 && n <= 1024)) {
      Napi::RangeError::New(env, "threads: expected an integer in [0, 1024]").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    return Napi::Number::New(env, bp::set_thread_limit(static_cast<unsigned>(n)));
  }
  return Napi::Number::New(env, bp::thread_limit());
}

// memoryOverlap(a, b) -> 0 disjoint, 1 the same bytes, 2 partly shared: two
// SharedArrayBuffer objects can map the same memory, which only addresses
// reveal.
Napi::Value MemoryOverlap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  FloatView a, b;
  if (info.Length() < 2 || !bpaddon::ReadFloatArray(env, info[0], &a) || !bpaddon::ReadFloatArray(env, info[1], &b)) {
    return env.Undefined();
  }
  const auto a0 = reinterpret_cast<std::uintptr_t>(a.data), b0 = reinterpret_cast<std::uintptr_t>(b.data);
  const std::uintptr_t a1 = a0 + a.length * (a.is_double ? 8 : 4), b1 = b0 + b.length * (b.is_double ? 8 : 4);
  int r = 0;
  if (a0 == b0 && a1 == b1 && a.length > 0)
    r = 1;
  else if (a0 < b1 && b0 < a1)
    r = 2;
  return Napi::Number::New(env, r);
}

// isDetached(typedArray) -> boolean: Node 20 has no ArrayBuffer#detached.
Napi::Value IsDetached(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray()) return Napi::Boolean::New(env, false);
  Napi::Value buf = info[0].As<Napi::TypedArray>().Get("buffer");
  if (!buf.IsArrayBuffer()) return Napi::Boolean::New(env, false);  // SharedArrayBuffer never detaches
  return Napi::Boolean::New(env, buf.As<Napi::ArrayBuffer>().IsDetached());
}

// adviseFreshArray(typedArray): the huge-page hint for a result array the
// facade has just allocated (see memory_advice.hpp).
Napi::Value AdviseFreshArray(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  FloatView a;
  if (info.Length() < 1 || !bpaddon::ReadFloatArray(env, info[0], &a)) return env.Undefined();
  bp::advise_huge_pages(a.data, a.length * (a.is_double ? 8 : 4));
  return env.Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("project", Napi::Function::New(env, Project, "project"));
  exports.Set("projectAsync", Napi::Function::New(env, bpaddon::ProjectAsync, "projectAsync"));
  exports.Set("projectL1Ball", Napi::Function::New(env, ProjectL1Ball, "projectL1Ball"));
  exports.Set("norm", Napi::Function::New(env, Norm, "norm"));
  exports.Set("isDetached", Napi::Function::New(env, IsDetached, "isDetached"));
  exports.Set("threads", Napi::Function::New(env, Threads, "threads"));
  exports.Set("memoryOverlap", Napi::Function::New(env, MemoryOverlap, "memoryOverlap"));
  exports.Set("adviseFreshArray", Napi::Function::New(env, AdviseFreshArray, "adviseFreshArray"));
  exports.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  bpaddon::ExportOperations(env, exports);
  bpaddon::RegisterSae(env, exports);
  bpaddon::RegisterSplit(env, exports);
  bpaddon::RegisterRadiusForKeep(env, exports);
#ifdef BP_BENCH_HOOKS
  bpaddon::RegisterBench(env, exports);
#endif
  return exports;
}

}  // namespace

NODE_API_MODULE(bilevel_projection, Init)
