// Search semantics: exactness of flat, HNSW recall and filtering, allowed bitmaps, searchSubset.
#include <gtest/gtest.h>

#include <set>

#include "test_util.h"

using sagedb::ActiveIndex;
using sagedb::IndexKind;
using sagedb::Metric;
using sagedb::QueryResult;
using sagedb::SearchOptions;
using sagedb::VectorIndex;
using testutil::settings;

namespace {

/// Labels must equal the brute force ranking except where two neighbours are closer than float precision.
void expectSameRanking(const std::vector<QueryResult>& got, const std::vector<testutil::Truth>& truth,
                       double tolerance = 1e-4) {
  ASSERT_EQ(got.size(), truth.size());
  for (size_t q = 0; q < truth.size(); q++) {
    ASSERT_EQ(got[q].labels.size(), truth[q].labels.size()) << "query " << q;
    for (size_t i = 0; i < truth[q].labels.size(); i++) {
      EXPECT_NEAR(got[q].scores[i], truth[q].scores[i], tolerance * (1 + std::fabs(truth[q].scores[i])))
          << "query " << q << " rank " << i;
      if (got[q].labels[i] != truth[q].labels[i]) {
        // Only a near tie may swap places.
        EXPECT_NEAR(truth[q].scores[i], got[q].scores[i], tolerance * (1 + std::fabs(truth[q].scores[i])));
      }
    }
    for (size_t i = 1; i < got[q].scores.size(); i++) EXPECT_GE(got[q].scores[i - 1], got[q].scores[i]);
  }
}

std::vector<float> stored(const std::vector<float>& data, size_t d, Metric metric) {
  return metric == Metric::Cosine ? testutil::normalised(data, d) : data;
}

}  // namespace

TEST(Search, FlatEqualsBruteForce) {
  const size_t d = 37;  // not a multiple of the SIMD width
  const auto data = testutil::uniform(3000, d, 21);
  for (Metric metric : {Metric::L2, Metric::IP, Metric::Cosine}) {
    VectorIndex index(settings(d, metric, IndexKind::Flat));
    index.add(data.data(), 3000);
    const auto base = stored(data, d, metric);
    for (size_t nq : {size_t(1), size_t(3), size_t(50)}) {  // SIMD scan and sgemm paths
      const auto queries = testutil::uniform(nq, d, 22 + uint32_t(nq));
      const auto truth = testutil::bruteForce(base, stored(queries, d, metric), d, 10, metric);
      expectSameRanking(index.search(queries.data(), nq, 10), truth);
      expectSameRanking(index.searchExact(queries.data(), nq, 10), truth);
    }
  }
}

TEST(Search, KLargerThanSizeAndEmptyIndex) {
  for (IndexKind kind : {IndexKind::Flat, IndexKind::HNSW, IndexKind::Auto, IndexKind::IVFFlat}) {
    VectorIndex index(settings(8, Metric::L2, kind));
    const auto q = testutil::uniform(2, 8, 23);
    auto r = index.search(q.data(), 2, 5);
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].labels.size(), 0u);
    const auto data = testutil::uniform(7, 8, 24);
    index.add(data.data(), 7);
    r = index.search(q.data(), 2, 50);
    EXPECT_EQ(r[1].labels.size(), 7u);
    EXPECT_EQ(index.search(q.data(), 2, 0)[0].labels.size(), 0u);
  }
}

TEST(Search, HnswRecallAtEf128) {
  const size_t d = 64;
  const size_t n = 20000;
  const size_t nq = 200;
  const auto data = testutil::clustered(n, d, 31);
  const auto queries = testutil::clustered(nq, d, 32);
  VectorIndex index(settings(d, Metric::L2, IndexKind::HNSW));
  index.add(data.data(), n);
  const auto truth = index.searchExact(queries.data(), nq, 10);
  std::vector<testutil::Truth> t(nq);
  for (size_t q = 0; q < nq; q++) t[q].labels = truth[q].labels;
  SearchOptions options;
  options.efSearch = 128;
  const double r128 = testutil::recall(index.search(queries.data(), nq, 10, options), t);
  EXPECT_GE(r128, 0.95) << "recall@10 at efSearch 128";
  options.efSearch = 16;
  const double r16 = testutil::recall(index.search(queries.data(), nq, 10, options), t);
  EXPECT_LE(r16, r128);
  // L2 HNSW scores are negative squared distances equal to the exact ones.
  const auto got = index.search(queries.data(), 1, 1);
  EXPECT_NEAR(got[0].scores[0], truth[0].scores[0], 1e-3);
}

