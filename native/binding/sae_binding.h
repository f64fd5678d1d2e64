// The SAE trainer's entry point: saeTrainFold, one fold of the supervised
// autoencoder on the libuv thread pool, with per-epoch progress and a cancel
// flag. Marshalling only; native/core/sae does the work.
#pragma once

#include <napi.h>

namespace bpaddon {

void RegisterSae(Napi::Env env, Napi::Object exports);

}  // namespace bpaddon
