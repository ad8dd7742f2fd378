// Maps core exceptions to JavaScript errors with a stable `code`:
//   SAGE_DB_INVALID            bad argument (std::invalid_argument, wrong JS types)
//   SAGE_DB_NOT_INDEX_FILE     load: not a SageDB vector index file
//   SAGE_DB_VERSION            load: a format version this build cannot read
//   SAGE_DB_CORRUPT            load: checksum mismatch, truncated, inconsistent
//   SAGE_DB_SETTINGS_MISMATCH  load: the file's settings differ from the expected ones
//   SAGE_DB_IO                 the operating system refused (missing file, permissions, disk full)
//   SAGE_DB_CLOSED             the index was closed
//   SAGE_DB_NO_MEMORY          allocation failed
//   SAGE_DB_INTERNAL           anything else (a FAISS exception)
#pragma once

#include <napi.h>

#include <string>

namespace sagedb_node {

struct ErrorInfo {
  std::string code;
  std::string message;
  std::string path;  // file errors only
};

/// Call inside a catch block: describes the exception being handled.
ErrorInfo describeCurrentException();

Napi::Error makeError(Napi::Env env, const ErrorInfo& info);

/// Throws a JS error (exceptions are disabled in node-addon-api: callers return right after).
void throwError(Napi::Env env, const std::string& code, const std::string& message);
inline void throwInvalid(Napi::Env env, const std::string& message) { throwError(env, "SAGE_DB_INVALID", message); }

}  // namespace sagedb_node