// Each thread reuses one visited table across calls and indexes: a query answers the same alone, in a
// batch, and after searches of a larger and a smaller index.
TEST(Search, HnswQueriesAnswerTheSameAloneInBatchesAndAcrossIndexes) {
  const size_t d = 32;
  const auto data = testutil::clustered(6000, d, 35);
  const auto queries = testutil::clustered(300, d, 36);
  VectorIndex small(settings(d, Metric::L2, IndexKind::HNSW));
  small.add(data.data(), 1500);
  VectorIndex large(settings(d, Metric::IP, IndexKind::HNSW));
  large.add(data.data(), 6000);
  const auto smallBatch = small.search(queries.data(), 300, 10);
  const auto largeBatch = large.search(queries.data(), 300, 10);
  for (size_t q = 0; q < 300; q++) {
    const auto a = small.search(queries.data() + q * d, 1, 10);
    const auto b = large.search(queries.data() + q * d, 1, 10);
    ASSERT_EQ(a[0].labels, smallBatch[q].labels) << "query " << q;
    ASSERT_EQ(b[0].labels, largeBatch[q].labels) << "query " << q;
    ASSERT_EQ(b[0].scores, largeBatch[q].scores) << "query " << q;
  }
}

TEST(Search, HnswInnerProductScoresAreInnerProducts) {
  const size_t d = 16;
  const auto data = testutil::uniform(2000, d, 33);
  VectorIndex index(settings(d, Metric::IP, IndexKind::HNSW));
  index.add(data.data(), 2000);
  const auto queries = testutil::uniform(20, d, 34);
  const auto got = index.search(queries.data(), 20, 5);
  const auto truth = testutil::bruteForce(data, queries, d, 5, Metric::IP);
  EXPECT_GE(testutil::recall(got, truth), 0.9);
  for (size_t q = 0; q < 20; q++)
    for (size_t i = 0; i < got[q].labels.size(); i++)
      EXPECT_NEAR(got[q].scores[i], testutil::score(queries.data() + q * d, data.data() + got[q].labels[i] * d, d, Metric::IP), 1e-4);
}

TEST(Search, EfSearchIsRaisedToK) {
  const size_t d = 8;
  auto s = settings(d, Metric::L2, IndexKind::HNSW);
  s.params.efSearch = 4;
  VectorIndex index(s);
  const auto data = testutil::uniform(1000, d, 35);
  index.add(data.data(), 1000);
  const auto r = index.search(data.data(), 1, 200);
  EXPECT_EQ(r[0].labels.size(), 200u);
  EXPECT_EQ(r[0].labels[0], 0u);
}

TEST(Search, TombstonesAreExcludedByEveryIndex) {
  const size_t d = 16;
  const size_t n = 3000;
  const auto data = testutil::clustered(n, d, 41);
  for (IndexKind kind : {IndexKind::Flat, IndexKind::HNSW, IndexKind::IVFFlat, IndexKind::IVFPQ}) {
    auto s = settings(d, Metric::L2, kind);
    s.params.nlist = 8;
    s.params.pqM = 4;
    s.params.pqNbits = 6;
    VectorIndex index(s);
    index.add(data.data(), n);
    if (kind != IndexKind::Flat) EXPECT_NE(index.activeIndex(), ActiveIndex::Exact);
    // Remove every query's own vector and its exact nearest neighbours' half.
    std::vector<uint32_t> gone;
    for (uint32_t l = 0; l < n; l += 2) gone.push_back(l);
    index.remove(gone.data(), gone.size());
    const auto got = index.search(data.data(), 100, 10);  // queries are stored vectors 0..99
    for (size_t q = 0; q < 100; q++) {
      EXPECT_GT(got[q].labels.size(), 0u);
      for (uint32_t l : got[q].labels) EXPECT_EQ(l % 2, 1u) << sagedb::toString(kind);
    }
  }
}

