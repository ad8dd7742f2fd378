// Module entry: exports NativeVectorIndex, loadIndex(path, expected | null) and build information.
#include <napi.h>

#include "addon_data.h"
#include "args.h"
#include "errors.h"
#include "native_vector_index.h"
#include "sagedb/task_pool.h"
#include "sagedb/vector_index.h"
#include "workers.h"

namespace sagedb_node {
namespace {

Napi::Value LoadIndex(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path;
  if (!readString(env, info[0], "path", path)) return env.Undefined();
  sagedb::Settings expected;
  const bool hasExpected = info.Length() > 1 && !info[1].IsNull() && !info[1].IsUndefined();
  if (hasExpected && !readSettings(env, info[1], expected)) return env.Undefined();
  auto* worker = new LoadWorker(env, std::move(path), hasExpected, expected);
  worker->Queue();
  return worker->Promise();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  Napi::Function ctor = NativeVectorIndex::Define(env);
  data->vectorIndexConstructor = Napi::Persistent(ctor);
  env.SetInstanceData<AddonData>(data);

  exports.Set("NativeVectorIndex", ctor);
  exports.Set("loadIndex", Napi::Function::New(env, LoadIndex, "loadIndex"));
  exports.Set("faissVersion", Napi::String::New(env, sagedb::VectorIndex::faissVersion()));
  exports.Set("simd", Napi::String::New(env, sagedb::VectorIndex::simdLevel()));
  exports.Set("threadsPerCall", Napi::Number::New(env, sagedb::VectorIndex::threadsPerCall()));
  exports.Set("searchThreads", Napi::Number::New(env, double(sagedb::TaskPool::defaultThreads())));
  exports.Set("fileFormatVersion", Napi::Number::New(env, sagedb::kFileFormatVersion));
  exports.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  return exports;
}

}  // namespace
}  // namespace sagedb_node

static Napi::Object InitSageDbNative(Napi::Env env, Napi::Object exports) { return sagedb_node::Init(env, exports); }

NODE_API_MODULE(sage_db_native, InitSageDbNative)
