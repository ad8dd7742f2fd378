// Exact top-k over the flat store: a blocked scan with SIMD kernels for few queries, BLAS sgemm for
// batches, a bounded heap per query, and optional filtering by tombstone / allowed bitmaps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sagedb/types.h"

namespace sagedb::exact {

/// The rows to scan. Either a contiguous label range [begin, end) of the store, filtered by the bitmaps,
/// or an explicit list of (already filtered, distinct) labels.
struct Rows {
  const float* store = nullptr;  // label l starts at store + l * d
  const float* norms = nullptr;  // squared norms by label (needed for the L2 sgemm path), or nullptr
  uint32_t begin = 0;
  uint32_t end = 0;
  const uint8_t* tomb = nullptr;  // skip labels whose bit is set (nullptr: none)
  const uint8_t* allowed = nullptr;
  size_t allowedBytes = 0;
  const uint32_t* list = nullptr;  // when set, scan exactly these labels instead of the range
  size_t listSize = 0;
};

/// `l2`: rank by negative squared L2 distance, else by inner product. Queries are row-major nq x d.
std::vector<QueryResult> search(const float* queries, size_t nq, size_t d, bool l2, size_t k, const Rows& rows,
                                int threads);

/// Bounded best-k collector (higher score is better; ties go to the lower label).
class TopK {
 public:
  struct Entry {
    float score;
    uint32_t label;
  };
  explicit TopK(size_t k = 0) : k_(k) { heap_.reserve(k); }
  float threshold() const;
  void push(float score, uint32_t label);
  const std::vector<Entry>& entries() const { return heap_; }
  /// Sorted best-first result; leaves the collector empty.
  QueryResult take();

 private:
  size_t k_;
  std::vector<Entry> heap_;
};

}  // namespace sagedb::exact