TEST(Search, AllowedBitmapIsRespected) {
  const size_t d = 16;
  const size_t n = 20000;
  const auto data = testutil::clustered(n, d, 51);
  const auto queries = testutil::clustered(30, d, 52);
  for (IndexKind kind : {IndexKind::Flat, IndexKind::HNSW, IndexKind::IVFFlat}) {
    auto s = settings(d, Metric::L2, kind);
    s.params.nlist = 32;
    s.params.nprobe = 32;
    VectorIndex index(s);
    index.add(data.data(), n);
    const uint32_t removed = 1;
    index.remove(&removed, 1);
    // Wide filter (the ANN path with an IDSelector) and a narrow one (the exact path over admitted labels).
    for (uint32_t mod : {3u, 97u}) {
      auto keep = [&](uint32_t l) { return l % mod == 1; };
      const auto allowed = testutil::bitmap(n, keep);
      SearchOptions o;
      o.allowed = allowed.data();
      o.allowedBytes = allowed.size();
      o.efSearch = 128;
      const auto got = index.search(queries.data(), 30, 10, o);
      const auto truth =
          testutil::bruteForce(data, queries, d, 10, Metric::L2, [&](uint32_t l) { return keep(l) && l != removed; });
      for (size_t q = 0; q < 30; q++) {
        EXPECT_EQ(got[q].labels.size(), 10u);
        for (uint32_t l : got[q].labels) {
          EXPECT_TRUE(keep(l)) << l;
          EXPECT_NE(l, removed);
        }
      }
      EXPECT_GE(testutil::recall(got, truth), mod == 97 ? 0.999 : 0.9) << sagedb::toString(kind) << " mod " << mod;
    }
    // A bitmap shorter than the label range excludes the labels past its end.
    const auto shortMap = testutil::bitmap(16, [](uint32_t) { return true; });
    SearchOptions o;
    o.allowed = shortMap.data();
    o.allowedBytes = shortMap.size();
    const auto got = index.search(queries.data(), 1, 10);
    const auto few = index.search(queries.data(), 1, 100, o);
    EXPECT_EQ(few[0].labels.size(), 15u);  // 16 labels minus the removed one
    for (uint32_t l : few[0].labels) EXPECT_LT(l, 16u);
    EXPECT_EQ(got[0].labels.size(), 10u);
  }
}

TEST(Search, SearchSubsetIsExactOverTheGivenLabels) {
  const size_t d = 24;
  const size_t n = 5000;
  const auto data = testutil::clustered(n, d, 61);
  const auto queries = testutil::clustered(20, d, 62);
  for (Metric metric : {Metric::L2, Metric::Cosine}) {
    VectorIndex index(settings(d, metric, IndexKind::HNSW));
    index.add(data.data(), n);
    const uint32_t removed = 10;
    index.remove(&removed, 1);
    std::vector<uint32_t> labels;
    for (uint32_t l = 0; l < n; l += 7) labels.push_back(l);
    labels.push_back(7);         // duplicate
    labels.push_back(10);        // removed (10 is not a multiple of 7, added explicitly)
    labels.push_back(n + 1000);  // unknown
    std::set<uint32_t> subset;
    for (uint32_t l = 0; l < n; l += 7) subset.insert(l);
    const auto base = stored(data, d, metric);
    for (size_t nq : {size_t(1), size_t(20)}) {
      const auto truth = testutil::bruteForce(base, stored(queries, d, metric), d, 10, metric,
                                              [&](uint32_t l) { return subset.count(l) > 0; });
      std::vector<testutil::Truth> t(truth.begin(), truth.begin() + nq);
      expectSameRanking(index.searchSubset(queries.data(), nq, 10, labels.data(), labels.size()), t);
    }
    const std::vector<uint32_t> tiny = {10, 3};
    const auto r = index.searchSubset(queries.data(), 1, 10, tiny.data(), tiny.size());
    ASSERT_EQ(r[0].labels.size(), 1u);
    EXPECT_EQ(r[0].labels[0], 3u);
  }
}

TEST(Search, PerCallEfSearchAboveTheIndexDefaultIsHonoured) {
  // FAISS 1.7.3 caps SearchParametersHNSW::efSearch at the index's hnsw.efSearch; the core works around it.
  const size_t d = 32;
  const size_t n = 20000;
  const auto data = testutil::uniform(n, d, 36);
  const auto queries = testutil::uniform(100, d, 37);
  auto s = settings(d, Metric::L2, IndexKind::HNSW);
  s.params.efSearch = 16;
  s.params.efConstruction = 100;
  VectorIndex index(s);
  index.add(data.data(), n);
  const auto truth = index.searchExact(queries.data(), 100, 10);
  std::vector<testutil::Truth> t(100);
  for (size_t q = 0; q < 100; q++) t[q].labels = truth[q].labels;
  const double atDefault = testutil::recall(index.search(queries.data(), 100, 10), t);
  SearchOptions wide;
  wide.efSearch = 400;
  const double atWide = testutil::recall(index.search(queries.data(), 100, 10, wide), t);
  EXPECT_GE(atWide, 0.97);
  EXPECT_GT(atWide, atDefault + 0.1) << atDefault;
  // And back down: a smaller value is not stuck at the larger one.
  EXPECT_NEAR(testutil::recall(index.search(queries.data(), 100, 10), t), atDefault, 1e-9);
}
