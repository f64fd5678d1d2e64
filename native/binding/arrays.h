// Reading typed arrays and shapes out of JavaScript values, in place: the
// views point at the caller's memory, nothing is copied.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>

namespace bpaddon {

struct FloatView {
  void* data = nullptr;
  std::size_t length = 0;
  bool is_double = false;
};

// Type, length and data pointer of a typed array in one Node-API call (the
// per-call cost of the binding is mostly such calls). False, with no
// exception pending, if v is not a typed array.
inline bool TypedArrayInfo(Napi::Env env, Napi::Value v, napi_typedarray_type* type, std::size_t* length, void** data) {
  napi_value buffer;
  std::size_t offset;
  return napi_get_typedarray_info(env, v, type, length, data, &buffer, &offset) == napi_ok;
}

// A Float32Array or Float64Array (any view, any backing store). Throws a
// TypeError and returns false for anything else.
inline bool ReadFloatArray(Napi::Env env, Napi::Value v, FloatView* out) {
  napi_typedarray_type type;
  if (TypedArrayInfo(env, v, &type, &out->length, &out->data) &&
      (type == napi_float64_array || type == napi_float32_array)) {
    out->is_double = type == napi_float64_array;
    if (out->length == 0) out->data = nullptr;  // a detached or empty view: never read
    return true;
  }
  Napi::TypeError::New(env, "expected a Float32Array or Float64Array").ThrowAsJavaScriptException();
  return false;
}

// A JavaScript number as a double, in one Node-API call.
inline bool ReadDouble(Napi::Env env, Napi::Value v, double* out) {
  return napi_get_value_double(env, v, out) == napi_ok;
}

// rows and cols as non-negative integers whose product is the array length.
inline bool ReadShape(Napi::Env env, Napi::Value r, Napi::Value c, const FloatView& y, std::size_t* rows,
                      std::size_t* cols) {
  double dr = 0, dc = 0;
  if (!ReadDouble(env, r, &dr) || !ReadDouble(env, c, &dc)) {
    Napi::TypeError::New(env, "rows and cols must be numbers").ThrowAsJavaScriptException();
    return false;
  }
  const double limit = 9007199254740991.0;  // 2^53 - 1
  if (!(dr >= 0 && dr <= limit && dr == static_cast<double>(static_cast<std::uint64_t>(dr))) ||
      !(dc >= 0 && dc <= limit && dc == static_cast<double>(static_cast<std::uint64_t>(dc)))) {
    Napi::RangeError::New(env, "rows and cols must be non-negative integers").ThrowAsJavaScriptException();
    return false;
  }
  *rows = static_cast<std::size_t>(dr);
  *cols = static_cast<std::size_t>(dc);
  // The product must equal the length without overflowing size_t.
  if (*rows != 0 && *cols > y.length / *rows) {
    Napi::RangeError::New(env, "rows * cols does not match the array length").ThrowAsJavaScriptException();
    return false;
  }
  if (*rows * *cols != y.length) {
    Napi::RangeError::New(env, "rows * cols does not match the array length").ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

// out must have the input's element type and length, and either be the input
// itself (in place) or not overlap it at all: a partial overlap would let the
// write pass read entries it has already overwritten.
inline bool SameShapeNoPartialOverlap(Napi::Env env, const FloatView& in, const FloatView& out) {
  if (in.is_double != out.is_double || in.length != out.length) {
    Napi::TypeError::New(env, "out must have the input's type and length").ThrowAsJavaScriptException();
    return false;
  }
  const std::size_t bytes = in.length * (in.is_double ? 8 : 4);
  const auto a = reinterpret_cast<std::uintptr_t>(in.data), b = reinterpret_cast<std::uintptr_t>(out.data);
  if (a != b && bytes > 0 && a < b + bytes && b < a + bytes) {
    Napi::RangeError::New(env, "out overlaps the input without being the same memory").ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

}  // namespace bpaddon
