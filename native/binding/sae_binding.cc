// saeTrainFold(config, x, samples, features, y, train, validation, test, outEncoder, flag, onEpoch)
//   -> Promise<{ status, reportedPhase, bestEpoch, bestAccuracy, lastAccuracy,
//                zeroColumnsAfterProjection, zeroColumns, eta, epochs }>
// status is 0 or -code (1 non-finite, 2 out of memory, 3 aborted). epochs is a
// Float64Array of 6 numbers per epoch: phase, epoch, train loss, train
// accuracy, test accuracy, validation accuracy. outEncoder (x's type, the encoder's
// parameter count) receives W1, b1, W2, b2 of the kept epoch on success.
// config: TrainConfig's fields under their option names (kFields below).
//
// saeDefaults() -> TrainConfig's defaults under the same names.
//
// saePredict(x, samples, features, encoder, hidden, classes, outProba, outClass)
//   -> 0 or -code: the encoder's class probabilities and classes, synchronously.
//
// lib/sae validates every user-facing value; what is checked here is what
// memory safety needs (types, lengths, indices and labels in range). The JS
// arrays are held by one persistent reference until the Promise settles, and
// lib/sae passes only private arrays nobody else can detach meanwhile.
#include "sae_binding.h"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "arrays.h"
#include "async_project.h"
#include "sae/predict.hpp"
#include "sae/trainer.hpp"

namespace bpaddon {

namespace {

bool Fail(Napi::Env env, const std::string& msg, bool range = false) {
  if (range) {
    Napi::RangeError::New(env, "saeTrainFold: " + msg).ThrowAsJavaScriptException();
  } else {
    Napi::TypeError::New(env, "saeTrainFold: " + msg).ThrowAsJavaScriptException();
  }
  return false;
}

bool ReadNumber(Napi::Env env, Napi::Object o, const char* key, double* out) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) return Fail(env, std::string("config.") + key + " must be a number");
  *out = v.As<Napi::Number>().DoubleValue();
  return true;
}

bool ReadCount(Napi::Env env, Napi::Object o, const char* key, std::size_t min, std::size_t* out) {
  double d = 0;
  if (!ReadNumber(env, o, key, &d)) return false;
  if (!(d >= static_cast<double>(min) && d <= 2147483647.0 && d == static_cast<double>(static_cast<std::int64_t>(d)))) {
    return Fail(env, std::string("config.") + key + " must be an integer >= " + std::to_string(min), true);
  }
  *out = static_cast<std::size_t>(d);
  return true;
}

// Every field of TrainConfig, under the name of its option in lib/sae
// (options.ts): the config object is read, and the defaults handed out, by
// this one table, so a name cannot drift between the layers.
struct ConfigField {
  const char* name;
  enum Kind { kCount, kReal, kFlag, kCode } kind;
  double min, max;  // inclusive bounds (integers for kCount and kCode)
  double (*get)(const bp::sae::TrainConfig&);
  void (*set)(bp::sae::TrainConfig&, double);
};

#define BP_FIELD(js, member, kind, lo, hi)                                                                      \
  ConfigField {                                                                                                 \
    js, ConfigField::kind, lo, hi, [](const bp::sae::TrainConfig& c) { return static_cast<double>(c.member); }, \
        [](bp::sae::TrainConfig& c, double v) { c.member = static_cast<decltype(c.member)>(v); }                \
  }
#define BP_ENUM_FIELD(js, member, type, hi)                                                            \
  ConfigField {                                                                                        \
    js, ConfigField::kCode, 0, hi,                                                                     \
        [](const bp::sae::TrainConfig& c) { return static_cast<double>(static_cast<int>(c.member)); }, \
        [](bp::sae::TrainConfig& c, double v) { c.member = static_cast<type>(static_cast<int>(v)); }   \
  }

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kMaxCount = 2147483647.0;

