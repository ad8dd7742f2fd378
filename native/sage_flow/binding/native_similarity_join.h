// NativeSimilarityJoin: the JavaScript class over sageflow::SimilarityJoin. Batches cross as typed arrays.
#pragma once

#include <napi.h>

#include <memory>

#include "sageflow/similarity_join.h"

namespace sageflow_node {

class NativeSimilarityJoin : public Napi::ObjectWrap<NativeSimilarityJoin> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit NativeSimilarityJoin(const Napi::CallbackInfo& info);

 private:
  Napi::Value ProcessBatch(const Napi::CallbackInfo& info);
  Napi::Value ProcessWatermark(const Napi::CallbackInfo& info);
  Napi::Value GetWindowCount(const Napi::CallbackInfo& info);

  std::unique_ptr<sageflow::SimilarityJoin> join_;
  sageflow::JoinOutput out_;
};

}  // namespace sageflow_node
