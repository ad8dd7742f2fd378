// save/load: round trips for every index state, and refusal of corrupt, truncated, foreign, newer and
// mismatching files without touching them.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>

#include "test_util.h"

using sagedb::ActiveIndex;
using sagedb::FileError;
using sagedb::FileErrorKind;
using sagedb::IndexKind;
using sagedb::Metric;
using sagedb::VectorIndex;
using testutil::settings;

namespace {

std::vector<char> readAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

void writeAll(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), std::streamsize(bytes.size()));
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

FileErrorKind loadError(const std::string& path, const sagedb::Settings* expected = nullptr) {
  try {
    VectorIndex::load(path, expected);
  } catch (const FileError& e) {
    return e.kind();
  }
  ADD_FAILURE() << "expected a FileError";
  return FileErrorKind::Io;
}

struct TempFile {
  std::string path = testutil::tempPath("index.sdbvi");
  ~TempFile() {
    std::remove(path.c_str());
    std::remove((path + ".tmp").c_str());
  }
};

/// A saved HNSW index with tombstones and its source data.
struct Saved {
  TempFile file;
  sagedb::Settings s = settings(16, Metric::L2, IndexKind::HNSW);
  Saved() {
    VectorIndex index(s);
    const auto data = testutil::clustered(500, 16, 71);
    index.add(data.data(), 500);
    const uint32_t gone[] = {1, 2, 3};
    index.remove(gone, 3);
    index.save(file.path);
  }
};

}  // namespace

TEST(FileFormat, RoundTripsEveryIndexState) {
  const size_t d = 32;
  const auto data = testutil::clustered(4000, d, 81);
  const auto queries = testutil::clustered(25, d, 82);
  struct Case {
    IndexKind kind;
    Metric metric;
    ActiveIndex expected;
  };
  const Case cases[] = {
      {IndexKind::Flat, Metric::L2, ActiveIndex::Exact},      {IndexKind::HNSW, Metric::Cosine, ActiveIndex::HNSW},
      {IndexKind::HNSW, Metric::IP, ActiveIndex::HNSW},       {IndexKind::IVFFlat, Metric::L2, ActiveIndex::IVFFlat},
      {IndexKind::IVFPQ, Metric::IP, ActiveIndex::IVFPQ},     {IndexKind::Auto, Metric::Cosine, ActiveIndex::HNSW},
  };
  for (const Case& c : cases) {
    auto s = settings(d, c.metric, c.kind);
    s.params.nlist = 16;
    s.params.pqM = 8;
    s.params.pqNbits = 6;
    s.params.autoThreshold = 1000;
    VectorIndex index(s);
    index.add(data.data(), 4000);
    ASSERT_EQ(index.activeIndex(), c.expected) << sagedb::toString(c.kind);
    std::vector<uint32_t> gone;
    for (uint32_t l = 0; l < 4000; l += 5) gone.push_back(l);
    index.remove(gone.data(), gone.size());
    TempFile file;
    index.save(file.path);
    EXPECT_FALSE(exists(file.path + ".tmp"));

    auto loaded = VectorIndex::load(file.path, &s);
    EXPECT_EQ(loaded->activeIndex(), c.expected);
    EXPECT_EQ(loaded->size(), index.size());
    EXPECT_EQ(loaded->nextLabel(), index.nextLabel());
    EXPECT_EQ(loaded->tombstones(), index.tombstones());
    EXPECT_EQ(loaded->nlist(), index.nlist());
    const auto a = index.search(queries.data(), 25, 10);
    const auto b = loaded->search(queries.data(), 25, 10);
    for (size_t q = 0; q < 25; q++) {
      EXPECT_EQ(a[q].labels, b[q].labels) << sagedb::toString(c.kind);
      EXPECT_EQ(a[q].scores, b[q].scores);
    }
    float x[d];
    float y[d];
    ASSERT_TRUE(index.vector(7, x));
    ASSERT_TRUE(loaded->vector(7, y));
    for (size_t j = 0; j < d; j++) EXPECT_EQ(x[j], y[j]);
    EXPECT_FALSE(loaded->vector(5, y));
    // The loaded index keeps working: new labels continue, new vectors are found.
    EXPECT_EQ(loaded->add(queries.data(), 1), 4000u);
    const auto again = loaded->search(queries.data(), 1, 1);
    EXPECT_EQ(again[0].labels[0], 4000u);
  }
}

