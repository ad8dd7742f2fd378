// Per-environment data of the addon (worker threads each load their own instance).
#pragma once

#include <napi.h>

namespace sagedb_node {

struct AddonData {
  Napi::FunctionReference vectorIndexConstructor;
};

}  // namespace sagedb_node
