#include "native_vector_index.h"

#include <cstring>
#include <utility>

#include "addon_data.h"
#include "args.h"
#include "errors.h"
#include "workers.h"

namespace sagedb_node {

Napi::Function NativeVectorIndex::Define(Napi::Env env) {
  return DefineClass(env, "NativeVectorIndex",
                     {
                         InstanceAccessor<&NativeVectorIndex::GetDimension>("dimension"),
                         InstanceAccessor<&NativeVectorIndex::GetMetric>("metric"),
                         InstanceAccessor<&NativeVectorIndex::GetKind>("kind"),
                         InstanceAccessor<&NativeVectorIndex::GetSize>("size"),
                         InstanceAccessor<&NativeVectorIndex::GetNextLabel>("nextLabel"),
                         InstanceAccessor<&NativeVectorIndex::GetTombstones>("tombstones"),
                         InstanceAccessor<&NativeVectorIndex::GetActiveIndex>("activeIndex"),
                         InstanceAccessor<&NativeVectorIndex::GetNlist>("nlist"),
                         InstanceAccessor<&NativeVectorIndex::GetClosed>("closed"),
                         InstanceMethod<&NativeVectorIndex::Add>("add"),
                         InstanceMethod<&NativeVectorIndex::Remove>("remove"),
                         InstanceMethod<&NativeVectorIndex::Vector>("vector"),
                         InstanceMethod<&NativeVectorIndex::Search>("search"),
                         InstanceMethod<&NativeVectorIndex::SearchExact>("searchExact"),
                         InstanceMethod<&NativeVectorIndex::SearchSubset>("searchSubset"),
                         InstanceMethod<&NativeVectorIndex::SearchSync>("searchSync"),
                         InstanceMethod<&NativeVectorIndex::SearchExactSync>("searchExactSync"),
                         InstanceMethod<&NativeVectorIndex::SearchSubsetSync>("searchSubsetSync"),
                         InstanceMethod<&NativeVectorIndex::Compact>("compact"),
                         InstanceMethod<&NativeVectorIndex::Save>("save"),
                         InstanceMethod<&NativeVectorIndex::Close>("close"),
                     });
}

Napi::Value NativeVectorIndex::NewInstance(Napi::Env env, std::shared_ptr<sagedb::VectorIndex> index) {
  AddonData* data = env.GetInstanceData<AddonData>();
  // The constructor adopts the index passed through an External holding a shared_ptr.
  auto* holder = new std::shared_ptr<sagedb::VectorIndex>(std::move(index));
  auto external = Napi::External<std::shared_ptr<sagedb::VectorIndex>>::New(
      env, holder, [](Napi::Env, std::shared_ptr<sagedb::VectorIndex>* p) { delete p; });
  return data->vectorIndexConstructor.New({external});
}

NativeVectorIndex::NativeVectorIndex(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeVectorIndex>(info) {
  Napi::Env env = info.Env();
  if (info.Length() > 0 && info[0].IsExternal()) {
    auto* holder = info[0].As<Napi::External<std::shared_ptr<sagedb::VectorIndex>>>().Data();
    index_ = std::move(*holder);
  } else {
    sagedb::Settings settings;
    if (!readSettings(env, info.Length() > 0 ? info[0] : env.Undefined(), settings)) return;
    try {
      index_ = std::make_shared<sagedb::VectorIndex>(settings);
    } catch (...) {
      makeError(env, describeCurrentException()).ThrowAsJavaScriptException();
      return;
    }
  }
  dimension_ = index_->dimension();
  metric_ = index_->metric();
  kind_ = index_->kind();
}

std::shared_ptr<sagedb::VectorIndex> NativeVectorIndex::live(Napi::Env env) const {
  if (!index_) throwError(env, "SAGE_DB_CLOSED", "this vector index was closed");
  return index_;
}

Napi::Value NativeVectorIndex::GetDimension(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), dimension_);
}
Napi::Value NativeVectorIndex::GetMetric(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), sagedb::toString(metric_));
}
Napi::Value NativeVectorIndex::GetKind(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), sagedb::toString(kind_));
}
Napi::Value NativeVectorIndex::GetSize(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), index_ ? double(index_->size()) : 0.0);
}
Napi::Value NativeVectorIndex::GetNextLabel(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), index_ ? double(index_->nextLabel()) : 0.0);
}
Napi::Value NativeVectorIndex::GetTombstones(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), index_ ? double(index_->tombstones()) : 0.0);
}
Napi::Value NativeVectorIndex::GetActiveIndex(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), index_ ? sagedb::toString(index_->activeIndex()) : "closed");
}
Napi::Value NativeVectorIndex::GetNlist(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), index_ ? index_->nlist() : 0);
}
Napi::Value NativeVectorIndex::GetClosed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), !index_);
}

Napi::Value NativeVectorIndex::Add(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto index = live(env);
  if (!index) return env.Undefined();
  std::vector<float> vectors;
  size_t rows = 0;
  if (!copyRows(env, info[0], "vectors", size_t(dimension_), vectors, rows)) return env.Undefined();
  auto* worker = new AddWorker(env, std::move(index), std::move(vectors), rows);
  worker->Queue();
  return worker->Promise();
}

