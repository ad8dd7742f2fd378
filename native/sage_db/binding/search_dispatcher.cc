#include "search_dispatcher.h"

#include <utility>

#include "workers.h"

namespace sagedb_node {

SearchDispatcher::SearchDispatcher(Napi::Env env) {
  auto noop = Napi::Function::New(env, [](const Napi::CallbackInfo&) {}, "sage_db.search");
  wakeJs_ = Napi::ThreadSafeFunction::New(env, noop, "sage_db.search", 0, 1);
  wakeJs_.Unref(env);  // idle: keep nothing alive
  pool_ = std::make_unique<sagedb::TaskPool>(sagedb::TaskPool::defaultThreads(), sagedb::TaskPool::defaultSpin());
}

SearchDispatcher* SearchDispatcher::create(Napi::Env env) {
  auto* dispatcher = new SearchDispatcher(env);
  napi_add_env_cleanup_hook(env, [](void* self) { static_cast<SearchDispatcher*>(self)->shutdown(); }, dispatcher);
  return dispatcher;
}

void SearchDispatcher::shutdown() {
  pool_.reset();  // joins: no thread calls wakeJs_ after this
  closed_ = true;
  wakeJs_.Abort();
}

Napi::Promise SearchDispatcher::submit(Napi::Env env, Search search) {
  if (closed_) {  // a call made while the environment shuts down
    throwError(env, "SAGE_DB_CLOSED", "the environment is shutting down");
    return Napi::Promise();
  }
  auto* pending = new Pending{Napi::Promise::Deferred::New(env), std::move(search), {}, false, {}};
  Napi::Promise promise = pending->deferred.Promise();
  if (inFlight_++ == 0) wakeJs_.Ref(env);
  pool_->submit([this, pending] { run(pending); });
  return promise;
}

void SearchDispatcher::run(Pending* pending) {
  try {
    pending->results = pending->search();
  } catch (...) {
    pending->failed = true;
    pending->error = describeCurrentException();
  }
  Search().swap(pending->search);  // free the copied queries and filters now
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    finished_.push_back(pending);
    wake = !wakeQueued_;
    wakeQueued_ = true;
  }
  if (wake) wakeJs_.NonBlockingCall([this](Napi::Env env, Napi::Function) { settleAll(env); });
}

void SearchDispatcher::settleAll(Napi::Env env) {
  if (closed_) return;  // the environment is going away: the promises will never be awaited
  std::vector<Pending*> batch;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    batch.swap(finished_);
    wakeQueued_ = false;
  }
  for (Pending* pending : batch) {
    Napi::HandleScope scope(env);
    if (pending->failed) {
      pending->deferred.Reject(makeError(env, pending->error).Value());
    } else {
      Napi::Value value = resultsToJs(env, pending->results);
      if (value.IsEmpty()) {
        // Allocation failed, or JavaScript can no longer run (a worker being terminated): reject if we can.
        Napi::Error error = env.GetAndClearPendingException();
        if (!error.IsEmpty()) pending->deferred.Reject(error.Value());
      } else {
        pending->deferred.Resolve(value);
      }
    }
    delete pending;
  }
  inFlight_ -= batch.size();
  if (inFlight_ == 0 && !batch.empty()) wakeJs_.Unref(env);
}

}  // namespace sagedb_node
