// What the core assumes about the FAISS it links (Debian's 1.7.3). If one of these fails after a FAISS
// upgrade, revisit the code named in the test.
#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/impl/IDSelector.h>
#include <gtest/gtest.h>

#include <vector>

#include "test_util.h"

namespace {
using Idx = faiss::Index::idx_t;

std::vector<uint8_t> evenBitmap(size_t n) {
  return testutil::bitmap(n, [](uint32_t l) { return l % 2 == 0; });
}
}  // namespace

// vector_index.cpp passes a LabelFilter (allowed AND not tombstoned) to HNSW searches instead of
// oversampling and post-filtering.
TEST(Faiss, HnswSearchHonoursIdSelector) {
  const int d = 16;
  const size_t n = 5000;
  const auto data = testutil::uniform(n, d, 1);
  faiss::IndexHNSWFlat index(d, 16);
  index.add(Idx(n), data.data());
  const auto bits = evenBitmap(n);
  faiss::IDSelectorBitmap sel(n, bits.data());
  faiss::SearchParametersHNSW params;
  params.efSearch = 64;
  params.sel = &sel;
  const int k = 10;
  std::vector<float> dist(100 * k);
  std::vector<Idx> ids(100 * k);
  index.hnsw.efSearch = 64;
  index.search(100, data.data(), k, dist.data(), ids.data(), &params);
  size_t found = 0;
  for (Idx id : ids) {
    if (id < 0) continue;
    found++;
    EXPECT_EQ(id % 2, 0) << "an excluded id was returned";
  }
  EXPECT_EQ(found, size_t(100 * k));  // half the ids allowed: every query still fills k
}

TEST(Faiss, IvfSearchHonoursIdSelector) {
  const int d = 16;
  const size_t n = 5000;
  const auto data = testutil::uniform(n, d, 2);
  faiss::IndexFlatL2 quantizer(d);
  faiss::IndexIVFFlat index(&quantizer, d, 16);
  index.train(Idx(n), data.data());
  index.add(Idx(n), data.data());
  const auto bits = evenBitmap(n);
  faiss::IDSelectorBitmap sel(n, bits.data());
  faiss::SearchParametersIVF params;
  params.nprobe = 4;
  params.sel = &sel;
  std::vector<float> dist(100 * 10);
  std::vector<Idx> ids(100 * 10);
  index.search(100, data.data(), 10, dist.data(), ids.data(), &params);
  for (Idx id : ids)
    if (id >= 0) EXPECT_EQ(id % 2, 0);
}
