// Argument checks of the binding (the TypeScript face validates first; this is the second line). Each
// returns false after throwing a SAGE_DB_INVALID error into the JS environment.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sagedb/types.h"

namespace sagedb_node {

/// The raw settings object: {dimension, metric, kind, M, efConstruction, efSearch, nlist, nprobe, pqM,
/// pqNbits, autoThreshold}; every field required (the TS face owns the defaults).
bool readSettings(Napi::Env env, Napi::Value value, sagedb::Settings& out);

bool readInteger(Napi::Env env, Napi::Value value, const char* name, int64_t lo, int64_t hi, int64_t& out);

/// Copies a Float32Array whose length is a multiple of `dimension`; `rows` receives length / dimension.
bool copyRows(Napi::Env env, Napi::Value value, const char* name, size_t dimension, std::vector<float>& out,
              size_t& rows);
bool copyUint32(Napi::Env env, Napi::Value value, const char* name, std::vector<uint32_t>& out);
/// null/undefined -> present = false.
bool copyOptionalBitmap(Napi::Env env, Napi::Value value, const char* name, std::vector<uint8_t>& out, bool& present);
bool readString(Napi::Env env, Napi::Value value, const char* name, std::string& out);

}  // namespace sagedb_node