const ConfigField kFields[] = {
    BP_FIELD("hidden", hidden, kCount, 1, kMaxCount),
    BP_FIELD("classes", classes, kCount, 1, kMaxCount),
    BP_FIELD("phase1Epochs", phase1_epochs, kCount, 0, kMaxCount),
    BP_FIELD("phase2Epochs", phase2_epochs, kCount, 0, kMaxCount),
    BP_FIELD("batchSize", batch_size, kCount, 1, kMaxCount),
    BP_FIELD("learningRate", learning_rate, kReal, 0, kInf),
    BP_FIELD("beta1", beta1, kReal, 0, 1),
    BP_FIELD("beta2", beta2, kReal, 0, 1),
    BP_FIELD("adamEps", adam_eps, kReal, 0, kInf),
    BP_FIELD("lossLambda", loss_lambda, kReal, 0, kInf),
    BP_FIELD("smoothL1Beta", smooth_l1_beta, kReal, 0, kInf),
    BP_FIELD("eta", eta, kReal, 0, kInf),
    BP_FIELD("keep", keep, kCount, -1, kMaxCount),
    BP_ENUM_FIELD("epochSelection", epoch_selection, bp::sae::EpochSelection, 2),
    BP_FIELD("projectBias", project_bias, kFlag, 0, 1),
    BP_FIELD("projectW2", project_w2, kFlag, 0, 1),
    BP_FIELD("pruneBelow", prune_below, kReal, 0, kInf),
    BP_FIELD("maskBelow", mask_below, kReal, 0, kInf),
    BP_FIELD("zeroBelow", zero_below, kReal, 0, kInf),
    BP_FIELD("seed", seed, kCount, 0, 4294967295.0),
};

#undef BP_FIELD
#undef BP_ENUM_FIELD

bool ReadConfig(Napi::Env env, Napi::Value v, bp::sae::TrainConfig* c) {
  if (!v.IsObject()) return Fail(env, "config must be an object");
  Napi::Object o = v.As<Napi::Object>();
  for (const ConfigField& f : kFields) {
    Napi::Value x = o.Get(f.name);
    double d = 0;
    if (f.kind == ConfigField::kFlag) {
      if (!x.IsBoolean()) return Fail(env, std::string("config.") + f.name + " must be a boolean");
      d = x.As<Napi::Boolean>().Value() ? 1 : 0;
    } else {
      if (!x.IsNumber()) return Fail(env, std::string("config.") + f.name + " must be a number");
      d = x.As<Napi::Number>().DoubleValue();
      const bool integral = f.kind == ConfigField::kCount || f.kind == ConfigField::kCode;
      if (!(d >= f.min && d <= f.max) || (integral && d != static_cast<double>(static_cast<std::int64_t>(d)))) {
        return Fail(env, std::string("config.") + f.name + " is out of range", true);
      }
    }
    f.set(*c, d);
  }
  // projection: null (the baseline) or a number of exports.operations.
  const Napi::Value proj = o.Get("projection");
  bp::Operation op = bp::Operation::kBilevelL1Inf;
  if (proj.IsNull()) {
    c->projection = std::nullopt;
  } else if (proj.IsNumber() && bp::operation_from_number(proj.As<Napi::Number>().DoubleValue(), &op)) {
    c->projection = op;
  } else {
    return Fail(env, "config.projection must be null or a number of exports.operations", true);
  }
  if (c->keep >= 0 && !c->projection.has_value()) {
    return Fail(env, "config.keep needs a projection", true);
  }
  return true;
}

// saeDefaults() -> the TrainConfig defaults, by option name (projection as a
// number of exports.operations or null, epochSelection as its code).
Napi::Value Defaults(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const bp::sae::TrainConfig d;
  Napi::Object o = Napi::Object::New(env);
  for (const ConfigField& f : kFields) {
    if (f.kind == ConfigField::kFlag) {
      o.Set(f.name, Napi::Boolean::New(env, f.get(d) != 0));
    } else {
      o.Set(f.name, Napi::Number::New(env, f.get(d)));
    }
  }
  o.Set("projection", d.projection.has_value()
                          ? Napi::Number::New(env, static_cast<double>(static_cast<int>(*d.projection)))
                          : env.Null());
  return o;
}

bool ReadInt32Array(Napi::Env env, Napi::Value v, const char* name, Napi::Int32Array* out) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    return Fail(env, std::string(name) + " must be an Int32Array");
  }
  *out = v.As<Napi::Int32Array>();
  return true;
}

bool AllBelow(const Napi::Int32Array& a, std::size_t bound) {
  const std::int32_t* p = a.Data();
  for (std::size_t i = 0; i < a.ElementLength(); ++i) {
    if (p[i] < 0 || static_cast<std::size_t>(p[i]) >= bound) return false;
  }
  return true;
}

