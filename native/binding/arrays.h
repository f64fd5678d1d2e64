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

// A Float32Array or Float64Array (any view, any backing store). Throws a
// TypeError and returns false for anything else.
inline bool ReadFloatArray(Napi::Env env, Napi::Value v, FloatView* out) {
  if (!v.IsTypedArray()) {
    Napi::TypeError::New(env, "expected a Float32Array or Float64Array").ThrowAsJavaScriptException();
    return false;
  }
  Napi::TypedArray ta = v.As<Napi::TypedArray>();
  switch (ta.TypedArrayType()) {
    case napi_float64_array: {
      Napi::Float64Array f = ta.As<Napi::Float64Array>();
      *out = {f.Data(), f.ElementLength(), true};
      return true;
    }
    case napi_float32_array: {
      Napi::Float32Array f = ta.As<Napi::Float32Array>();
      *out = {f.Data(), f.ElementLength(), false};
      return true;
    }
    default:
      Napi::TypeError::New(env, "expected a Float32Array or Float64Array").ThrowAsJavaScriptException();
      return false;
  }
}

// rows and cols as non-negative integers whose product is the array length.
inline bool ReadShape(Napi::Env env, Napi::Value r, Napi::Value c, const FloatView& y, std::size_t* rows,
                      std::size_t* cols) {
  if (!r.IsNumber() || !c.IsNumber()) {
    Napi::TypeError::New(env, "rows and cols must be numbers").ThrowAsJavaScriptException();
    return false;
  }
  double dr = r.As<Napi::Number>().DoubleValue(), dc = c.As<Napi::Number>().DoubleValue();
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
