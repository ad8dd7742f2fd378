// Per-environment data of the addon (worker threads each load their own instance).
#pragma once

#include <napi.h>

#include "search_dispatcher.h"

namespace sagedb_node {

struct AddonData {
  Napi::FunctionReference vectorIndexConstructor;
  /// Created on the first search; owned by its environment cleanup hook.
  SearchDispatcher* searches = nullptr;

  SearchDispatcher& searchDispatcher(Napi::Env env) {
    if (searches == nullptr) searches = SearchDispatcher::create(env);
    return *searches;
  }
};

}  // namespace sagedb_node
