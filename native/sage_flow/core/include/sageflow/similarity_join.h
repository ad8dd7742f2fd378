// A windowed similarity join of two streams of embeddings: every pair (left, right) of one event-time window
// whose cosine similarity is at least a threshold, emitted when the window fires. No Node headers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "sageflow/window_engine.h"

namespace sageflow {

struct JoinConfig {
  int64_t size = 0;
  int64_t slide = 0;  // == size for tumbling windows
  int64_t offset = 0;
  double threshold = 0;
};

struct JoinPair {
  int64_t start;
  int64_t end;
  uint32_t left;
  uint32_t right;
  double score;
};

struct JoinOutput {
  std::vector<JoinPair> pairs;
  // Element ids no window holds any more: the caller can forget those elements.
  std::vector<uint32_t> released;
  std::vector<int32_t> late;

  void clear();
};

class SimilarityJoin {
 public:
  explicit SimilarityJoin(JoinConfig config);  // throws ConfigError

  // n elements of one side (0 = left, 1 = right) with ids firstId .. firstId + n - 1, integer millisecond
  // timestamps (checked by the caller) and n vectors of `dimension` floats back to back. Every call must use
  // the dimension of the first. Elements in no open window go to out.late (and out.released).
  void processBatch(int side, size_t n, uint32_t firstId, const double* timestamps, const float* vectors,
                    size_t dimension, JoinOutput& out);

  // Fires (and drops) every window whose maxTimestamp <= watermark, in window order; pairs of one window by
  // score (highest first), then left timestamp, right timestamp, left id and right id.
  void processWatermark(int64_t watermark, JoinOutput& out);

  size_t dimension() const { return dimension_; }
  size_t windowCount() const { return windows_.size(); }
  int64_t currentWatermark() const { return watermark_; }

 private:
  struct Side {
    std::vector<uint32_t> ids;
    std::vector<int64_t> timestamps;
    std::vector<double> norms;
    std::vector<float> vectors;
  };
  struct Window {
    Side sides[2];
  };

  JoinConfig config_;
  size_t dimension_ = 0;
  int64_t watermark_ = kMinWatermark;
  std::map<int64_t, Window> windows_;  // by start
};

}  // namespace sageflow