template <class T>
class SaeWorker : public Napi::AsyncProgressQueueWorker<bp::sae::EpochRecord> {
 public:
  SaeWorker(Napi::Env env, const bp::sae::TrainConfig& cfg, bp::sae::Dataset<T> data, bp::sae::FoldIndices fold,
            T* out_encoder, Napi::Array keep, const std::int32_t* flag, Napi::Value on_epoch)
      : Napi::AsyncProgressQueueWorker<bp::sae::EpochRecord>(env, "bilevel-projection:saeTrainFold"),
        deferred_(Napi::Promise::Deferred::New(env)),
        cfg_(cfg),
        data_(data),
        fold_(fold),
        out_encoder_(out_encoder),
        keep_(Napi::Persistent(static_cast<Napi::Object>(keep))),
        flag_(flag) {
    if (on_epoch.IsFunction()) on_epoch_ = Napi::Persistent(on_epoch.As<Napi::Function>());
  }

  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void Execute(const ExecutionProgress& progress) override {
    if (PollFlag(flag_)) {  // aborted while queued
      status_ = bp::Status::kAborted;
      return;
    }
    bp::sae::EpochObserver observer{
        [](void* ctx, const bp::sae::EpochRecord& r) { static_cast<const ExecutionProgress*>(ctx)->Send(&r, 1); },
        const_cast<ExecutionProgress*>(&progress)};
    status_ = bp::sae::train_fold(data_, fold_, cfg_, &result_, bp::StopToken{&PollFlag, flag_}, observer);
  }

