#include "native_similarity_join.h"

#include <cstring>
#include <string>

#include "native_window_engine.h"

namespace sageflow_node {
namespace {

double numberField(Napi::Object object, const char* name) {
  Napi::Value value = object.Get(name);
  return value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : 0;
}

Napi::Value joinResult(Napi::Env env, const sageflow::JoinOutput& out) {
  if (out.pairs.empty() && out.released.empty() && out.late.empty()) return env.Null();
  const size_t n = out.pairs.size();
  Napi::Object result = Napi::Object::New(env);
  Napi::Float64Array starts = Napi::Float64Array::New(env, n);
  Napi::Float64Array ends = Napi::Float64Array::New(env, n);
  Napi::Uint32Array left = Napi::Uint32Array::New(env, n);
  Napi::Uint32Array right = Napi::Uint32Array::New(env, n);
  Napi::Float64Array scores = Napi::Float64Array::New(env, n);
  for (size_t i = 0; i < n; ++i) {
    const sageflow::JoinPair& pair = out.pairs[i];
    starts[i] = static_cast<double>(pair.start);
    ends[i] = static_cast<double>(pair.end);
    left[i] = pair.left;
    right[i] = pair.right;
    scores[i] = pair.score;
  }
  Napi::Uint32Array released = Napi::Uint32Array::New(env, out.released.size());
  if (!out.released.empty()) std::memcpy(released.Data(), out.released.data(), out.released.size() * sizeof(uint32_t));
  Napi::Int32Array late = Napi::Int32Array::New(env, out.late.size());
  if (!out.late.empty()) std::memcpy(late.Data(), out.late.data(), out.late.size() * sizeof(int32_t));
  result.Set("pairs", Napi::Number::New(env, static_cast<double>(n)));
  result.Set("starts", starts);
  result.Set("ends", ends);
  result.Set("left", left);
  result.Set("right", right);
  result.Set("scores", scores);
  result.Set("released", released);
  result.Set("late", late);
  return result;
}

}  // namespace

Napi::Function NativeSimilarityJoin::Define(Napi::Env env) {
  return DefineClass(env, "NativeSimilarityJoin",
                     {
                         InstanceMethod<&NativeSimilarityJoin::ProcessBatch>("processBatch"),
                         InstanceMethod<&NativeSimilarityJoin::ProcessWatermark>("processWatermark"),
                         InstanceAccessor<&NativeSimilarityJoin::GetWindowCount>("windowCount"),
                     });
}

// new NativeSimilarityJoin({ size, slide, offset, threshold })
NativeSimilarityJoin::NativeSimilarityJoin(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<NativeSimilarityJoin>(info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) {
    throwInvalid(env, "expected a configuration object");
    return;
  }
  Napi::Object object = info[0].As<Napi::Object>();
  sageflow::JoinConfig config;
  config.size = static_cast<int64_t>(numberField(object, "size"));
  config.slide = static_cast<int64_t>(numberField(object, "slide"));
  config.offset = static_cast<int64_t>(numberField(object, "offset"));
  config.threshold = numberField(object, "threshold");
  try {
    join_ = std::make_unique<sageflow::SimilarityJoin>(config);
  } catch (const std::exception& error) {
    throwInvalid(env, error.what());
  }
}

// processBatch(side, n, firstId, timestamps: Float64Array, vectors: Float32Array, dimension) -> result | null
Napi::Value NativeSimilarityJoin::ProcessBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!join_ || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsNumber() || !info[5].IsNumber() ||
      !info[3].IsTypedArray() || info[3].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
      !info[4].IsTypedArray() || info[4].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throwInvalid(env, "processBatch(side, n, firstId, timestamps: Float64Array, vectors: Float32Array, dimension)");
    return env.Undefined();
  }
  const int side = info[0].As<Napi::Number>().Int32Value();
  const size_t n = static_cast<size_t>(info[1].As<Napi::Number>().Int64Value());
  const uint32_t firstId = info[2].As<Napi::Number>().Uint32Value();
  const size_t dimension = static_cast<size_t>(info[5].As<Napi::Number>().Int64Value());
  Napi::Float64Array timestamps = info[3].As<Napi::Float64Array>();
  Napi::Float32Array vectors = info[4].As<Napi::Float32Array>();
  if (timestamps.ElementLength() < n || vectors.ElementLength() < n * dimension || (n > 0 && dimension == 0)) {
    throwInvalid(env, "processBatch: timestamps or vectors are shorter than the batch");
    return env.Undefined();
  }
  out_.clear();
  try {
    join_->processBatch(side, n, firstId, timestamps.Data(), vectors.Data(), dimension, out_);
  } catch (const std::exception& error) {
    throwInvalid(env, error.what());
    return env.Undefined();
  }
  return joinResult(env, out_);
}

Napi::Value NativeSimilarityJoin::ProcessWatermark(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t watermark = 0;
  if (!join_ || !readWatermark(env, info[0], watermark)) return env.Undefined();
  out_.clear();
  join_->processWatermark(watermark, out_);
  return joinResult(env, out_);
}

Napi::Value NativeSimilarityJoin::GetWindowCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), join_ ? static_cast<double>(join_->windowCount()) : 0);
}

}  // namespace sageflow_node
