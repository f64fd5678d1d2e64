// projectAsync: the same projection as `project`, run on the libuv thread
// pool. The JS arrays involved are held by one persistent reference for the
// whole call, so none can be collected while a thread reads or writes it.
//
// What the worker touches must also not be detached or shrunk meanwhile; the
// facade guarantees that by passing only memory the caller cannot reach
// (private snapshots) or cannot shrink (SharedArrayBuffer views). See
// lib/async.ts.
#pragma once

#include <napi.h>

#include <cstdint>

#include "operations.h"

namespace bpaddon {

// A cancel flag the facade sets with Atomics.store on an Int32Array over a
// SharedArrayBuffer; read here with an atomic load.
inline bool PollFlag(const void* ctx) {
#if defined(_MSC_VER)
  return *static_cast<const volatile long*>(ctx) != 0;
#else
  return __atomic_load_n(static_cast<const std::int32_t*>(ctx), __ATOMIC_RELAXED) != 0;
#endif
}

class ProjectWorker : public Napi::AsyncWorker {
 public:
  ProjectWorker(Napi::Env env, const ProjectArgs& args, Napi::Array keep, const std::int32_t* flag)
      : Napi::AsyncWorker(env, "bilevel-projection:project"),
        deferred_(Napi::Promise::Deferred::New(env)),
        args_(args),
        keep_(Napi::Persistent(static_cast<Napi::Object>(keep))),
        flag_(flag) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override {
    if (PollFlag(flag_)) {  // aborted while queued
      status_ = bp::Status::kAborted;
      return;
    }
    status_ = RunProjection(args_, &result_, bp::StopToken{&PollFlag, flag_});
  }

  void OnOK() override {
    Napi::Env env = Env();
    double v = status_ == bp::Status::kOk ? static_cast<double>(result_.zero_groups) : -static_cast<double>(status_);
    deferred_.Resolve(Napi::Number::New(env, v));
  }

  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  ProjectArgs args_;
  Napi::ObjectReference keep_;
  const std::int32_t* flag_;
  bp::Status status_ = bp::Status::kOk;
  bp::ProjectionResult result_;
};

// projectAsync(op, y, rows, cols, groups, eta, out, radii, flag) -> Promise<number>
// (zeroGroups >= 0, or -status). flag: Int32Array(1) over a SharedArrayBuffer.
inline Napi::Value ProjectAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ProjectArgs a;
  if (!ParseProjectArgs(info, &a)) return env.Undefined();
  if (info.Length() < 9 || !info[8].IsTypedArray() ||
      info[8].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      info[8].As<Napi::Int32Array>().ElementLength() < 1) {
    Napi::TypeError::New(env, "projectAsync: flag must be an Int32Array of length >= 1").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Int32Array flag = info[8].As<Napi::Int32Array>();
  Napi::Array keep = Napi::Array::New(env, 4);
  keep.Set(0u, info[1]);
  keep.Set(1u, info[6]);
  keep.Set(2u, info[7]);
  keep.Set(3u, flag);
  auto* worker = new ProjectWorker(env, a, keep, flag.Data());
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace bpaddon