Napi::Value NativeVectorIndex::Remove(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto index = live(env);
  if (!index) return env.Undefined();
  std::vector<uint32_t> labels;
  if (!copyUint32(env, info[0], "labels", labels)) return env.Undefined();
  auto* worker = new RemoveWorker(env, std::move(index), std::move(labels));
  worker->Queue();
  return worker->Promise();
}

Napi::Value NativeVectorIndex::Vector(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto index = live(env);
  if (!index) return env.Undefined();
  int64_t label = 0;
  if (!readInteger(env, info[0], "label", 0, int64_t(1) << 53, label)) return env.Undefined();
  if (uint64_t(label) >= sagedb::kMaxLabels) return env.Undefined();
  auto out = Napi::Float32Array::New(env, size_t(dimension_));
  if (out.IsEmpty()) return env.Undefined();
  if (!index->vector(uint32_t(label), out.Data())) return env.Undefined();
  return out;
}

bool NativeVectorIndex::beginSearch(const Napi::CallbackInfo& info, SearchMode mode, SearchRequest& request) {
  Napi::Env env = info.Env();
  request.index = live(env);
  request.mode = mode;
  return request.index && copyRows(env, info[0], "queries", size_t(dimension_), request.queries, request.nq) &&
         readInteger(env, info[1], "k", 0, 2147483647, request.k);
}

/// Off the JavaScript thread (a promise), or `now` on it (the results, or a thrown error).
static Napi::Value finishSearch(Napi::Env env, SearchRequest request, bool now) {
  if (!now) return env.GetInstanceData<AddonData>()->searchDispatcher(env).submit(env, std::move(request));
  std::vector<sagedb::QueryResult> results;
  try {
    results = request();
  } catch (...) {
    makeError(env, describeCurrentException()).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Value value = resultsToJs(env, results);
  return value.IsEmpty() ? env.Undefined() : value;
}

Napi::Value NativeVectorIndex::searchIndex(const Napi::CallbackInfo& info, bool now) {
  Napi::Env env = info.Env();
  SearchRequest request;
  int64_t efSearch = 0;
  int64_t nprobe = 0;
  if (!beginSearch(info, SearchMode::Index, request) || !readInteger(env, info[2], "efSearch", 0, 1 << 20, efSearch) ||
      !readInteger(env, info[3], "nprobe", 0, 1 << 20, nprobe) ||
      !copyOptionalBitmap(env, info[4], "allowed", request.allowed, request.hasAllowed)) {
    return env.Undefined();
  }
  request.efSearch = int32_t(efSearch);
  request.nprobe = int32_t(nprobe);
  return finishSearch(env, std::move(request), now);
}

Napi::Value NativeVectorIndex::searchExact(const Napi::CallbackInfo& info, bool now) {
  Napi::Env env = info.Env();
  SearchRequest request;
  if (!beginSearch(info, SearchMode::Exact, request) ||
      !copyOptionalBitmap(env, info[2], "allowed", request.allowed, request.hasAllowed)) {
    return env.Undefined();
  }
  return finishSearch(env, std::move(request), now);
}

Napi::Value NativeVectorIndex::searchSubset(const Napi::CallbackInfo& info, bool now) {
  Napi::Env env = info.Env();
  SearchRequest request;
  if (!beginSearch(info, SearchMode::Subset, request) || !copyUint32(env, info[2], "labels", request.labels)) {
    return env.Undefined();
  }
  return finishSearch(env, std::move(request), now);
}

Napi::Value NativeVectorIndex::Search(const Napi::CallbackInfo& info) { return searchIndex(info, false); }
Napi::Value NativeVectorIndex::SearchExact(const Napi::CallbackInfo& info) { return searchExact(info, false); }
Napi::Value NativeVectorIndex::SearchSubset(const Napi::CallbackInfo& info) { return searchSubset(info, false); }
Napi::Value NativeVectorIndex::SearchSync(const Napi::CallbackInfo& info) { return searchIndex(info, true); }
Napi::Value NativeVectorIndex::SearchExactSync(const Napi::CallbackInfo& info) { return searchExact(info, true); }
Napi::Value NativeVectorIndex::SearchSubsetSync(const Napi::CallbackInfo& info) { return searchSubset(info, true); }

Napi::Value NativeVectorIndex::Compact(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto index = live(env);
  if (!index) return env.Undefined();
  auto* worker = new CompactWorker(env, std::move(index));
  worker->Queue();
  return worker->Promise();
}

Napi::Value NativeVectorIndex::Save(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto index = live(env);
  if (!index) return env.Undefined();
  std::string path;
  if (!readString(env, info[0], "path", path)) return env.Undefined();
  if (path.empty() || path.find('\0') != std::string::npos) {
    throwInvalid(env, "path must be a non-empty string without NUL bytes");
    return env.Undefined();
  }
  auto* worker = new SaveWorker(env, std::move(index), std::move(path));
  worker->Queue();
  return worker->Promise();
}

Napi::Value NativeVectorIndex::Close(const Napi::CallbackInfo& info) {
  // Running workers hold their own reference; the memory goes when the last of them finishes.
  index_.reset();
  return info.Env().Undefined();
}

}  // namespace sagedb_node