TEST(FileFormat, SaveReplacesAnExistingFile) {
  TempFile file;
  VectorIndex a(settings(4, Metric::L2, IndexKind::Flat));
  const auto data = testutil::uniform(10, 4, 83);
  a.add(data.data(), 10);
  a.save(file.path);
  a.add(data.data(), 5);
  a.save(file.path);
  EXPECT_EQ(VectorIndex::load(file.path)->nextLabel(), 15u);
}

TEST(FileFormat, FlippedByteIsCorrupt) {
  Saved saved;
  auto bytes = readAll(saved.file.path);
  for (size_t offset : {size_t(200), bytes.size() / 2, bytes.size() - 20, bytes.size() - 1}) {
    auto copy = bytes;
    copy[offset] ^= 0x10;
    writeAll(saved.file.path, copy);
    EXPECT_EQ(loadError(saved.file.path), FileErrorKind::Corrupt) << "offset " << offset;
    EXPECT_EQ(readAll(saved.file.path), copy);  // never modified
  }
}

TEST(FileFormat, TruncatedIsCorrupt) {
  Saved saved;
  const auto bytes = readAll(saved.file.path);
  for (size_t size : {size_t(10), size_t(100), bytes.size() / 2, bytes.size() - 1}) {
    writeAll(saved.file.path, std::vector<char>(bytes.begin(), bytes.begin() + long(size)));
    EXPECT_EQ(loadError(saved.file.path), FileErrorKind::Corrupt) << "size " << size;
  }
  auto longer = bytes;
  longer.push_back('x');
  writeAll(saved.file.path, longer);
  EXPECT_EQ(loadError(saved.file.path), FileErrorKind::Corrupt);
}

TEST(FileFormat, ForeignFileIsNotAnIndexFile) {
  TempFile file;
  std::vector<char> random(4096);
  std::mt19937 rng(91);
  for (auto& c : random) c = char(rng());
  writeAll(file.path, random);
  EXPECT_EQ(loadError(file.path), FileErrorKind::NotAVectorIndexFile);
  writeAll(file.path, {});
  EXPECT_EQ(loadError(file.path), FileErrorKind::NotAVectorIndexFile);
  writeAll(file.path, {'S', 'A', 'G'});
  EXPECT_EQ(loadError(file.path), FileErrorKind::NotAVectorIndexFile);
}

TEST(FileFormat, NewerVersionIsUnsupported) {
  Saved saved;
  auto bytes = readAll(saved.file.path);
  bytes[8] = 2;  // u32 format version after the 8 magic bytes
  writeAll(saved.file.path, bytes);
  EXPECT_EQ(loadError(saved.file.path), FileErrorKind::UnsupportedVersion);
}

TEST(FileFormat, SettingsMismatchIsRefused) {
  Saved saved;
  auto other = saved.s;
  other.dimension = 8;
  EXPECT_EQ(loadError(saved.file.path, &other), FileErrorKind::SettingsMismatch);
  other = saved.s;
  other.metric = Metric::IP;
  EXPECT_EQ(loadError(saved.file.path, &other), FileErrorKind::SettingsMismatch);
  other = saved.s;
  other.params.M = 16;
  EXPECT_EQ(loadError(saved.file.path, &other), FileErrorKind::SettingsMismatch);
  // Search-time defaults may change between runs.
  other = saved.s;
  other.params.efSearch = 200;
  other.params.nprobe = 3;
  auto loaded = VectorIndex::load(saved.file.path, &other);
  EXPECT_EQ(loaded->settings().params.efSearch, 200);
  EXPECT_EQ(loaded->size(), 497u);
}

TEST(FileFormat, MissingFileIsIo) {
  EXPECT_EQ(loadError("/nonexistent/dir/index.sdbvi"), FileErrorKind::Io);
  VectorIndex index(settings(4, Metric::L2, IndexKind::Flat));
  try {
    index.save("/nonexistent/dir/index.sdbvi");
    ADD_FAILURE() << "expected a FileError";
  } catch (const FileError& e) {
    EXPECT_EQ(e.kind(), FileErrorKind::Io);
  }
}
