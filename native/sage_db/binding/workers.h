// Napi::AsyncWorker subclasses: every slow call (add, remove, search, compact, save, load) runs on the libuv
// thread pool and settles a promise. Inputs are copied on the JS thread before the worker starts, so the
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

class SearchWorker final : public PromiseWorker {
 public:
  SearchWorker(Napi::Env env, IndexPtr index, SearchMode mode, std::vector<float> queries, size_t nq, int64_t k,
               int32_t efSearch, int32_t nprobe, std::vector<uint8_t> allowed, bool hasAllowed,
               std::vector<uint32_t> labels);

 private:
  void Run() override;
  Napi::Value Result(Napi::Env env) override;
  IndexPtr index_;
  SearchMode mode_;
  std::vector<float> queries_;
  size_t nq_;
  int64_t k_;
  int32_t efSearch_;
  int32_t nprobe_;
  std::vector<uint8_t> allowed_;
  bool hasAllowed_;
  std::vector<uint32_t> labels_;
  std::vector<sagedb::QueryResult> results_;
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