  void OnProgress(const bp::sae::EpochRecord* r, size_t count) override {
    if (on_epoch_.IsEmpty()) return;
    Napi::Env env = Env();
    for (size_t i = 0; i < count; ++i) {
      on_epoch_.Call({Napi::Number::New(env, r[i].phase), Napi::Number::New(env, static_cast<double>(r[i].epoch)),
                      Napi::Number::New(env, r[i].train_loss), Napi::Number::New(env, r[i].train_accuracy),
                      Napi::Number::New(env, r[i].test_accuracy)});
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object o = Napi::Object::New(env);
    o.Set("status", Napi::Number::New(env, -static_cast<double>(status_)));
    if (status_ == bp::Status::kOk) {
      std::copy(result_.best_encoder.begin(), result_.best_encoder.end(), out_encoder_);
      o.Set("eta", Napi::Number::New(env, result_.eta));
      o.Set("reportedPhase", Napi::Number::New(env, result_.reported_phase));
      o.Set("bestEpoch", Napi::Number::New(env, static_cast<double>(result_.best_epoch)));
      o.Set("bestAccuracy", Napi::Number::New(env, result_.best_accuracy));
      o.Set("lastAccuracy", Napi::Number::New(env, result_.last_accuracy));
      o.Set("zeroColumnsAfterProjection",
            Napi::Number::New(env, static_cast<double>(result_.zero_columns_after_projection)));
      o.Set("zeroColumns", Napi::Number::New(env, static_cast<double>(result_.zero_columns)));
      Napi::Float64Array epochs = Napi::Float64Array::New(env, 6 * result_.epochs.size());
      for (std::size_t i = 0; i < result_.epochs.size(); ++i) {
        const bp::sae::EpochRecord& r = result_.epochs[i];
        epochs[6 * i] = r.phase;
        epochs[6 * i + 1] = static_cast<double>(r.epoch);
        epochs[6 * i + 2] = r.train_loss;
        epochs[6 * i + 3] = r.train_accuracy;
        epochs[6 * i + 4] = r.test_accuracy;
        epochs[6 * i + 5] = r.validation_accuracy;
      }
      o.Set("epochs", epochs);
    }
    deferred_.Resolve(o);
  }

  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  bp::sae::TrainConfig cfg_;
  bp::sae::Dataset<T> data_;
  bp::sae::FoldIndices fold_;
  T* out_encoder_;
  Napi::ObjectReference keep_;
  Napi::FunctionReference on_epoch_;
  const std::int32_t* flag_;
  bp::Status status_ = bp::Status::kOk;
  bp::sae::FoldResult<T> result_;
};

Napi::Value TrainFold(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bp::sae::TrainConfig cfg;
  FloatView x, w1;
  std::size_t samples = 0, features = 0;
  Napi::Int32Array y, train, validation, test, flag;
  if (info.Length() < 11) {
    Fail(env, "expected (config, x, samples, features, y, train, validation, test, outEncoder, flag, onEpoch)");
    return env.Undefined();
  }
  if (!ReadConfig(env, info[0], &cfg) || !ReadFloatArray(env, info[1], &x) ||
      !ReadShape(env, info[2], info[3], x, &samples, &features) || !ReadInt32Array(env, info[4], "y", &y) ||
      !ReadInt32Array(env, info[5], "train", &train) || !ReadInt32Array(env, info[6], "validation", &validation) ||
      !ReadInt32Array(env, info[7], "test", &test) || !ReadFloatArray(env, info[8], &w1) ||
      !ReadInt32Array(env, info[9], "flag", &flag)) {
    return env.Undefined();
  }
  if (y.ElementLength() != samples) {
    Fail(env, "y must have one label per sample", true);
    return env.Undefined();
  }
  if (!AllBelow(y, cfg.classes)) {
    Fail(env, "every label must be in [0, config.classes)", true);
    return env.Undefined();
  }
  if (!AllBelow(train, samples) || !AllBelow(validation, samples) || !AllBelow(test, samples)) {
    Fail(env, "train, validation and test indices must be in [0, samples)", true);
    return env.Undefined();
  }
  if (w1.is_double != x.is_double ||
      w1.length != bp::sae::encoder_param_count(bp::sae::Shape{features, cfg.hidden, cfg.classes})) {
    Fail(env, "outEncoder must have x's type and the encoder's parameter count", true);
    return env.Undefined();
  }
  if (flag.ElementLength() < 1) {
    Fail(env, "flag must have length >= 1", true);
    return env.Undefined();
  }
  Napi::Array keep = Napi::Array::New(env, 7);
  for (std::uint32_t i = 0; i < 7; ++i)
    keep.Set(i, info[i == 0 ? 1 : (i + 3)]);  // x, y, train, validation, test, outEncoder, flag
  const bp::sae::FoldIndices fold{train.Data(),         train.ElementLength(), test.Data(),
                                  test.ElementLength(), validation.Data(),     validation.ElementLength()};
  if (x.is_double) {
    auto* wk = new SaeWorker<double>(
        env, cfg, bp::sae::Dataset<double>{static_cast<const double*>(x.data), samples, features, y.Data()}, fold,
        static_cast<double*>(w1.data), keep, flag.Data(), info[10]);
    Napi::Promise p = wk->Promise();
    wk->Queue();
    return p;
  }
  auto* wk = new SaeWorker<float>(
      env, cfg, bp::sae::Dataset<float>{static_cast<const float*>(x.data), samples, features, y.Data()}, fold,
      static_cast<float*>(w1.data), keep, flag.Data(), info[10]);
  Napi::Promise p = wk->Promise();
  wk->Queue();
  return p;
}

Napi::Value Predict(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  FloatView x, enc;
  std::size_t samples = 0, features = 0;
  double hidden = 0, classes = 0;
  Napi::Int32Array cls;
  napi_typedarray_type type;
  std::size_t plen = 0;
  void* pdata = nullptr;
  if (info.Length() < 8 || !ReadFloatArray(env, info[0], &x) ||
      !ReadShape(env, info[1], info[2], x, &samples, &features) || !ReadFloatArray(env, info[3], &enc) ||
      !ReadDouble(env, info[4], &hidden) || !ReadDouble(env, info[5], &classes) ||
      !TypedArrayInfo(env, info[6], &type, &plen, &pdata) || type != napi_float64_array ||
      !ReadInt32Array(env, info[7], "outClass", &cls)) {
    if (!env.IsExceptionPending())
      Fail(env, "saePredict(x, samples, features, encoder, hidden, classes, outProba, outClass): bad arguments");
    return env.Undefined();
  }
  if (!(hidden >= 1 && hidden <= 2147483647.0 && classes >= 1 && classes <= 2147483647.0)) {
    Fail(env, "saePredict: hidden and classes must be >= 1", true);
    return env.Undefined();
  }
  const bp::sae::Shape s{features, static_cast<std::size_t>(hidden), static_cast<std::size_t>(classes)};
  if (enc.is_double != x.is_double || enc.length != bp::sae::encoder_param_count(s) || plen != samples * s.classes ||
      cls.ElementLength() != samples) {
    Fail(env, "saePredict: encoder, outProba or outClass has the wrong type or length", true);
    return env.Undefined();
  }
  auto* proba = static_cast<double*>(pdata);
  const bp::Status st = x.is_double
                            ? bp::sae::predict_encoder(s, static_cast<const double*>(enc.data),
                                                       static_cast<const double*>(x.data), samples, proba, cls.Data())
                            : bp::sae::predict_encoder(s, static_cast<const float*>(enc.data),
                                                       static_cast<const float*>(x.data), samples, proba, cls.Data());
  return Napi::Number::New(env, -static_cast<double>(st));
}

}  // namespace

void RegisterSae(Napi::Env env, Napi::Object exports) {
  exports.Set("saeTrainFold", Napi::Function::New(env, TrainFold, "saeTrainFold"));
  exports.Set("saePredict", Napi::Function::New(env, Predict, "saePredict"));
  exports.Set("saeDefaults", Napi::Function::New(env, Defaults, "saeDefaults"));
}

}  // namespace bpaddon
