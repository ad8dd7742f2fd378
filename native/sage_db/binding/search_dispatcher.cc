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
  napi_add_env_cleanup_hook(env, [](void* self) { delete static_cast<SearchDispatcher*>(self); }, dispatcher);
  return dispatcher;
}

SearchDispatcher::~SearchDispatcher() {
  pool_.reset();
  for (Pending* pending : finished_) delete pending;
}

Napi::Promise SearchDispatcher::submit(Napi::Env env, Search search) {
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
      if (env.IsExceptionPending()) {
        pending->deferred.Reject(env.GetAndClearPendingException().Value());
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
