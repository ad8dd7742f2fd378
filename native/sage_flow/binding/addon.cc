// Module entry: exports NativeWindowEngine, NativeSimilarityJoin and build information.
#include <napi.h>

#include "native_similarity_join.h"
#include "native_window_engine.h"

namespace sageflow_node {
namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeWindowEngine", NativeWindowEngine::Define(env));
  exports.Set("NativeSimilarityJoin", NativeSimilarityJoin::Define(env));
  exports.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  return exports;
}

}  // namespace
}  // namespace sageflow_node

static Napi::Object InitSageFlowNative(Napi::Env env, Napi::Object exports) { return sageflow_node::Init(env, exports); }

NODE_API_MODULE(sage_flow_native, InitSageFlowNative)
