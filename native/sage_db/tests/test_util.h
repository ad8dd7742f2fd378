// Shared helpers of the sage_db ctest suite: seeded data, brute-force ground truth, recall.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "sagedb/vector_index.h"

namespace testutil {

inline sagedb::Settings settings(int d, sagedb::Metric metric, sagedb::IndexKind kind) {
  sagedb::Settings s;
  s.dimension = d;
  s.metric = metric;
  s.kind = kind;
  return s;
}

/// Gaussian mixture: `clusters` centres in [-1, 1]^d, points at `spread` around them.
inline std::vector<float> clustered(size_t n, size_t d, uint32_t seed, size_t clusters = 64, float spread = 0.25f) {
  std::mt19937 rng(seed);
  std::mt19937 centreRng(4242);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::normal_distribution<float> g(0.0f, spread);
  std::vector<float> centres(clusters * d);
  for (auto& v : centres) v = u(centreRng);
  std::vector<float> out(n * d);
  std::uniform_int_distribution<size_t> pick(0, clusters - 1);
  for (size_t i = 0; i < n; i++) {
    const size_t c = pick(rng);
    for (size_t j = 0; j < d; j++) out[i * d + j] = centres[c * d + j] + g(rng);
  }
  return out;
}

inline std::vector<float> uniform(size_t n, size_t d, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> out(n * d);
  for (auto& v : out) v = u(rng);
  return out;
}

inline std::vector<float> normalised(std::vector<float> x, size_t d) {
  for (size_t i = 0; i < x.size() / d; i++) {
    double s = 0;
    for (size_t j = 0; j < d; j++) s += double(x[i * d + j]) * x[i * d + j];
    const double norm = std::sqrt(s);
    if (norm > 0)
      for (size_t j = 0; j < d; j++) x[i * d + j] = float(x[i * d + j] / norm);
  }
  return x;
}

/// Score in double precision, higher is closer.
inline double score(const float* a, const float* b, size_t d, sagedb::Metric metric) {
  double s = 0;
  for (size_t j = 0; j < d; j++) {
    if (metric == sagedb::Metric::L2) {
      const double t = double(a[j]) - b[j];
      s += t * t;
    } else {
      s += double(a[j]) * b[j];
    }
  }
  return metric == sagedb::Metric::L2 ? -s : s;
}

struct Truth {
  std::vector<uint32_t> labels;
  std::vector<double> scores;
};

/// Brute-force top-k over `data` (already normalised for cosine) among labels accepted by `keep`.
inline std::vector<Truth> bruteForce(const std::vector<float>& data, const std::vector<float>& queries, size_t d,
                                     size_t k, sagedb::Metric metric,
                                     const std::function<bool(uint32_t)>& keep = nullptr) {
  const size_t n = data.size() / d;
  const size_t nq = queries.size() / d;
  std::vector<Truth> out(nq);
  for (size_t q = 0; q < nq; q++) {
    std::vector<std::pair<double, uint32_t>> all;
    for (uint32_t i = 0; i < n; i++) {
      if (keep && !keep(i)) continue;
      all.emplace_back(score(queries.data() + q * d, data.data() + size_t(i) * d, d, metric), i);
    }
    const size_t kk = std::min(k, all.size());
    std::partial_sort(all.begin(), all.begin() + kk, all.end(), [](const auto& a, const auto& b) {
      return a.first > b.first || (a.first == b.first && a.second < b.second);
    });
    for (size_t i = 0; i < kk; i++) {
      out[q].labels.push_back(all[i].second);
      out[q].scores.push_back(all[i].first);
    }
  }
  return out;
}

inline double recall(const std::vector<sagedb::QueryResult>& got, const std::vector<Truth>& truth) {
  size_t hit = 0;
  size_t total = 0;
  for (size_t q = 0; q < truth.size(); q++) {
    std::set<uint32_t> expected(truth[q].labels.begin(), truth[q].labels.end());
    total += expected.size();
    for (uint32_t l : got[q].labels) hit += expected.count(l);
  }
  return total == 0 ? 1.0 : double(hit) / double(total);
}

inline std::vector<uint8_t> bitmap(size_t n, const std::function<bool(uint32_t)>& on) {
  std::vector<uint8_t> b((n + 7) / 8, 0);
  for (uint32_t i = 0; i < n; i++)
    if (on(i)) b[i >> 3] |= uint8_t(1u << (i & 7));
  return b;
}

inline std::string tempPath(const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  std::random_device rd;
  return std::string(dir != nullptr ? dir : "/tmp") + "/sagedb-test-" + std::to_string(rd()) + "-" + name;
}

}  // namespace testutil
