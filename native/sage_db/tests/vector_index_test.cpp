// Construction, validation, labels, tombstones, vector(), index switching (ivf training, auto), compact.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "test_util.h"

using sagedb::ActiveIndex;
using sagedb::IndexKind;
using sagedb::Metric;
using sagedb::VectorIndex;
using testutil::settings;

namespace {
std::string messageOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(VectorIndex, RejectsBadSettings) {
  EXPECT_THROW(VectorIndex(settings(0, Metric::L2, IndexKind::Flat)), std::invalid_argument);
  auto s = settings(30, Metric::L2, IndexKind::IVFPQ);
  s.params.pqM = 8;
  const std::string message = messageOf([&] { VectorIndex index(s); });
  EXPECT_NE(message.find("pqM (8) must divide the dimension (30)"), std::string::npos) << message;
  auto bad = settings(8, Metric::L2, IndexKind::HNSW);
  bad.params.M = 1;
  EXPECT_THROW(VectorIndex index(bad), std::invalid_argument);
  EXPECT_THROW(sagedb::parseMetric("euclid"), std::invalid_argument);
  EXPECT_EQ(sagedb::parseIndexKind("ivf_pq"), IndexKind::IVFPQ);
}

TEST(VectorIndex, AssignsConsecutiveLabels) {
  VectorIndex index(settings(4, Metric::L2, IndexKind::Flat));
  const auto a = testutil::uniform(3, 4, 1);
  const auto b = testutil::uniform(5, 4, 2);
  EXPECT_EQ(index.add(a.data(), 3), 0u);
  EXPECT_EQ(index.add(b.data(), 5), 3u);
  EXPECT_EQ(index.add(b.data(), 0), 8u);
  EXPECT_EQ(index.size(), 8u);
  EXPECT_EQ(index.nextLabel(), 8u);
  float out[4];
  ASSERT_TRUE(index.vector(4, out));
  for (int j = 0; j < 4; j++) EXPECT_EQ(out[j], b[4 + j]);
  EXPECT_FALSE(index.vector(8, out));
}

TEST(VectorIndex, RejectsNonFiniteComponents) {
  VectorIndex index(settings(3, Metric::L2, IndexKind::HNSW));
  std::vector<float> v = {0, 1, 2, 3, std::numeric_limits<float>::quiet_NaN(), 5};
  const std::string message = messageOf([&] { index.add(v.data(), 2); });
  EXPECT_NE(message.find("vector 1 has a non-finite component 1"), std::string::npos) << message;
  EXPECT_EQ(index.size(), 0u);
  v[4] = std::numeric_limits<float>::infinity();
  EXPECT_THROW(index.search(v.data() + 3, 1, 1), std::invalid_argument);
  EXPECT_THROW(index.search(v.data(), 1, -1), std::invalid_argument);
}

TEST(VectorIndex, CosineNormalisesStoredVectorsAndQueries) {
  VectorIndex index(settings(3, Metric::Cosine, IndexKind::Flat));
  const std::vector<float> v = {3, 4, 0, 0, 0, 2, 0, 0, 0};  // the zero vector stays zero
  index.add(v.data(), 3);
  float out[3];
  ASSERT_TRUE(index.vector(0, out));
  EXPECT_NEAR(out[0], 0.6, 1e-6);
  EXPECT_NEAR(out[1], 0.8, 1e-6);
  ASSERT_TRUE(index.vector(2, out));
  EXPECT_EQ(out[0], 0.0f);
  const std::vector<float> q = {0, 10, 10};
  const auto r = index.search(q.data(), 1, 3);
  ASSERT_EQ(r[0].labels.size(), 3u);
  EXPECT_EQ(r[0].labels[0], 1u);
  EXPECT_NEAR(r[0].scores[0], 1 / std::sqrt(2.0), 1e-6);  // cos((0,1,1), (0,0,1))
  EXPECT_NEAR(r[0].scores[1], 0.8 / std::sqrt(2.0), 1e-6);
  EXPECT_NEAR(r[0].scores[2], 0.0, 1e-6);
}

TEST(VectorIndex, RemoveMarksTombstones) {
  VectorIndex index(settings(4, Metric::L2, IndexKind::Flat));
  const auto data = testutil::uniform(10, 4, 3);
  index.add(data.data(), 10);
  const std::vector<uint32_t> labels = {2, 5, 5, 99, 2};
  EXPECT_EQ(index.remove(labels.data(), labels.size()), 2u);
  EXPECT_EQ(index.remove(labels.data(), labels.size()), 0u);
  EXPECT_EQ(index.size(), 8u);
  EXPECT_EQ(index.nextLabel(), 10u);
  EXPECT_EQ(index.tombstones(), 2u);
  float out[4];
  EXPECT_FALSE(index.vector(2, out));
  EXPECT_TRUE(index.vector(3, out));
  EXPECT_EQ(index.add(data.data(), 1), 10u);  // labels are never reused
}

TEST(VectorIndex, IvfTrainsOnceItHoldsEnoughVectors) {
  const size_t d = 16;
  auto s = settings(d, Metric::L2, IndexKind::IVFFlat);
  s.params.nlist = 16;
  s.params.nprobe = 16;
  VectorIndex index(s);
  const auto data = testutil::clustered(2000, d, 5);
  index.add(data.data(), 600);  // < 39 * 16 = 624
  EXPECT_EQ(index.activeIndex(), ActiveIndex::Exact);
  EXPECT_EQ(index.nlist(), 0);
  const auto before = index.search(data.data(), 3, 5);
  EXPECT_EQ(before[0].labels[0], 0u);
  index.add(data.data() + 600 * d, 1400);
  EXPECT_EQ(index.activeIndex(), ActiveIndex::IVFFlat);
  EXPECT_EQ(index.nlist(), 16);
  const auto queries = testutil::clustered(50, d, 6);
  const auto truth = testutil::bruteForce(data, queries, d, 10, Metric::L2);
  // nprobe == nlist: every list is scanned, so IVF-Flat is exact.
  EXPECT_GE(testutil::recall(index.search(queries.data(), 50, 10), truth), 0.999);
  sagedb::SearchOptions one;
  one.nprobe = 1;
  const double r1 = testutil::recall(index.search(queries.data(), 50, 10, one), truth);
  EXPECT_GT(r1, 0.3);
}

TEST(VectorIndex, IvfPqTrainsAndRerankExactly) {
  const size_t d = 32;
  auto s = settings(d, Metric::L2, IndexKind::IVFPQ);
  s.params.nlist = 8;
  s.params.pqM = 8;
  s.params.pqNbits = 6;  // trains at max(39 * 8, 39 * 64) = 2496
  s.params.nprobe = 8;
  VectorIndex index(s);
  const auto data = testutil::clustered(3000, d, 7);
  index.add(data.data(), 2400);
  EXPECT_EQ(index.activeIndex(), ActiveIndex::Exact);
  index.add(data.data() + 2400 * d, 600);
  EXPECT_EQ(index.activeIndex(), ActiveIndex::IVFPQ);
  const auto queries = testutil::clustered(50, d, 8);
  const auto truth = testutil::bruteForce(data, queries, d, 10, Metric::L2);
  const auto got = index.search(queries.data(), 50, 10);
  EXPECT_GE(testutil::recall(got, truth), 0.8);
  // Scores are exact distances (re-ranked from the store), not PQ approximations.
  for (size_t q = 0; q < 50; q++) {
    for (size_t i = 0; i < got[q].labels.size(); i++) {
      const double exact = testutil::score(queries.data() + q * d, data.data() + got[q].labels[i] * d, d, Metric::L2);
      EXPECT_NEAR(got[q].scores[i], exact, 1e-3);
    }
  }
}

TEST(VectorIndex, AutoSwitchesToHnswAtThreshold) {
  const size_t d = 16;
  auto s = settings(d, Metric::Cosine, IndexKind::Auto);
  s.params.autoThreshold = 500;
  VectorIndex index(s);
  const auto data = testutil::clustered(800, d, 9);
  index.add(data.data(), 499);
  EXPECT_EQ(index.activeIndex(), ActiveIndex::Exact);
  const uint32_t one = 3;
  index.remove(&one, 1);
  index.add(data.data() + 499 * d, 1);  // 499 live
  EXPECT_EQ(index.activeIndex(), ActiveIndex::Exact);
  index.add(data.data() + 500 * d, 300);
  EXPECT_EQ(index.activeIndex(), ActiveIndex::HNSW);
  EXPECT_EQ(index.kind(), IndexKind::Auto);
  const auto stored = testutil::normalised(data, d);
  const auto queries = testutil::normalised(testutil::clustered(40, d, 10), d);
  const auto truth = testutil::bruteForce(stored, queries, d, 10, Metric::Cosine, [](uint32_t l) { return l != 3; });
  const auto got = index.search(queries.data(), 40, 10);
  EXPECT_GE(testutil::recall(got, truth), 0.95);
  for (const auto& r : got)
    for (uint32_t l : r.labels) EXPECT_NE(l, 3u);
}

TEST(VectorIndex, CompactRemapsAndRebuilds) {
  const size_t d = 8;
  for (IndexKind kind : {IndexKind::Flat, IndexKind::HNSW}) {
    VectorIndex index(settings(d, Metric::L2, kind));
    const auto data = testutil::clustered(300, d, 11);
    index.add(data.data(), 300);
    std::vector<uint32_t> gone;
    for (uint32_t l = 0; l < 300; l += 3) gone.push_back(l);
    index.remove(gone.data(), gone.size());
    const auto queries = testutil::clustered(20, d, 12);
    const auto before = index.searchExact(queries.data(), 20, 10);
    const auto remap = index.compact();
    ASSERT_EQ(remap.size(), 300u);
    EXPECT_EQ(index.size(), 200u);
    EXPECT_EQ(index.nextLabel(), 200u);
    EXPECT_EQ(index.tombstones(), 0u);
    int32_t next = 0;
    for (uint32_t l = 0; l < 300; l++) {
      if (l % 3 == 0) {
        EXPECT_EQ(remap[l], -1);
      } else {
        EXPECT_EQ(remap[l], next++);
        float out[d];
        ASSERT_TRUE(index.vector(uint32_t(remap[l]), out));
        for (size_t j = 0; j < d; j++) EXPECT_EQ(out[j], data[l * d + j]);
      }
    }
    const auto after = index.search(queries.data(), 20, 10);
    for (size_t q = 0; q < 20; q++) {
      ASSERT_EQ(after[q].labels.size(), before[q].labels.size());
      for (size_t i = 0; i < before[q].labels.size(); i++) {
        EXPECT_EQ(after[q].labels[i], uint32_t(remap[before[q].labels[i]]));
      }
    }
    EXPECT_EQ(index.add(data.data(), 1), 200u);
    EXPECT_EQ(index.activeIndex(), kind == IndexKind::HNSW ? ActiveIndex::HNSW : ActiveIndex::Exact);
  }
}

TEST(VectorIndex, CompactWithoutTombstonesIsIdentity) {
  VectorIndex index(settings(4, Metric::IP, IndexKind::Flat));
  const auto data = testutil::uniform(5, 4, 13);
  index.add(data.data(), 5);
  const auto remap = index.compact();
  ASSERT_EQ(remap.size(), 5u);
  for (int32_t i = 0; i < 5; i++) EXPECT_EQ(remap[size_t(i)], i);
}
