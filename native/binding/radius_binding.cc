// radiusForKeep(projection, y, rows, cols, groups, keep) -> the radius (>= 0)
// or -status (< 0). Marshalling only: native/core/radius_for_keep does the
// work, and lib/radius-for-keep.ts validates every argument first.
#include <napi.h>

#include "arrays.h"
#include "radius_for_keep.hpp"

namespace bpaddon {
namespace {

Napi::Value RadiusForKeep(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  FloatView y;
  std::size_t rows = 0, cols = 0;
  double projection = 0, groups = 0, keep = 0;
  if (info.Length() < 6 || !ReadDouble(env, info[0], &projection) || !ReadFloatArray(env, info[1], &y) ||
      !ReadShape(env, info[2], info[3], y, &rows, &cols) || !ReadDouble(env, info[4], &groups) ||
      !ReadDouble(env, info[5], &keep)) {
    if (!env.IsExceptionPending()) {
      Napi::TypeError::New(env, "radiusForKeep(projection, y, rows, cols, groups, keep): bad arguments")
          .ThrowAsJavaScriptException();
    }
    return env.Undefined();
  }
  if (!(projection >= 0 && projection <= 3) || !(keep >= 0 && keep <= 9007199254740991.0)) {
    Napi::RangeError::New(env, "radiusForKeep: projection or keep out of range").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const auto p = static_cast<bp::KeepProjection>(static_cast<int>(projection));
  const bp::Groups g = groups == 1 ? bp::Groups::kRows : bp::Groups::kColumns;
  const auto k = static_cast<std::size_t>(keep);
  double r = 0.0;
  const bp::Status st =
      y.is_double
          ? bp::radius_for_keep(bp::MatrixRef<double>{static_cast<const double*>(y.data), rows, cols}, g, p, k, &r)
          : bp::radius_for_keep(bp::MatrixRef<float>{static_cast<const float*>(y.data), rows, cols}, g, p, k, &r);
  if (st != bp::Status::kOk) return Napi::Number::New(env, -static_cast<double>(st));
  return Napi::Number::New(env, r);
}

}  // namespace

void RegisterRadiusForKeep(Napi::Env env, Napi::Object exports) {
  exports.Set("radiusForKeep", Napi::Function::New(env, RadiusForKeep, "radiusForKeep"));
}

}  // namespace bpaddon
