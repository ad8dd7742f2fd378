// SageDB vector index: dense vectors under consecutive integer labels, searchable exactly or through a
// FAISS index (HNSW, IVF-Flat, IVF-PQ). Plain C++17; never includes FAISS or Node headers (pimpl).
//
// Semantics (shared with the TypeScript VectorIndexBackend interface):
//  - labels are assigned consecutively from 0 in insertion order and never reused; a label is the slot of
//    the vector in a contiguous float store that the index keeps for every vector;
//  - remove() marks tombstones; every search excludes them; compact() rewrites without them;
//  - scores are higher-is-closer: l2 -> negative squared distance, ip/cosine -> inner product.
//
// Thread safety: every method may be called from any thread. Writers (add, remove, compact, save) are
// serialised among themselves. Searches share a lock that writers take exclusively only while they change
// what searches read: a large add inserts into the ANN index in chunks of 256 vectors with the lock released
// in between, and bulk builds (the HNSW build of `auto`, IVF training, compaction) run beside searches and
// are swapped in at the end. The lock does not let a stream of searches starve a writer. vector(), size()
// and nextLabel() never wait for a long operation.
//
// OpenMP: each call runs with SAGE_DB_THREADS threads (default 1) so that concurrent calls from a thread
// pool do not oversubscribe the machine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sagedb/errors.h"
#include "sagedb/types.h"

namespace sagedb {

class VectorIndex {
 public:
  /// Throws std::invalid_argument for bad settings (pqM not dividing the dimension, …).
  explicit VectorIndex(const Settings& settings);
  ~VectorIndex();
  VectorIndex(const VectorIndex&) = delete;
  VectorIndex& operator=(const VectorIndex&) = delete;

  const Settings& settings() const;
  int32_t dimension() const;
  Metric metric() const;
  IndexKind kind() const;
  /// Live (not removed) vectors.
  size_t size() const;
  /// The label the next added vector gets.
  size_t nextLabel() const;
  size_t tombstones() const;
  ActiveIndex activeIndex() const;
  /// IVF lists of the trained index (0 while untrained or not IVF).
  int32_t nlist() const;

  /// Adds `n` row-major vectors and returns the first label. Throws std::invalid_argument for a
  /// non-finite component or too many labels.
  uint32_t add(const float* vectors, size_t n);
  /// Marks labels removed; unknown or already removed labels are ignored. Returns how many were removed.
  size_t remove(const uint32_t* labels, size_t n);
  /// Copies the stored vector (normalised for cosine) of a live label into `out` (dimension floats).
  bool vector(uint32_t label, float* out) const;

  /// Top-k per query through the active index. May return fewer than k per query (HNSW under a tight
  /// filter); IVF and exact searches return min(k, candidates).
  std::vector<QueryResult> search(const float* queries, size_t nq, int64_t k, const SearchOptions& options = {}) const;
  /// Exact top-k over all live vectors (optionally only allowed ones), whatever the active index.
  std::vector<QueryResult> searchExact(const float* queries, size_t nq, int64_t k, const uint8_t* allowed = nullptr,
                                       size_t allowedBytes = 0) const;
  /// Exact top-k over exactly the given labels (tombstones, unknown labels and duplicates skipped).
  std::vector<QueryResult> searchSubset(const float* queries, size_t nq, int64_t k, const uint32_t* labels,
                                        size_t nLabels) const;

  /// Rewrites storage without tombstones and rebuilds the index. Returns, for every old label, its new
  /// label or -1 if it was removed.
  std::vector<int32_t> compact();

  /// Writes one file atomically (path + ".tmp", fsync, rename, fsync of the directory). Throws FileError(Io).
  void save(const std::string& path) const;
  /// Reads a file written by save(). With `expected`, the dimension, metric, kind and build parameters
  /// must match (search-time defaults efSearch/nprobe are taken from `expected`). Throws FileError;
  /// never modifies the file.
  static std::unique_ptr<VectorIndex> load(const std::string& path, const Settings* expected = nullptr);

  /// OpenMP threads each call uses (SAGE_DB_THREADS, default 1).
  static int threadsPerCall();
  /// Which distance kernels this CPU runs: "avx2" or "generic".
  static const char* simdLevel();
  /// FAISS version compiled in, e.g. "1.7.3".
  static std::string faissVersion();

  struct Impl;

 private:
  explicit VectorIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Current on-disk format version written by save().
constexpr uint32_t kFileFormatVersion = 1;

}  // namespace sagedb
