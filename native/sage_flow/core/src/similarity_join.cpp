#include "sageflow/similarity_join.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace sageflow {
namespace {

int64_t windowStart(int64_t timestamp, int64_t offset, int64_t size) {
  const int64_t remainder = (timestamp - offset) % size;
  return remainder < 0 ? timestamp - (remainder + size) : timestamp - remainder;
}

double norm(const float* vector, size_t dimension) {
  double sum = 0;
  for (size_t i = 0; i < dimension; ++i) sum += double(vector[i]) * double(vector[i]);
  return std::sqrt(sum);
}

}  // namespace

void JoinOutput::clear() {
  pairs.clear();
  released.clear();
  late.clear();
}

SimilarityJoin::SimilarityJoin(JoinConfig config) : config_(config) {
  if (config_.size <= 0 || config_.size > kMaxWatermark) {
    throw ConfigError("size must be a positive integer number of milliseconds, got " + std::to_string(config_.size));
  }
  if (config_.slide <= 0 || config_.slide > config_.size) {
    throw ConfigError("slide must be positive and not larger than size (" + std::to_string(config_.size) + "), got " +
                      std::to_string(config_.slide));
  }
  if (config_.offset <= -config_.slide || config_.offset >= config_.slide) {
    throw ConfigError("offset must be an integer with |offset| < " + std::to_string(config_.slide) + ", got " +
                      std::to_string(config_.offset));
  }
  if (!(config_.threshold >= -1 && config_.threshold <= 1)) {
    throw ConfigError("threshold must be a cosine similarity between -1 and 1");
  }
}

void SimilarityJoin::processBatch(int side, size_t n, uint32_t firstId, const double* timestamps, const float* vectors,
                                  size_t dimension, JoinOutput& out) {
  if (n == 0) return;
  if (side != 0 && side != 1) throw ConfigError("side must be 0 or 1");
  if (dimension_ == 0) dimension_ = dimension;
  if (dimension != dimension_) {
    throw ConfigError("vectors of mixed dimension: " + std::to_string(dimension) + " after " + std::to_string(dimension_));
  }
  for (size_t i = 0; i < n; ++i) {
    const int64_t timestamp = int64_t(timestamps[i]);
    const float* vector = vectors + i * dimension;
    const double length = norm(vector, dimension);
    const uint32_t id = firstId + uint32_t(i);
    bool added = false;
    for (int64_t start = windowStart(timestamp, config_.offset, config_.slide); start > timestamp - config_.size;
         start -= config_.slide) {
      if (start + config_.size - 1 <= watermark_) continue;
      Side& target = windows_[start].sides[side];
      target.ids.push_back(id);
      target.timestamps.push_back(timestamp);
      target.norms.push_back(length);
      target.vectors.insert(target.vectors.end(), vector, vector + dimension);
      added = true;
    }
    if (!added) {
      out.late.push_back(int32_t(i));
      out.released.push_back(id);
    }
  }
}

void SimilarityJoin::processWatermark(int64_t watermark, JoinOutput& out) {
  if (watermark <= watermark_) return;
  watermark_ = std::min(watermark, kMaxWatermark);
  const size_t d = dimension_;
  while (!windows_.empty() && windows_.begin()->first + config_.size - 1 <= watermark_) {
    const int64_t start = windows_.begin()->first;
    const int64_t end = start + config_.size;
    Window& window = windows_.begin()->second;
    const Side& left = window.sides[0];
    const Side& right = window.sides[1];
    const size_t first = out.pairs.size();
    for (size_t i = 0; i < left.ids.size(); ++i) {
      const float* a = left.vectors.data() + i * d;
      for (size_t j = 0; j < right.ids.size(); ++j) {
        const float* b = right.vectors.data() + j * d;
        double dot = 0;
        for (size_t k = 0; k < d; ++k) dot += double(a[k]) * double(b[k]);
        const double lengths = left.norms[i] * right.norms[j];
        const double score = lengths == 0 ? 0 : dot / lengths;
        if (score >= config_.threshold) out.pairs.push_back({start, end, left.ids[i], right.ids[j], score});
      }
    }
    // Left and right timestamps by id, for the order within the window.
    auto timestampOf = [](const Side& s, uint32_t id) {
      const auto position = std::lower_bound(s.ids.begin(), s.ids.end(), id);
      return s.timestamps[size_t(position - s.ids.begin())];
    };
    std::sort(out.pairs.begin() + std::ptrdiff_t(first), out.pairs.end(), [&](const JoinPair& x, const JoinPair& y) {
      if (x.score != y.score) return x.score > y.score;
      const int64_t xl = timestampOf(left, x.left), yl = timestampOf(left, y.left);
      if (xl != yl) return xl < yl;
      const int64_t xr = timestampOf(right, x.right), yr = timestampOf(right, y.right);
      if (xr != yr) return xr < yr;
      if (x.left != y.left) return x.left < y.left;
      return x.right < y.right;
    });
    // An element leaves with the newest window that holds it.
    for (const Side* side : {&left, &right}) {
      for (size_t i = 0; i < side->ids.size(); ++i) {
        if (windowStart(side->timestamps[i], config_.offset, config_.slide) == start) out.released.push_back(side->ids[i]);
      }
    }
    windows_.erase(windows_.begin());
  }
}

}  // namespace sageflow
