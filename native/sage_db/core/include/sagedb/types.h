// SageDB vector index: plain value types shared by the core, the tests and the binding.
// No FAISS and no Node headers here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sagedb {

/// Distance of a collection. `Cosine` normalises stored vectors and queries and ranks by inner product.
enum class Metric : uint8_t { L2 = 0, IP = 1, Cosine = 2 };

/// Index kinds. `Auto` is exact while small and builds HNSW once it holds `autoThreshold` live vectors.
enum class IndexKind : uint8_t { Flat = 0, HNSW = 1, IVFFlat = 2, IVFPQ = 3, Auto = 4 };

/// What actually answers `search` right now (an IVF index is exact until trained, `Auto` until it switches).
enum class ActiveIndex : uint8_t { Exact = 0, HNSW = 1, IVFFlat = 2, IVFPQ = 3 };

/// Index parameters; defaults equal DEFAULT_INDEX_PARAMS of the TypeScript side.
struct IndexParams {
  int32_t M = 32;                // HNSW links per node
  int32_t efConstruction = 200;  // HNSW candidate list while building
  int32_t efSearch = 64;         // HNSW candidate list while searching (raised to at least k)
  int32_t nlist = 0;             // IVF lists; 0 = about 4 * sqrt(n) when the index trains
  int32_t nprobe = 16;           // IVF lists probed per query
  int32_t pqM = 8;               // IVF-PQ sub-quantizers (must divide the dimension)
  int32_t pqNbits = 8;           // IVF-PQ bits per code
  int64_t autoThreshold = 20000; // Auto: live vectors at which HNSW is built
};

struct Settings {
  int32_t dimension = 0;
  Metric metric = Metric::Cosine;
  IndexKind kind = IndexKind::Auto;
  IndexParams params;
};

/// Per-call search options. Zero means "use the index default".
struct SearchOptions {
  int32_t efSearch = 0;
  int32_t nprobe = 0;
  /// Optional bitmap over labels (bit `label % 8` of byte `label >> 3`); labels past its end are excluded.
  const uint8_t* allowed = nullptr;
  size_t allowedBytes = 0;
};

/// Results of one query, best first; scores are higher-is-closer (l2: negative squared distance).
struct QueryResult {
  std::vector<uint32_t> labels;
  std::vector<float> scores;
};

const char* toString(Metric metric);
const char* toString(IndexKind kind);
const char* toString(ActiveIndex active);
/// Throw std::invalid_argument for unknown names.
Metric parseMetric(const std::string& name);
IndexKind parseIndexKind(const std::string& name);

/// Throws std::invalid_argument with a message naming the bad field.
void validateSettings(const Settings& settings);

/// Largest number of labels an index can hand out (FAISS HNSW stores 32-bit signed ids).
constexpr uint64_t kMaxLabels = (uint64_t{1} << 31) - 1;

}  // namespace sagedb
