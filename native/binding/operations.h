// The projections the binding exposes, by number, and how to run one on
// parsed arguments. Shared by the synchronous entry points and (later) the
// asynchronous workers, so both run exactly the same code.
#pragma once

#include <napi.h>

#include "arrays.h"
#include "bilevel_projection.hpp"

namespace bpaddon {

// Keep in step with binding.d.ts.
enum class Op : int {
  kBilevelL1Inf = 0,
  kBilevelL11 = 1,
  kBilevelL12 = 2,
  kExactNewton = 3,
  kExactSort = 4,
  kProxNewton = 5,
  kProxSort = 6,
  kExactStream = 7,
  kProxStream = 8,
};

struct ProjectArgs {
  Op op = Op::kBilevelL1Inf;
  FloatView y, out;
  std::size_t rows = 0, cols = 0;
  bp::Groups groups = bp::Groups::kColumns;
  double eta = 0.0;
  double* radii = nullptr;
};

// project(op, y, rows, cols, groups, eta, out, radii): reads and checks what
// memory safety needs (types, lengths, overlap); throws and returns false
// otherwise.
inline bool ParseProjectArgs(const Napi::CallbackInfo& info, ProjectArgs* a) {
  Napi::Env env = info.Env();
  double op = 0, groups = 0;
  if (info.Length() < 8 || !ReadDouble(env, info[0], &op) || !ReadDouble(env, info[4], &groups) ||
      !ReadDouble(env, info[5], &a->eta)) {
    Napi::TypeError::New(env, "project(op, y, rows, cols, groups, eta, out, radii): bad arguments")
        .ThrowAsJavaScriptException();
    return false;
  }
  if (!(op >= 0 && op <= 8) || op != static_cast<double>(static_cast<int>(op))) {
    Napi::RangeError::New(env, "project: unknown operation").ThrowAsJavaScriptException();
    return false;
  }
  a->op = static_cast<Op>(static_cast<int>(op));
  if (!ReadFloatArray(env, info[1], &a->y) || !ReadShape(env, info[2], info[3], a->y, &a->rows, &a->cols) ||
      !ReadFloatArray(env, info[6], &a->out) || !SameShapeNoPartialOverlap(env, a->y, a->out)) {
    return false;
  }
  a->groups = groups == 1 ? bp::Groups::kRows : bp::Groups::kColumns;
  if (!(a->eta >= 0.0) || a->eta - a->eta != 0.0) {
    Napi::RangeError::New(env, "project: eta must be finite and >= 0").ThrowAsJavaScriptException();
    return false;
  }
  napi_typedarray_type type;
  std::size_t length = 0;
  void* data = nullptr;
  if (!TypedArrayInfo(env, info[7], &type, &length, &data) || type != napi_float64_array) {
    Napi::TypeError::New(env, "project: radii must be a Float64Array").ThrowAsJavaScriptException();
    return false;
  }
  if (length != bp::group_count(a->rows, a->cols, a->groups)) {
    Napi::RangeError::New(env, "project: radii must have one entry per group").ThrowAsJavaScriptException();
    return false;
  }
  a->radii = static_cast<double*>(data);
  return true;
}

template <class T>
bp::Status RunTyped(const ProjectArgs& a, bp::ProjectionResult* res, const bp::StopToken& stop) {
  const bp::MatrixRef<T> y{static_cast<const T*>(a.y.data), a.rows, a.cols};
  T* out = static_cast<T*>(a.out.data);
  switch (a.op) {
    case Op::kBilevelL1Inf: return bp::bilevel_l1inf(y, a.groups, a.eta, out, a.radii, res, stop);
    case Op::kBilevelL11: return bp::bilevel_l11(y, a.groups, a.eta, out, a.radii, res, stop);
    case Op::kBilevelL12: return bp::bilevel_l12(y, a.groups, a.eta, out, a.radii, res, stop);
    case Op::kExactNewton:
      return bp::project_l1inf_exact(y, a.groups, a.eta, bp::ExactMethod::kNewton, out, a.radii, res, stop);
    case Op::kExactSort:
      return bp::project_l1inf_exact(y, a.groups, a.eta, bp::ExactMethod::kSort, out, a.radii, res, stop);
    case Op::kProxNewton:
      return bp::prox_linf1(y, a.groups, a.eta, bp::ExactMethod::kNewton, out, a.radii, res, stop);
    case Op::kProxSort:
      return bp::prox_linf1(y, a.groups, a.eta, bp::ExactMethod::kSort, out, a.radii, res, stop);
    case Op::kExactStream:
      return bp::project_l1inf_exact(y, a.groups, a.eta, bp::ExactMethod::kStream, out, a.radii, res, stop);
    case Op::kProxStream:
      return bp::prox_linf1(y, a.groups, a.eta, bp::ExactMethod::kStream, out, a.radii, res, stop);
  }
  return bp::Status::kOk;
}

inline bp::Status RunProjection(const ProjectArgs& a, bp::ProjectionResult* res, const bp::StopToken& stop = {}) {
  return a.y.is_double ? RunTyped<double>(a, res, stop) : RunTyped<float>(a, res, stop);
}

}  // namespace bpaddon
