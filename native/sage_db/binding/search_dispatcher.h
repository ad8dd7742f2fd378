// Runs searches on a sagedb::TaskPool (threads of the addon's own, not libuv's) and settles their promises on
// the JavaScript thread. Completions are batched: however many searches finish while the JS thread is busy,
// it wakes once and settles them all.
#pragma once

#include <napi.h>

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "errors.h"
#include "sagedb/task_pool.h"
#include "sagedb/vector_index.h"

namespace sagedb_node {

class SearchDispatcher {
 public:
  using Search = std::function<std::vector<sagedb::QueryResult>()>;

  /// Created once per environment (AddonData::searches). An environment cleanup hook, registered after the
  /// thread-safe function so that it runs first, joins the pool threads (queued searches are dropped) and
  /// aborts the function. The object itself is never freed: Node may still dispatch an already queued
  /// settle call while it tears the environment down, and that call must find a live, closed dispatcher.
  static SearchDispatcher* create(Napi::Env env);

  /// Queues `search` (which owns copies of its inputs) and returns the promise of its RawResults.
  Napi::Promise submit(Napi::Env env, Search search);

  size_t threads() const { return pool_->threads(); }
  long spinMicros() const { return long(pool_->spin().count()); }

 private:
  struct Pending {
    Napi::Promise::Deferred deferred;
    Search search;
    std::vector<sagedb::QueryResult> results;
    bool failed = false;
    ErrorInfo error;
  };

  explicit SearchDispatcher(Napi::Env env);
  void shutdown();  // the cleanup hook
  void run(Pending* pending);  // a pool thread
  void settleAll(Napi::Env env);  // the JS thread

  Napi::ThreadSafeFunction wakeJs_;
  std::mutex mutex_;
  std::vector<Pending*> finished_;  // guarded by mutex_
  bool wakeQueued_ = false;         // guarded by mutex_: a settleAll call is already on its way
  bool closed_ = false;             // JS thread only: after shutdown(), nothing is settled
  size_t inFlight_ = 0;             // JS thread only: while > 0 the event loop stays alive
  std::unique_ptr<sagedb::TaskPool> pool_;
};

}  // namespace sagedb_node
