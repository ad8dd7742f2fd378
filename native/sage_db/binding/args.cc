#include "args.h"

#include <cmath>
#include <cstring>
#include <stdexcept>

#include "errors.h"

namespace sagedb_node {

namespace {
bool typedArrayOf(Napi::Env env, Napi::Value value, const char* name, napi_typedarray_type type, const char* typeName) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != type) {
    throwInvalid(env, std::string(name) + " must be a " + typeName);
    return false;
  }
  return true;
}
}  // namespace

bool readInteger(Napi::Env env, Napi::Value value, const char* name, int64_t lo, int64_t hi, int64_t& out) {
  if (!value.IsNumber()) {
    throwInvalid(env, std::string(name) + " must be a number");
    return false;
  }
  const double v = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(v) || std::floor(v) != v || v < double(lo) || v > double(hi)) {
    throwInvalid(env, std::string(name) + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                          "], got " + std::to_string(v));
    return false;
  }
  out = int64_t(v);
  return true;
}

bool readString(Napi::Env env, Napi::Value value, const char* name, std::string& out) {
  if (!value.IsString()) {
    throwInvalid(env, std::string(name) + " must be a string");
    return false;
  }
  out = value.As<Napi::String>().Utf8Value();
  return true;
}

bool readSettings(Napi::Env env, Napi::Value value, sagedb::Settings& out) {
  if (!value.IsObject()) {
    throwInvalid(env, "settings must be an object");
    return false;
  }
  Napi::Object o = value.As<Napi::Object>();
  std::string metric;
  std::string kind;
  if (!readString(env, o.Get("metric"), "settings.metric", metric)) return false;
  if (!readString(env, o.Get("kind"), "settings.kind", kind)) return false;
  try {
    out.metric = sagedb::parseMetric(metric);
    out.kind = sagedb::parseIndexKind(kind);
  } catch (const std::invalid_argument& e) {
    throwInvalid(env, e.what());
    return false;
  }
  struct Field {
    const char* name;
    int64_t lo;
    int64_t hi;
    int64_t value;
  };
  Field fields[] = {{"dimension", 1, 65536, 0},      {"M", 2, 512, 0},          {"efConstruction", 1, 1 << 20, 0},
                    {"efSearch", 1, 1 << 20, 0},     {"nlist", 0, 1 << 20, 0},  {"nprobe", 1, 1 << 20, 0},
                    {"pqM", 1, 65536, 0},            {"pqNbits", 1, 16, 0},     {"autoThreshold", 1, 2147483647, 0}};
  for (Field& f : fields) {
    const std::string label = std::string("settings.") + f.name;
    if (!readInteger(env, o.Get(f.name), label.c_str(), f.lo, f.hi, f.value)) return false;
  }
  out.dimension = int32_t(fields[0].value);
  out.params.M = int32_t(fields[1].value);
  out.params.efConstruction = int32_t(fields[2].value);
  out.params.efSearch = int32_t(fields[3].value);
  out.params.nlist = int32_t(fields[4].value);
  out.params.nprobe = int32_t(fields[5].value);
  out.params.pqM = int32_t(fields[6].value);
  out.params.pqNbits = int32_t(fields[7].value);
  out.params.autoThreshold = fields[8].value;
  try {
    sagedb::validateSettings(out);
  } catch (const std::invalid_argument& e) {
    throwInvalid(env, e.what());
    return false;
  }
  return true;
}

bool copyRows(Napi::Env env, Napi::Value value, const char* name, size_t dimension, std::vector<float>& out,
              size_t& rows) {
  if (!typedArrayOf(env, value, name, napi_float32_array, "Float32Array")) return false;
  auto array = value.As<Napi::Float32Array>();
  const size_t length = array.ElementLength();
  if (length % dimension != 0) {
    throwInvalid(env, std::string(name) + " has " + std::to_string(length) + " floats, not a multiple of the dimension " +
                          std::to_string(dimension));
    return false;
  }
  rows = length / dimension;
  out.resize(length);
  if (length > 0) std::memcpy(out.data(), array.Data(), length * sizeof(float));
  return true;
}

bool copyUint32(Napi::Env env, Napi::Value value, const char* name, std::vector<uint32_t>& out) {
  if (!typedArrayOf(env, value, name, napi_uint32_array, "Uint32Array")) return false;
  auto array = value.As<Napi::Uint32Array>();
  out.resize(array.ElementLength());
  if (!out.empty()) std::memcpy(out.data(), array.Data(), out.size() * sizeof(uint32_t));
  return true;
}

bool copyOptionalBitmap(Napi::Env env, Napi::Value value, const char* name, std::vector<uint8_t>& out, bool& present) {
  present = false;
  if (value.IsNull() || value.IsUndefined()) return true;
  if (!typedArrayOf(env, value, name, napi_uint8_array, "Uint8Array")) return false;
  auto array = value.As<Napi::Uint8Array>();
  out.resize(array.ElementLength());
  if (!out.empty()) std::memcpy(out.data(), array.Data(), out.size());
  present = true;
  return true;
}

}  // namespace sagedb_node
