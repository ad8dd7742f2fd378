// NativeVectorIndex: the JS class around sagedb::VectorIndex. Slow methods return promises (workers.h);
// getters and vector() are synchronous and never wait for a running add/search.
//
//   new NativeVectorIndex(settings)                     settings: see args.h readSettings
//   .dimension .metric .kind                            fixed
//   .size .nextLabel .tombstones .activeIndex .nlist    live state
//   add(vectors: Float32Array): Promise<number>         first label
//   remove(labels: Uint32Array): Promise<number>        newly removed
//   vector(label: number): Float32Array | undefined
//   search(queries, k, efSearch, nprobe, allowed: Uint8Array | null): Promise<RawResults>
//   searchExact(queries, k, allowed: Uint8Array | null): Promise<RawResults>
//   searchSubset(queries, k, labels: Uint32Array): Promise<RawResults>
//   searchSync / searchExactSync / searchSubsetSync      the same on the calling (JavaScript) thread: RawResults
//   compact(): Promise<Int32Array>
//   save(path: string): Promise<void>
//   close(): void                                       later calls throw SAGE_DB_CLOSED
#pragma once

#include <napi.h>

#include <memory>

#include "sagedb/vector_index.h"
#include "workers.h"

namespace sagedb_node {

class NativeVectorIndex : public Napi::ObjectWrap<NativeVectorIndex> {
 public:
  static Napi::Function Define(Napi::Env env);
  /// Wraps an index created in C++ (load).
  static Napi::Value NewInstance(Napi::Env env, std::shared_ptr<sagedb::VectorIndex> index);

  explicit NativeVectorIndex(const Napi::CallbackInfo& info);

 private:
  /// The index, or nullptr after throwing SAGE_DB_CLOSED.
  std::shared_ptr<sagedb::VectorIndex> live(Napi::Env env) const;
  /// Fills the parts every search reads (index, queries, k); false after throwing.
  bool beginSearch(const Napi::CallbackInfo& info, SearchMode mode, SearchRequest& request);
  Napi::Value searchIndex(const Napi::CallbackInfo& info, bool now);
  Napi::Value searchExact(const Napi::CallbackInfo& info, bool now);
  Napi::Value searchSubset(const Napi::CallbackInfo& info, bool now);

  Napi::Value GetDimension(const Napi::CallbackInfo& info);
  Napi::Value GetMetric(const Napi::CallbackInfo& info);
  Napi::Value GetKind(const Napi::CallbackInfo& info);
  Napi::Value GetSize(const Napi::CallbackInfo& info);
  Napi::Value GetNextLabel(const Napi::CallbackInfo& info);
  Napi::Value GetTombstones(const Napi::CallbackInfo& info);
  Napi::Value GetActiveIndex(const Napi::CallbackInfo& info);
  Napi::Value GetNlist(const Napi::CallbackInfo& info);
  Napi::Value GetClosed(const Napi::CallbackInfo& info);

  Napi::Value Add(const Napi::CallbackInfo& info);
  Napi::Value Remove(const Napi::CallbackInfo& info);
  Napi::Value Vector(const Napi::CallbackInfo& info);
  Napi::Value Search(const Napi::CallbackInfo& info);
  Napi::Value SearchExact(const Napi::CallbackInfo& info);
  Napi::Value SearchSubset(const Napi::CallbackInfo& info);
  Napi::Value SearchSync(const Napi::CallbackInfo& info);
  Napi::Value SearchExactSync(const Napi::CallbackInfo& info);
  Napi::Value SearchSubsetSync(const Napi::CallbackInfo& info);
  Napi::Value Compact(const Napi::CallbackInfo& info);
  Napi::Value Save(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  std::shared_ptr<sagedb::VectorIndex> index_;
  // Fixed settings, kept so the getters still answer after close().
  int32_t dimension_ = 0;
  sagedb::Metric metric_ = sagedb::Metric::L2;
  sagedb::IndexKind kind_ = sagedb::IndexKind::Flat;
};

}  // namespace sagedb_node
