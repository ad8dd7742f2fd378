#include "errors.h"

#include <new>
#include <stdexcept>

#include "sagedb/errors.h"

namespace sagedb_node {

namespace {
const char* codeOf(sagedb::FileErrorKind kind) {
  switch (kind) {
    case sagedb::FileErrorKind::NotAVectorIndexFile: return "SAGE_DB_NOT_INDEX_FILE";
    case sagedb::FileErrorKind::UnsupportedVersion: return "SAGE_DB_VERSION";
    case sagedb::FileErrorKind::Corrupt: return "SAGE_DB_CORRUPT";
    case sagedb::FileErrorKind::SettingsMismatch: return "SAGE_DB_SETTINGS_MISMATCH";
    case sagedb::FileErrorKind::Io: return "SAGE_DB_IO";
  }
  return "SAGE_DB_INTERNAL";
}
}  // namespace

ErrorInfo describeCurrentException() {
  try {
    throw;
  } catch (const sagedb::FileError& e) {
    return {codeOf(e.kind()), e.what(), e.path()};
  } catch (const std::invalid_argument& e) {
    return {"SAGE_DB_INVALID", e.what(), ""};
  } catch (const std::bad_alloc&) {
    return {"SAGE_DB_NO_MEMORY", "sage_db: out of memory", ""};
  } catch (const std::exception& e) {
    return {"SAGE_DB_INTERNAL", std::string("sage_db internal error: ") + e.what(), ""};
  } catch (...) {
    return {"SAGE_DB_INTERNAL", "sage_db internal error: unknown exception", ""};
  }
}

Napi::Error makeError(Napi::Env env, const ErrorInfo& info) {
  Napi::Error error = info.code == "SAGE_DB_INVALID" ? Napi::TypeError::New(env, info.message)
                                                     : Napi::Error::New(env, info.message);
  error.Set("code", Napi::String::New(env, info.code));
  if (!info.path.empty()) error.Set("path", Napi::String::New(env, info.path));
  return error;
}

void throwError(Napi::Env env, const std::string& code, const std::string& message) {
  makeError(env, {code, message, ""}).ThrowAsJavaScriptException();
}

}  // namespace sagedb_node
