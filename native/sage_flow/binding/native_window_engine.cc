#include "native_window_engine.h"

#include <cstring>
#include <string>

namespace sageflow_node {
namespace {

bool readInteger(Napi::Env env, Napi::Object object, const char* name, int64_t& out, bool required) {
  Napi::Value value = object.Get(name);
  if (value.IsUndefined() && !required) return true;
  if (!value.IsNumber()) {
    throwInvalid(env, std::string(name) + " must be a number");
    return false;
  }
  const double number = value.As<Napi::Number>().DoubleValue();
  if (!(number == number) || number != static_cast<double>(static_cast<int64_t>(number))) {
    throwInvalid(env, std::string(name) + " must be an integer");
    return false;
  }
  out = static_cast<int64_t>(number);
  return true;
}

bool parseConfig(Napi::Env env, Napi::Value input, sageflow::EngineConfig& config) {
  if (!input.IsObject()) {
    throwInvalid(env, "expected a configuration object");
    return false;
  }
  Napi::Object object = input.As<Napi::Object>();
  const std::string assigner = object.Get("assigner").ToString().Utf8Value();
  if (assigner == "tumbling") config.assigner = sageflow::AssignerKind::Tumbling;
  else if (assigner == "sliding") config.assigner = sageflow::AssignerKind::Sliding;
  else if (assigner == "session") config.assigner = sageflow::AssignerKind::Session;
  else {
    throwInvalid(env, "assigner must be 'tumbling', 'sliding' or 'session', got " + assigner);
    return false;
  }
  const std::string aggregate = object.Get("aggregate").ToString().Utf8Value();
  static const std::pair<const char*, sageflow::AggregateKind> kinds[] = {
      {"count", sageflow::AggregateKind::Count},         {"sum", sageflow::AggregateKind::Sum},
      {"min", sageflow::AggregateKind::Min},             {"max", sageflow::AggregateKind::Max},
      {"mean", sageflow::AggregateKind::Mean},           {"vectorSum", sageflow::AggregateKind::VectorSum},
      {"vectorMean", sageflow::AggregateKind::VectorMean}, {"topK", sageflow::AggregateKind::TopK}};
  bool known = false;
  for (const auto& [name, kind] : kinds) {
    if (aggregate == name) {
      config.aggregate = kind;
      known = true;
    }
  }
  if (!known) {
    throwInvalid(env, "unknown aggregate " + aggregate);
    return false;
  }
  int64_t k = 0;
  if (!readInteger(env, object, "size", config.size, false) || !readInteger(env, object, "slide", config.slide, false) ||
      !readInteger(env, object, "offset", config.offset, false) || !readInteger(env, object, "gap", config.gap, false) ||
      !readInteger(env, object, "allowedLateness", config.allowedLateness, false) ||
      !readInteger(env, object, "k", k, false)) {
    return false;
  }
  config.k = static_cast<int32_t>(k);
  Napi::Value query = object.Get("query");
  if (!query.IsUndefined()) {
    if (!query.IsTypedArray() || query.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
      throwInvalid(env, "query must be a Float32Array");
      return false;
    }
    Napi::Float32Array array = query.As<Napi::Float32Array>();
    config.query.assign(array.Data(), array.Data() + array.ElementLength());
  }
  return true;
}

template <typename T, typename Array>
Napi::Value copyArray(Napi::Env env, const T* data, size_t n) {
  Array array = Array::New(env, n);
  if (n > 0) std::memcpy(array.Data(), data, n * sizeof(T));
  return array;
}

// A typed array argument of the given type (or null/undefined when optional); nullptr data when absent.
template <typename Array>
bool typedArg(Napi::Env env, Napi::Value value, napi_typedarray_type type, const char* name, size_t minLength,
              bool optional, Array& out, bool& present) {
  present = false;
  if ((value.IsNull() || value.IsUndefined()) && optional) return true;
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != type) {
    throwInvalid(env, std::string(name) + " has the wrong type");
    return false;
  }
  out = value.As<Array>();
  if (out.ElementLength() < minLength) {
    throwInvalid(env, std::string(name) + " is shorter than the batch");
    return false;
  }
  present = true;
  return true;
}

}  // namespace

void throwInvalid(Napi::Env env, const std::string& message) {
  Napi::Error error = Napi::TypeError::New(env, message);
  error.Set("code", Napi::String::New(env, "SAGE_FLOW_INVALID"));
  error.ThrowAsJavaScriptException();
}

