// NativeWindowEngine: the JavaScript class over sageflow::WindowEngine. Batches cross as typed arrays.
#pragma once

#include <napi.h>

#include <memory>

#include "sageflow/window_engine.h"

namespace sageflow_node {

class NativeWindowEngine : public Napi::ObjectWrap<NativeWindowEngine> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit NativeWindowEngine(const Napi::CallbackInfo& info);

 private:
  Napi::Value SetKeyNames(const Napi::CallbackInfo& info);
  Napi::Value ProcessBatch(const Napi::CallbackInfo& info);
  Napi::Value ProcessWatermark(const Napi::CallbackInfo& info);
  Napi::Value GetWindowCount(const Napi::CallbackInfo& info);
  Napi::Value GetKeyCount(const Napi::CallbackInfo& info);
  Napi::Value GetWatermark(const Napi::CallbackInfo& info);

  std::unique_ptr<sageflow::WindowEngine> engine_;
  sageflow::BatchOutput out_;
};

/// Throws a JavaScript TypeError with code SAGE_FLOW_INVALID (exceptions are off: callers return after).
void throwInvalid(Napi::Env env, const std::string& message);

/// Reads a watermark argument, clamped to [kMinWatermark, kMaxWatermark]; false (a JS error thrown) when it
/// is not a number or NaN.
bool readWatermark(Napi::Env env, Napi::Value value, int64_t& watermark);

/// The result object of a call, or null when nothing fired, was late, was released or was refused.
Napi::Value toResult(Napi::Env env, const sageflow::BatchOutput& out, bool vectorResults);

}  // namespace sageflow_node
