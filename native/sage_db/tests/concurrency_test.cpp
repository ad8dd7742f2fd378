// Searches, vector() and sync getters running while adds, removes and compactions arrive.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "test_util.h"

using sagedb::ActiveIndex;
using sagedb::IndexKind;
using sagedb::Metric;
using sagedb::VectorIndex;
using testutil::settings;

namespace {

void hammer(IndexKind kind, bool compactToo) {
  const size_t d = 32;
  const size_t batches = 40;
  const size_t batch = 250;
  auto s = settings(d, Metric::L2, kind);
  s.params.autoThreshold = 3000;  // auto switches to HNSW midway, under load
  s.params.nlist = 16;
  VectorIndex index(s);
  const auto data = testutil::clustered(batches * batch, d, 101);
  const auto queries = testutil::clustered(16, d, 102);
  index.add(data.data(), batch);

  std::atomic<bool> done{false};
  std::atomic<size_t> searches{0};
  std::atomic<size_t> problems{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; t++) {
    readers.emplace_back([&, t] {
      float v[d];
      while (!done.load()) {
        const auto r = index.search(queries.data() + (t % 16) * d, 1 + t % 3, 10);
        for (const auto& q : r) {
          if (q.labels.empty()) problems++;
          for (size_t i = 0; i < q.labels.size(); i++) {
            if (!compactToo && q.labels[i] >= index.nextLabel()) problems++;
            if (i > 0 && q.scores[i] > q.scores[i - 1]) problems++;
          }
        }
        (void)index.vector(static_cast<uint32_t>(t), v);
        (void)index.size();
        searches++;
      }
    });
  }
  for (size_t b = 1; b < batches; b++) {
    // Interleave for sure: a flat add is fast enough to finish before the readers start otherwise.
    while (searches.load() < b) std::this_thread::yield();
    index.add(data.data() + b * batch * d, batch);
    std::vector<uint32_t> gone;
    for (uint32_t l = uint32_t((b - 1) * batch); l < b * batch; l++)
      if (l % 10 == 9) gone.push_back(l);
    index.remove(gone.data(), gone.size());
    if (compactToo && b % 10 == 0) index.compact();
  }
  done = true;
  for (auto& th : readers) th.join();
  EXPECT_EQ(problems.load(), 0u) << sagedb::toString(kind);
  EXPECT_GE(searches.load(), batches - 1);
  if (kind == IndexKind::Auto) EXPECT_EQ(index.activeIndex(), ActiveIndex::HNSW);
  if (kind == IndexKind::IVFFlat) EXPECT_EQ(index.activeIndex(), ActiveIndex::IVFFlat);

  // Consistent end state: every search excludes the tombstones and the exact scan agrees with brute force.
  const auto exact = index.searchExact(queries.data(), 16, 10);
  for (const auto& q : exact) {
    EXPECT_EQ(q.labels.size(), 10u);
    float v[d];
    for (uint32_t l : q.labels) EXPECT_TRUE(index.vector(l, v));
  }
  if (!compactToo) {
    EXPECT_EQ(index.nextLabel(), batches * batch);
    for (const auto& q : index.search(queries.data(), 16, 10))
      for (uint32_t l : q.labels)
        if (l < (batches - 1) * batch) EXPECT_NE(l % 10, 9u);
  }
}

}  // namespace

TEST(Concurrency, SearchesWithDifferentEfSearchValues) {
  const size_t d = 16;
  VectorIndex index(settings(d, Metric::L2, IndexKind::HNSW));
  const auto data = testutil::uniform(5000, d, 103);
  index.add(data.data(), 5000);
  const auto queries = testutil::uniform(64, d, 104);
  const auto truth = index.searchExact(queries.data(), 64, 10);
  std::vector<std::vector<sagedb::QueryResult>> serial;
  for (int ef : {10, 40, 160, 640}) {
    sagedb::SearchOptions o;
    o.efSearch = ef;
    serial.push_back(index.search(queries.data(), 64, 10, o));
  }
  std::atomic<size_t> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; t++) {
    threads.emplace_back([&, t] {
      const int efs[] = {10, 40, 160, 640};
      for (int round = 0; round < 30; round++) {
        const int which = (t + round) % 4;
        sagedb::SearchOptions o;
        o.efSearch = efs[which];
        const size_t q = size_t(round + t) % 64;
        const auto r = index.search(queries.data() + q * d, 1, 10, o);
        if (r[0].labels != serial[size_t(which)][q].labels) mismatches++;
      }
    });
  }
  for (auto& th : threads) th.join();
  // Each efSearch gives exactly the results it gives alone (HNSW search is deterministic).
  EXPECT_EQ(mismatches.load(), 0u);
}

TEST(Concurrency, SearchesProgressDuringALargeHnswAdd) {
  const size_t d = 32;
  VectorIndex index(settings(d, Metric::L2, IndexKind::HNSW));
  const auto data = testutil::clustered(12000, d, 105);
  index.add(data.data(), 1000);
  std::atomic<bool> adding{true};
  std::thread writer([&] {
    index.add(data.data() + 1000 * d, 11000);  // inserted in chunks: searches get turns in between
    adding = false;
  });
  size_t duringAdd = 0;
  while (adding.load()) {
    const auto r = index.search(data.data(), 1, 5);
    EXPECT_EQ(r[0].labels.size(), 5u);
    if (adding.load()) duringAdd++;
  }
  writer.join();
  EXPECT_GT(duringAdd, 5u);
  EXPECT_EQ(index.size(), 12000u);
  const auto self = index.search(data.data() + 11999 * d, 1, 1);
  EXPECT_EQ(self[0].labels[0], 11999u);
}

TEST(Concurrency, SearchesDuringAddsFlat) { hammer(IndexKind::Flat, false); }
TEST(Concurrency, SearchesDuringAddsHnsw) { hammer(IndexKind::HNSW, false); }
TEST(Concurrency, SearchesDuringAutoSwitch) { hammer(IndexKind::Auto, false); }
TEST(Concurrency, SearchesDuringIvfTraining) { hammer(IndexKind::IVFFlat, false); }
TEST(Concurrency, SearchesDuringCompaction) { hammer(IndexKind::HNSW, true); }