bool readWatermark(Napi::Env env, Napi::Value value, int64_t& watermark) {
  const double number = value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : 0;
  if (!value.IsNumber() || number != number) {
    throwInvalid(env, "processWatermark(watermark) expects a number, not NaN");
    return false;
  }
  watermark = sageflow::kMaxWatermark;
  if (number < static_cast<double>(sageflow::kMinWatermark)) watermark = sageflow::kMinWatermark;
  else if (number < static_cast<double>(sageflow::kMaxWatermark)) watermark = static_cast<int64_t>(number);
  return true;
}

// Only what has content is created: a result comes back for most watermarks of a busy job (session windows
// close all the time), and every typed array is an ArrayBuffer that the garbage collector has to track.
// Vector and top-k fields only for the aggregates that give them; `late`, `releasedKeys` and the error
// only when there are any.
Napi::Value toResult(Napi::Env env, const sageflow::BatchOutput& out, bool vectorResults) {
  if (out.fired.empty() && out.late.empty() && out.releasedKeys.empty() && out.errorIndex < 0) return env.Null();
  const size_t n = out.fired.size();
  Napi::Object result = Napi::Object::New(env);
  result.Set("fired", Napi::Number::New(env, static_cast<double>(n)));
  if (n > 0) {
    Napi::Int32Array keys = Napi::Int32Array::New(env, n);
    Napi::Float64Array starts = Napi::Float64Array::New(env, n);
    Napi::Float64Array ends = Napi::Float64Array::New(env, n);
    Napi::Float64Array values = Napi::Float64Array::New(env, n);
    // Offsets and lengths into `vectors` and `scores`: four Uint32Arrays, vector and top-k aggregates only.
    Napi::Uint32Array parts[4];
    if (vectorResults) {
      for (Napi::Uint32Array& part : parts) part = Napi::Uint32Array::New(env, n);
    }
    for (size_t i = 0; i < n; ++i) {
      const sageflow::Fired& fired = out.fired[i];
      keys[i] = fired.key;
      starts[i] = static_cast<double>(fired.start);
      ends[i] = static_cast<double>(fired.end);
      values[i] = fired.value;
      if (!vectorResults) continue;
      parts[0][i] = fired.vectorOffset;
      parts[1][i] = fired.vectorLength;
      parts[2][i] = fired.itemOffset;
      parts[3][i] = fired.itemCount;
    }
    result.Set("keys", keys);
    result.Set("starts", starts);
    result.Set("ends", ends);
    result.Set("values", values);
    if (vectorResults) {
      result.Set("vectorOffsets", parts[0]);
      result.Set("vectorLengths", parts[1]);
      result.Set("itemOffsets", parts[2]);
      result.Set("itemCounts", parts[3]);
      result.Set("vectors", copyArray<float, Napi::Float32Array>(env, out.vectors.data(), out.vectors.size()));
      result.Set("scores", copyArray<double, Napi::Float64Array>(env, out.scores.data(), out.scores.size()));
    }
  }
  if (!out.late.empty()) result.Set("late", copyArray<int32_t, Napi::Int32Array>(env, out.late.data(), out.late.size()));
  if (!out.releasedKeys.empty()) {
    result.Set("releasedKeys", copyArray<int32_t, Napi::Int32Array>(env, out.releasedKeys.data(), out.releasedKeys.size()));
  }
  result.Set("errorIndex", Napi::Number::New(env, static_cast<double>(out.errorIndex)));
  if (out.errorIndex >= 0) result.Set("error", Napi::String::New(env, out.error));
  return result;
}

Napi::Function NativeWindowEngine::Define(Napi::Env env) {
  return DefineClass(env, "NativeWindowEngine",
                     {
                         InstanceMethod<&NativeWindowEngine::SetKeyNames>("setKeyNames"),
                         InstanceMethod<&NativeWindowEngine::ProcessBatch>("processBatch"),
                         InstanceMethod<&NativeWindowEngine::ProcessWatermark>("processWatermark"),
                         InstanceAccessor<&NativeWindowEngine::GetWindowCount>("windowCount"),
                         InstanceAccessor<&NativeWindowEngine::GetKeyCount>("keyCount"),
                         InstanceAccessor<&NativeWindowEngine::GetWatermark>("watermark"),
                     });
}

