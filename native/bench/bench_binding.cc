// Benchmark hooks (used by bench/, not part of the public API, compiled in
// only with -DBP_BENCH_HOOKS=ON): the memory floors measured natively, and a
// kernel timed inside C++ so that the cost of crossing Node-API can be told
// apart from the kernel's own.
#include <napi.h>

#include <chrono>

#include "arrays.h"
#include "memory_floor.hpp"
#include "operations.h"

namespace bpaddon {
namespace {

// readPass(a) -> sum of a (a vectorised read-only pass).
Napi::Value ReadPass(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  FloatView a;
  if (info.Length() < 1 || !ReadFloatArray(env, info[0], &a)) return env.Undefined();
  double s = a.is_double ? bp::sum_all(static_cast<const double*>(a.data), a.length)
                         : bp::sum_all(static_cast<const float*>(a.data), a.length);
  return Napi::Number::New(env, s);
}

// timeKernel(op, y, rows, cols, groups, eta, out, radii, reps) -> median-free
// mean nanoseconds per call of the kernel alone, measured around the core call.
Napi::Value TimeKernel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ProjectArgs a;
  if (!ParseProjectArgs(info, &a)) return env.Undefined();
  if (info.Length() < 9 || !info[8].IsNumber()) {
    Napi::TypeError::New(env, "timeKernel: reps must be a number").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const int reps = info[8].As<Napi::Number>().Int32Value();
  bp::ProjectionResult res;
  auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < reps; ++r) RunProjection(a, &res);
  auto t1 = std::chrono::steady_clock::now();
  double ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
  return Napi::Number::New(env, reps > 0 ? ns / reps : 0.0);
}

}  // namespace

void RegisterBench(Napi::Env env, Napi::Object exports) {
  Napi::Object bench = Napi::Object::New(env);
  bench.Set("readPass", Napi::Function::New(env, ReadPass, "readPass"));
  bench.Set("timeKernel", Napi::Function::New(env, TimeKernel, "timeKernel"));
  exports.Set("bench", bench);
}

}  // namespace bpaddon
