// Parsing the arguments of a projection, and running it, for the synchronous
// entry point, the asynchronous workers and the bench hooks alike, so that all
// run exactly the same code. The operations themselves, and their numbers, are
// the core's table (native/core/operations.hpp), exported to lib/ here.
#pragma once

#include <napi.h>

#include "arrays.h"
#include "bilevel_projection.hpp"

namespace bpaddon {

struct ProjectArgs {
  bp::Operation op = bp::Operation::kBilevelL1Inf;
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
  if (!bp::operation_from_number(op, &a->op)) {
    Napi::RangeError::New(env, "project: unknown operation").ThrowAsJavaScriptException();
    return false;
  }
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
  return bp::project(a.op, y, a.groups, a.eta, static_cast<T*>(a.out.data), a.radii, res, stop);
}

inline bp::Status RunProjection(const ProjectArgs& a, bp::ProjectionResult* res, const bp::StopToken& stop = {}) {
  return a.y.is_double ? RunTyped<double>(a, res, stop) : RunTyped<float>(a, res, stop);
}

// exports.operations: the core's table, name -> number, frozen. lib/ reads
// every operation number from here, so none is written twice.
inline void ExportOperations(Napi::Env env, Napi::Object exports) {
  Napi::Object table = Napi::Object::New(env);
  for (const bp::OperationName& e : bp::kOperations) table.Set(e.name, Napi::Number::New(env, static_cast<int>(e.op)));
  table.Freeze();
  exports.Set("operations", table);
}

}  // namespace bpaddon