NativeWindowEngine::NativeWindowEngine(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeWindowEngine>(info) {
  Napi::Env env = info.Env();
  sageflow::EngineConfig config;
  if (!parseConfig(env, info[0], config)) return;
  try {
    engine_ = std::make_unique<sageflow::WindowEngine>(std::move(config));
  } catch (const std::exception& error) {
    throwInvalid(env, error.what());
  }
}

// setKeyNames(firstId, names): names[i] is the canonical name of key id firstId + i.
Napi::Value NativeWindowEngine::SetKeyNames(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!engine_ || !info[0].IsNumber() || !info[1].IsArray()) {
    throwInvalid(env, "setKeyNames(firstId, names) expects a number and an array of strings");
    return env.Undefined();
  }
  const int32_t first = info[0].As<Napi::Number>().Int32Value();
  Napi::Array names = info[1].As<Napi::Array>();
  for (uint32_t i = 0; i < names.Length(); ++i) {
    Napi::Value name = names.Get(i);
    if (!name.IsString()) {
      throwInvalid(env, "key names must be strings");
      return env.Undefined();
    }
    engine_->setKeyName(first + static_cast<int32_t>(i), name.As<Napi::String>().Utf16Value());
  }
  return env.Undefined();
}

// processBatch(n, keys: Int32Array, timestamps: Float64Array, values: Float64Array | null,
//              vectors: Float32Array | null, dims: Int32Array | null) -> result | null
Napi::Value NativeWindowEngine::ProcessBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!engine_ || !info[0].IsNumber()) {
    throwInvalid(env, "processBatch(n, keys, timestamps, values, vectors, dims) expects a record count");
    return env.Undefined();
  }
  const double count = info[0].As<Napi::Number>().DoubleValue();
  if (!(count >= 0) || count > 4294967295.0) {
    throwInvalid(env, "processBatch: the record count must be a non-negative integer");
    return env.Undefined();
  }
  const size_t n = static_cast<size_t>(count);
  const bool vectorInput = sageflow::readsVectors(engine_->config().aggregate);
  Napi::Int32Array keys;
  Napi::Float64Array timestamps;
  Napi::Float64Array values;
  Napi::Float32Array vectors;
  Napi::Int32Array dims;
  bool hasKeys = false, hasTimestamps = false, hasValues = false, hasVectors = false, hasDims = false;
  if (!typedArg(env, info[1], napi_int32_array, "keys", n, false, keys, hasKeys) ||
      !typedArg(env, info[2], napi_float64_array, "timestamps", n, false, timestamps, hasTimestamps) ||
      !typedArg(env, info[3], napi_float64_array, "values", n, true, values, hasValues) ||
      !typedArg(env, info[4], napi_float32_array, "vectors", 0, !vectorInput, vectors, hasVectors) ||
      !typedArg(env, info[5], napi_int32_array, "dims", n, !vectorInput, dims, hasDims)) {
    return env.Undefined();
  }
  const bool scalarInput = !vectorInput && engine_->config().aggregate != sageflow::AggregateKind::Count;
  if (scalarInput && !hasValues) {
    throwInvalid(env, "processBatch: values are required for this aggregate");
    return env.Undefined();
  }
  if (vectorInput) {
    // The vectors must hold every record's dims[i] floats.
    size_t total = 0;
    for (size_t i = 0; i < n; ++i) {
      if (dims[i] < 0) {
        throwInvalid(env, "processBatch: a vector dimension is negative");
        return env.Undefined();
      }
      total += static_cast<size_t>(dims[i]);
    }
    if (vectors.ElementLength() < total) {
      throwInvalid(env, "processBatch: vectors hold fewer floats than the dims add up to");
      return env.Undefined();
    }
  }
  out_.clear();
  engine_->processBatch(n, keys.Data(), timestamps.Data(), hasValues ? values.Data() : nullptr,
                        hasVectors ? vectors.Data() : nullptr, hasDims ? dims.Data() : nullptr, out_);
  return toResult(env, out_, sageflow::readsVectors(engine_->config().aggregate));
}

Napi::Value NativeWindowEngine::ProcessWatermark(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t watermark = 0;
  if (!engine_ || !readWatermark(env, info[0], watermark)) return env.Undefined();
  out_.clear();
  engine_->processWatermark(watermark, out_);
  return toResult(env, out_, sageflow::readsVectors(engine_->config().aggregate));
}

Napi::Value NativeWindowEngine::GetWindowCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), engine_ ? static_cast<double>(engine_->windowCount()) : 0);
}

Napi::Value NativeWindowEngine::GetKeyCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), engine_ ? static_cast<double>(engine_->keyCount()) : 0);
}

Napi::Value NativeWindowEngine::GetWatermark(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), engine_ ? static_cast<double>(engine_->currentWatermark()) : 0);
}

}  // namespace sageflow_node
