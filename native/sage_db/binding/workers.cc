#include "workers.h"

#include <cstring>
#include <utility>

#include "native_vector_index.h"

namespace sagedb_node {

PromiseWorker::PromiseWorker(Napi::Env env, const char* name)
    : Napi::AsyncWorker(env, name), deferred_(Napi::Promise::Deferred::New(env)) {}

void PromiseWorker::Execute() {
  try {
    Run();
  } catch (...) {
    error_ = describeCurrentException();
    SetError(error_.message);
  }
}

void PromiseWorker::OnOK() {
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  Napi::Value value = Result(env);
  if (env.IsExceptionPending()) {
    deferred_.Reject(env.GetAndClearPendingException().Value());
    return;
  }
  deferred_.Resolve(value);
}

void PromiseWorker::OnError(const Napi::Error& /*error*/) {
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  deferred_.Reject(makeError(env, error_).Value());
}

Napi::Value resultsToJs(Napi::Env env, const std::vector<sagedb::QueryResult>& results) {
  size_t total = 0;
  for (const auto& r : results) total += r.labels.size();
  auto labels = Napi::Uint32Array::New(env, total);
  auto scores = Napi::Float32Array::New(env, total);
  auto offsets = Napi::Uint32Array::New(env, results.size() + 1);
  // Empty when JavaScript can no longer run (a worker thread being terminated): nothing to write into.
  if (labels.IsEmpty() || scores.IsEmpty() || offsets.IsEmpty()) return Napi::Value();
  size_t at = 0;
  for (size_t q = 0; q < results.size(); q++) {
    offsets[q] = static_cast<uint32_t>(at);
    const auto& r = results[q];
    if (!r.labels.empty()) {
      std::memcpy(labels.Data() + at, r.labels.data(), r.labels.size() * sizeof(uint32_t));
      std::memcpy(scores.Data() + at, r.scores.data(), r.scores.size() * sizeof(float));
    }
    at += r.labels.size();
  }
  offsets[results.size()] = static_cast<uint32_t>(at);
  auto out = Napi::Object::New(env);
  out.Set("labels", labels);
  out.Set("scores", scores);
  out.Set("offsets", offsets);
  return out;
}

// ---- add / remove ------------------------------------------------------------------------------------------

AddWorker::AddWorker(Napi::Env env, IndexPtr index, std::vector<float> vectors, size_t count)
    : PromiseWorker(env, "sage_db.add"), index_(std::move(index)), vectors_(std::move(vectors)), count_(count) {}
void AddWorker::Run() {
  first_ = index_->add(vectors_.data(), count_);
  std::vector<float>().swap(vectors_);  // free before the promise settles
}
Napi::Value AddWorker::Result(Napi::Env env) { return Napi::Number::New(env, first_); }

RemoveWorker::RemoveWorker(Napi::Env env, IndexPtr index, std::vector<uint32_t> labels)
    : PromiseWorker(env, "sage_db.remove"), index_(std::move(index)), labels_(std::move(labels)) {}
void RemoveWorker::Run() { removed_ = index_->remove(labels_.data(), labels_.size()); }
Napi::Value RemoveWorker::Result(Napi::Env env) { return Napi::Number::New(env, double(removed_)); }

// ---- search ------------------------------------------------------------------------------------------------

std::vector<sagedb::QueryResult> SearchRequest::operator()() const {
  // An empty bitmap still means "nothing allowed": give the core a valid pointer.
  static const uint8_t none = 0;
  const uint8_t* bitmap = !hasAllowed ? nullptr : allowed.empty() ? &none : allowed.data();
  switch (mode) {
    case SearchMode::Index: {
      sagedb::SearchOptions options;
      options.efSearch = efSearch;
      options.nprobe = nprobe;
      options.allowed = bitmap;
      options.allowedBytes = allowed.size();
      return index->search(queries.data(), nq, k, options);
    }
    case SearchMode::Exact:
      return index->searchExact(queries.data(), nq, k, bitmap, allowed.size());
    case SearchMode::Subset:
      return index->searchSubset(queries.data(), nq, k, labels.data(), labels.size());
  }
  return {};
}

// ---- compact / save / load ---------------------------------------------------------------------------------

CompactWorker::CompactWorker(Napi::Env env, IndexPtr index)
    : PromiseWorker(env, "sage_db.compact"), index_(std::move(index)) {}
void CompactWorker::Run() { remap_ = index_->compact(); }
Napi::Value CompactWorker::Result(Napi::Env env) {
  auto out = Napi::Int32Array::New(env, remap_.size());
  if (out.IsEmpty()) return Napi::Value();  // JavaScript can no longer run
  if (!remap_.empty()) std::memcpy(out.Data(), remap_.data(), remap_.size() * sizeof(int32_t));
  return out;
}

SaveWorker::SaveWorker(Napi::Env env, IndexPtr index, std::string path)
    : PromiseWorker(env, "sage_db.save"), index_(std::move(index)), path_(std::move(path)) {}
void SaveWorker::Run() { index_->save(path_); }
Napi::Value SaveWorker::Result(Napi::Env env) { return env.Undefined(); }

LoadWorker::LoadWorker(Napi::Env env, std::string path, bool hasExpected, sagedb::Settings expected)
    : PromiseWorker(env, "sage_db.load"), path_(std::move(path)), hasExpected_(hasExpected), expected_(expected) {}
void LoadWorker::Run() { loaded_ = sagedb::VectorIndex::load(path_, hasExpected_ ? &expected_ : nullptr); }
Napi::Value LoadWorker::Result(Napi::Env env) { return NativeVectorIndex::NewInstance(env, std::move(loaded_)); }

}  // namespace sagedb_node
