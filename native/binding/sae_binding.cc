// saeTrainFold(config, x, samples, features, y, train, select, test, outEncoder, flag, onEpoch)
//   -> Promise<{ status, reportedPhase, bestEpoch, bestAccuracy, lastAccuracy,
//                zeroColumnsAfterProjection, zeroColumns, eta, epochs }>
// status is 0 or -code (1 non-finite, 2 out of memory, 3 aborted). epochs is a
// Float64Array of 6 numbers per epoch: phase, epoch, train loss, train
// accuracy, test accuracy, select accuracy. outEncoder (x's type, the encoder's
// parameter count) receives W1, b1, W2, b2 of the kept epoch on success.
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

bool ReadConfig(Napi::Env env, Napi::Value v, bp::sae::TrainConfig* c) {
  if (!v.IsObject()) return Fail(env, "config must be an object");
  Napi::Object o = v.As<Napi::Object>();
  double proj = 0, seed = 0, keep = -1, choice = 0;
  if (!ReadCount(env, o, "hidden", 1, &c->hidden) || !ReadCount(env, o, "classes", 1, &c->classes) ||
      !ReadCount(env, o, "epochs1", 0, &c->epochs1) || !ReadCount(env, o, "epochs2", 0, &c->epochs2) ||
      !ReadCount(env, o, "batch", 1, &c->batch) || !ReadNumber(env, o, "lr", &c->adam.lr) ||
      !ReadNumber(env, o, "beta1", &c->adam.beta1) || !ReadNumber(env, o, "beta2", &c->adam.beta2) ||
      !ReadNumber(env, o, "eps", &c->adam.eps) || !ReadNumber(env, o, "lambda", &c->lambda) ||
      !ReadNumber(env, o, "smoothBeta", &c->smooth_beta) || !ReadNumber(env, o, "projection", &proj) ||
      !ReadNumber(env, o, "eta", &c->eta) || !ReadNumber(env, o, "pruneBelow", &c->prune_below) ||
      !ReadNumber(env, o, "maskBelow", &c->mask_below) || !ReadNumber(env, o, "zeroBelow", &c->zero_below) ||
      !ReadNumber(env, o, "seed", &seed) || !ReadNumber(env, o, "keep", &keep) ||
      !ReadNumber(env, o, "choice", &choice)) {
    return false;
  }
  if (!(keep >= -1 && keep <= 2147483647.0 && keep == static_cast<double>(static_cast<long long>(keep)))) {
    return Fail(env, "config.keep must be -1 or an integer >= 0", true);
  }
  if (!(choice == 0 || choice == 1 || choice == 2)) return Fail(env, "config.choice must be 0, 1 or 2", true);
  if (keep >= 0 && proj == 0) return Fail(env, "config.keep needs a projection", true);
  c->keep = static_cast<long long>(keep);
  c->choice = static_cast<bp::sae::EpochChoice>(static_cast<int>(choice));
  if (!(proj >= 0 && proj <= 4 && proj == static_cast<double>(static_cast<int>(proj)))) {
    return Fail(env, "config.projection must be 0..4", true);
  }
  if (!(c->eta >= 0.0) || c->eta - c->eta != 0.0) return Fail(env, "config.eta must be finite and >= 0", true);
  if (!(c->smooth_beta > 0.0)) return Fail(env, "config.smoothBeta must be > 0", true);
  if (!(seed >= 0 && seed <= 4294967295.0 && seed == static_cast<double>(static_cast<std::uint32_t>(seed)))) {
    return Fail(env, "config.seed must be an integer in [0, 2^32 - 1]", true);
  }
  c->projection = static_cast<bp::sae::ProjectionKind>(static_cast<int>(proj));
  c->seed = static_cast<std::uint32_t>(seed);
  c->targets.bias = o.Get("projectBias").ToBoolean().Value();
  c->targets.w2 = o.Get("projectW2").ToBoolean().Value();
  return true;
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
        epochs[6 * i + 5] = r.select_accuracy;
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
  Napi::Int32Array y, train, select, test, flag;
  if (info.Length() < 11) {
    Fail(env, "expected (config, x, samples, features, y, train, select, test, outEncoder, flag, onEpoch)");
    return env.Undefined();
  }
  if (!ReadConfig(env, info[0], &cfg) || !ReadFloatArray(env, info[1], &x) ||
      !ReadShape(env, info[2], info[3], x, &samples, &features) || !ReadInt32Array(env, info[4], "y", &y) ||
      !ReadInt32Array(env, info[5], "train", &train) || !ReadInt32Array(env, info[6], "select", &select) ||
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
  if (!AllBelow(train, samples) || !AllBelow(select, samples) || !AllBelow(test, samples)) {
    Fail(env, "train, select and test indices must be in [0, samples)", true);
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
  for (std::uint32_t i = 0; i < 7; ++i) keep.Set(i, info[i == 0 ? 1 : (i + 3)]);  // x, y, train, select, test, outEncoder, flag
  const bp::sae::FoldIndices fold{train.Data(), train.ElementLength(), test.Data(), test.ElementLength(),
                                  select.Data(), select.ElementLength()};
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
  if (info.Length() < 8 || !ReadFloatArray(env, info[0], &x) || !ReadShape(env, info[1], info[2], x, &samples, &features) ||
      !ReadFloatArray(env, info[3], &enc) || !ReadDouble(env, info[4], &hidden) || !ReadDouble(env, info[5], &classes) ||
      !TypedArrayInfo(env, info[6], &type, &plen, &pdata) || type != napi_float64_array ||
      !ReadInt32Array(env, info[7], "outClass", &cls)) {
    if (!env.IsExceptionPending()) Fail(env, "saePredict(x, samples, features, encoder, hidden, classes, outProba, outClass): bad arguments");
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
      ? bp::sae::predict_encoder(s, static_cast<const double*>(enc.data), static_cast<const double*>(x.data), samples,
                                 proba, cls.Data())
      : bp::sae::predict_encoder(s, static_cast<const float*>(enc.data), static_cast<const float*>(x.data), samples,
                                 proba, cls.Data());
  return Napi::Number::New(env, -static_cast<double>(st));
}

}  // namespace

void RegisterSae(Napi::Env env, Napi::Object exports) {
  exports.Set("saeTrainFold", Napi::Function::New(env, TrainFold, "saeTrainFold"));
  exports.Set("saePredict", Napi::Function::New(env, Predict, "saePredict"));
}

}  // namespace bpaddon
