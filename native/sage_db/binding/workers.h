// Napi::AsyncWorker subclasses: every slow write (add, remove, compact, save, load) runs on the libuv thread
// pool and settles a promise; searches run on the SearchDispatcher's threads. Inputs are copied on the JS thread before the worker starts, so the
// caller may reuse or detach its typed arrays immediately.
#pragma once

#include <napi.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "errors.h"
#include "sagedb/vector_index.h"

namespace sagedb_node {

class PromiseWorker : public Napi::AsyncWorker {
 public:
  PromiseWorker(Napi::Env env, const char* name);
  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  virtual void Run() = 0;
  virtual Napi::Value Result(Napi::Env env) = 0;

 private:
  void Execute() final;
  void OnOK() final;
  void OnError(const Napi::Error& error) final;
  Napi::Promise::Deferred deferred_;
  ErrorInfo error_;
};

using IndexPtr = std::shared_ptr<sagedb::VectorIndex>;

class AddWorker final : public PromiseWorker {
 public:
  AddWorker(Napi::Env env, IndexPtr index, std::vector<float> vectors, size_t count);

 private:
  void Run() override;
  Napi::Value Result(Napi::Env env) override;
  IndexPtr index_;
  std::vector<float> vectors_;
  size_t count_;
  uint32_t first_ = 0;
};

class RemoveWorker final : public PromiseWorker {
 public:
  RemoveWorker(Napi::Env env, IndexPtr index, std::vector<uint32_t> labels);

 private:
  void Run() override;
  Napi::Value Result(Napi::Env env) override;
  IndexPtr index_;
  std::vector<uint32_t> labels_;
  size_t removed_ = 0;
};

enum class SearchMode { Index, Exact, Subset };

/// One search call with copies of its inputs; called on a SearchDispatcher thread.
struct SearchRequest {
  IndexPtr index;
  SearchMode mode = SearchMode::Index;
  std::vector<float> queries;
  size_t nq = 0;
  int64_t k = 0;
  int32_t efSearch = 0;
  int32_t nprobe = 0;
  std::vector<uint8_t> allowed;
  bool hasAllowed = false;
  std::vector<uint32_t> labels;

  std::vector<sagedb::QueryResult> operator()() const;
};

class CompactWorker final : public PromiseWorker {
 public:
  CompactWorker(Napi::Env env, IndexPtr index);

 private:
  void Run() override;
  Napi::Value Result(Napi::Env env) override;
  IndexPtr index_;
  std::vector<int32_t> remap_;
};

class SaveWorker final : public PromiseWorker {
 public:
  SaveWorker(Napi::Env env, IndexPtr index, std::string path);

 private:
  void Run() override;
  Napi::Value Result(Napi::Env env) override;
  IndexPtr index_;
  std::string path_;
};

class LoadWorker final : public PromiseWorker {
 public:
  LoadWorker(Napi::Env env, std::string path, bool hasExpected, sagedb::Settings expected);

 private:
  void Run() override;
  Napi::Value Result(Napi::Env env) override;
  std::string path_;
  bool hasExpected_;
  sagedb::Settings expected_;
  IndexPtr loaded_;
};

/// {labels: Uint32Array, scores: Float32Array, offsets: Uint32Array(nq + 1)}: query q owns
/// [offsets[q], offsets[q + 1]) of the two flat arrays.
Napi::Value resultsToJs(Napi::Env env, const std::vector<sagedb::QueryResult>& results);

}  // namespace sagedb_node
