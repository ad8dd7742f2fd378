#include "sageflow/window_engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <vector>

using sageflow::AggregateKind;
using sageflow::AssignerKind;
using sageflow::BatchOutput;
using sageflow::EngineConfig;
using sageflow::WindowEngine;

namespace {

EngineConfig sliding(int64_t size, int64_t slide, AggregateKind aggregate) {
  EngineConfig config;
  config.assigner = AssignerKind::Sliding;
  config.size = size;
  config.slide = slide;
  config.aggregate = aggregate;
  return config;
}

EngineConfig tumbling(int64_t size, AggregateKind aggregate, int64_t lateness = 0) {
  EngineConfig config = sliding(size, 0, aggregate);
  config.assigner = AssignerKind::Tumbling;
  config.allowedLateness = lateness;
  return config;
}

struct Feed {
  std::vector<int32_t> keys;
  std::vector<double> timestamps;
  std::vector<double> values;

  void add(int32_t key, double timestamp, double value = 0) {
    keys.push_back(key);
    timestamps.push_back(timestamp);
    values.push_back(value);
  }
  void into(WindowEngine& engine, BatchOutput& out) const {
    engine.processBatch(keys.size(), keys.data(), timestamps.data(), values.data(), nullptr, nullptr, out);
  }
};

// Names key i names[i], puts one record of each key into one tumbling window and fires it: the windows must come
// in string order of the names (key id order between equal names, as the engine breaks ties).
void expectOneFiringInNameOrder(const std::vector<std::u16string>& names, std::mt19937& random) {
  WindowEngine engine(tumbling(10, AggregateKind::Count));
  Feed feed;
  for (size_t i = 0; i < names.size(); ++i) {
    engine.setKeyName(int32_t(i), names[i]);
    feed.add(int32_t(i), double(random() % 10));
  }
  BatchOutput out;
  feed.into(engine, out);
  engine.processWatermark(9, out);
  std::vector<int32_t> expected(names.size());
  std::iota(expected.begin(), expected.end(), 0);
  std::stable_sort(expected.begin(), expected.end(), [&](int32_t a, int32_t b) { return names[size_t(a)] < names[size_t(b)]; });
  ASSERT_EQ(out.fired.size(), names.size());
  for (size_t i = 0; i < expected.size(); ++i) ASSERT_EQ(out.fired[i].key, expected[i]) << "position " << i;
}

}  // namespace

TEST(WindowEngine, TumblingCountFiresAtMaxTimestampInKeyOrder) {
  WindowEngine engine(tumbling(10, AggregateKind::Count));
  engine.setKeyName(0, u"s:b");
  engine.setKeyName(1, u"s:a");
  Feed feed;
  feed.add(0, 1);
  feed.add(1, 2);
  feed.add(0, 9);
  feed.add(0, 10);
  BatchOutput out;
  feed.into(engine, out);
  EXPECT_TRUE(out.fired.empty());
  engine.processWatermark(8, out);
  EXPECT_TRUE(out.fired.empty());
  engine.processWatermark(9, out);
  ASSERT_EQ(out.fired.size(), 2u);
  EXPECT_EQ(out.fired[0].key, 1);  // "s:a" before "s:b"
  EXPECT_EQ(out.fired[0].value, 1);
  EXPECT_EQ(out.fired[1].key, 0);
  EXPECT_EQ(out.fired[1].value, 2);
  EXPECT_EQ(out.fired[1].start, 0);
  EXPECT_EQ(out.fired[1].end, 10);
  EXPECT_EQ(engine.windowCount(), 1u);
  // Key 1 has no window left; key 0 still has [10,20).
  EXPECT_EQ(out.releasedKeys, std::vector<int32_t>{1});
}

// The firing order compares packed name prefixes first: it must still be JavaScript's string order for
// names that are prefixes of each other, share their first eight code units, use high code units, or are
// renamed when an id is reused.
TEST(WindowEngine, OneWatermarkFiresInKeyNameOrder) {
  WindowEngine engine(tumbling(10, AggregateKind::Count));
  const std::vector<std::u16string> names = {u"n:10", u"n:1", u"n:2", u"s:abcdefgh-b", u"s:abcdefgh-a", u"s:abcdefgh",
                                             u"s:\uffff", u"s:\u00e9", u"s:z"};
  // JavaScript's order of the names above (UTF-16 code unit comparison).
  const std::vector<int32_t> expected = {1, 0, 2, 5, 4, 3, 8, 7, 6};
  Feed feed;
  for (size_t i = 0; i < names.size(); ++i) {
    engine.setKeyName(int32_t(i), names[i]);
    feed.add(int32_t(i), 5);
  }
  BatchOutput out;
  feed.into(engine, out);
  engine.processWatermark(9, out);
  ASSERT_EQ(out.fired.size(), names.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(out.fired[i].key, expected[i]) << "position " << i;

  // Id 1 is reused for a name that now sorts last; windows of several ends fire in end order first.
  engine.setKeyName(1, u"s:zz");
  Feed next;
  next.add(1, 12);
  next.add(0, 12);
  next.add(2, 25);
  out.clear();
  next.into(engine, out);
  engine.processWatermark(29, out);
  ASSERT_EQ(out.fired.size(), 3u);
  EXPECT_EQ(out.fired[0].key, 0);
  EXPECT_EQ(out.fired[1].key, 1);
  EXPECT_EQ(out.fired[2].key, 2);
}

// Thousands of windows of one end are sorted by radix on the name prefixes: the order must be JavaScript's
// string order for every mix of names (shared prefixes, prefixes of each other, high code units).
TEST(WindowEngine, ManyWindowsOfOneEndFireInKeyNameOrder) {
  std::mt19937 random(7);
  const std::u16string alphabet = u"0129:az-\u00e9\u0100\uffff";
  std::vector<std::u16string> names;
  while (names.size() < 3000) {
    std::u16string name = names.empty() || random() % 3 == 0 ? u"" : names[random() % names.size()].substr(0, random() % 10);
    const size_t extra = 1 + random() % 10;
    for (size_t i = 0; i < extra; ++i) name += alphabet[random() % alphabet.size()];
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  expectOneFiringInNameOrder(names, random);
}

TEST(WindowEngine, NegativeTimestampsAlignToTheEpoch) {
  WindowEngine engine(tumbling(10, AggregateKind::Sum));
  Feed feed;
  feed.add(0, -1, 2);
  feed.add(0, -10, 3);
  feed.add(0, -11, 5);
  BatchOutput out;
  feed.into(engine, out);
  engine.processWatermark(sageflow::kMaxWatermark, out);
  ASSERT_EQ(out.fired.size(), 2u);
  EXPECT_EQ(out.fired[0].start, -20);
  EXPECT_EQ(out.fired[0].value, 5);
  EXPECT_EQ(out.fired[1].start, -10);
  EXPECT_EQ(out.fired[1].value, 5);
}

TEST(WindowEngine, SlidingPutsEachElementInSizeOverSlideWindows) {
  WindowEngine engine(sliding(10, 2, AggregateKind::Count));
  Feed feed;
  feed.add(0, 7);
  BatchOutput out;
  feed.into(engine, out);
  EXPECT_EQ(engine.windowCount(), 5u);
  engine.processWatermark(sageflow::kMaxWatermark, out);
  ASSERT_EQ(out.fired.size(), 5u);
  EXPECT_EQ(out.fired[0].start, -2);
  EXPECT_EQ(out.fired[4].start, 6);
  EXPECT_EQ(engine.windowCount(), 0u);
}

TEST(WindowEngine, SessionsMergeWhenTheyTouch) {
  EngineConfig config;
  config.assigner = AssignerKind::Session;
  config.gap = 5;
  config.aggregate = AggregateKind::Max;
  WindowEngine engine(config);
  Feed feed;
  feed.add(0, 0, 1);
  feed.add(0, 10, 7);
  feed.add(0, 5, 3);  // [5,10) touches [0,5) and [10,15): one session [0,15)
  feed.add(0, 30, 2);
  BatchOutput out;
  feed.into(engine, out);
  EXPECT_EQ(engine.windowCount(), 2u);
  engine.processWatermark(sageflow::kMaxWatermark, out);
  ASSERT_EQ(out.fired.size(), 2u);
  EXPECT_EQ(out.fired[0].start, 0);
  EXPECT_EQ(out.fired[0].end, 15);
  EXPECT_EQ(out.fired[0].value, 7);
  EXPECT_EQ(out.fired[1].start, 30);
}

TEST(WindowEngine, LateRecordsAreReportedAndAcceptedLateRecordsFireAgain) {
  WindowEngine engine(tumbling(10, AggregateKind::Count, 5));
  Feed first;
  first.add(0, 3);
  BatchOutput out;
  first.into(engine, out);
  engine.processWatermark(9, out);
  ASSERT_EQ(out.fired.size(), 1u);
  out.clear();
  Feed second;
  second.add(0, 4);  // 4 + 5 > 9: accepted, fires [0,10) again with 2
  second.add(0, 4);
  second.add(0, 4);
  second.add(0, 4);
  second.add(0, 4);
  second.add(0, 4);
  second.into(engine, out);
  ASSERT_EQ(out.fired.size(), 6u);
  EXPECT_EQ(out.fired[5].value, 7);
  out.clear();
  engine.processWatermark(14, out);  // cleanup at 9 + 5
  EXPECT_EQ(engine.windowCount(), 0u);
  Feed third;
  third.add(0, 9);
  third.into(engine, out);
  ASSERT_EQ(out.late.size(), 1u);
  EXPECT_EQ(out.late[0], 0);
  EXPECT_TRUE(out.fired.empty());
}

TEST(WindowEngine, MixedVectorDimensionsAreRefusedAfterTheRecordsBefore) {
  WindowEngine engine(tumbling(10, AggregateKind::VectorMean));
  std::vector<int32_t> keys{0, 0, 0};
  std::vector<double> timestamps{1, 2, 3};
  std::vector<float> vectors{1, 2, 3, 4, 5};
  std::vector<int32_t> dims{2, 2, 1};
  BatchOutput out;
  engine.processBatch(3, keys.data(), timestamps.data(), nullptr, vectors.data(), dims.data(), out);
  EXPECT_EQ(out.errorIndex, 2);
  EXPECT_EQ(out.error, "VectorMean: vectors of mixed dimension in one window: 1 after 2");
  out.clear();
  engine.processWatermark(sageflow::kMaxWatermark, out);
  ASSERT_EQ(out.fired.size(), 1u);
  ASSERT_EQ(out.fired[0].vectorLength, 2u);
  EXPECT_FLOAT_EQ(out.vectors[0], 2);
  EXPECT_FLOAT_EQ(out.vectors[1], 3);
}

TEST(WindowEngine, TopKKeepsTheMostSimilarVectors) {
  EngineConfig config = tumbling(10, AggregateKind::TopK);
  config.k = 2;
  config.query = {1, 0};
  WindowEngine engine(config);
  std::vector<int32_t> keys{0, 0, 0};
  std::vector<double> timestamps{1, 2, 3};
  std::vector<float> vectors{0, 1, 1, 1, 2, 0};
  std::vector<int32_t> dims{2, 2, 2};
  BatchOutput out;
  engine.processBatch(3, keys.data(), timestamps.data(), nullptr, vectors.data(), dims.data(), out);
  engine.processWatermark(sageflow::kMaxWatermark, out);
  ASSERT_EQ(out.fired.size(), 1u);
  ASSERT_EQ(out.fired[0].itemCount, 2u);
  EXPECT_DOUBLE_EQ(out.scores[0], 1.0);
  EXPECT_FLOAT_EQ(out.vectors[0], 2);
  EXPECT_NEAR(out.scores[1], 0.70710678, 1e-6);
}

TEST(WindowEngine, RefusesBadConfigurationsAndTimestamps) {
  EXPECT_THROW(WindowEngine(tumbling(-5, AggregateKind::Count)), sageflow::ConfigError);
  EngineConfig sliding;
  sliding.assigner = AssignerKind::Sliding;
  sliding.size = 5;
  sliding.slide = 10;
  EXPECT_THROW({ WindowEngine engine(sliding); }, sageflow::ConfigError);
  WindowEngine engine(tumbling(10, AggregateKind::Sum));
  Feed feed;
  feed.add(0, 1, 1);
  feed.add(0, 1.0 / 0.0, 1);
  BatchOutput out;
  feed.into(engine, out);
  EXPECT_EQ(out.errorIndex, 1);
  EXPECT_EQ(out.error, "timestamp must be a finite integer number of milliseconds, got Infinity");
  EXPECT_EQ(engine.windowCount(), 1u);
}

TEST(WindowEngine, SessionsOfDifferentVectorDimensionsAreNotMerged) {
  EngineConfig config;
  config.assigner = AssignerKind::Session;
  config.gap = 5;
  config.aggregate = AggregateKind::VectorSum;
  WindowEngine engine(config);
  std::vector<int32_t> keys{0, 0, 0};
  std::vector<double> timestamps{0, 10, 5};
  std::vector<float> vectors{1, 1, 2, 2, 2, 3, 3};
  std::vector<int32_t> dims{2, 3, 2};
  BatchOutput out;
  engine.processBatch(3, keys.data(), timestamps.data(), nullptr, vectors.data(), dims.data(), out);
  EXPECT_EQ(out.errorIndex, 2);
  EXPECT_EQ(out.error, "VectorSum: vectors of mixed dimension in one window: 3 after 2");
  EXPECT_EQ(engine.windowCount(), 2u);
}

// Many keys over many slides, in disorder, with a watermark after every batch: each firing must equal a plain
// sum of the records in each key's window, in key-name order, so the per-end tables (reused from slide to
// slide, put in order ahead of their firing with the keys that join later merged in) never mix up keys or
// ends, and every key is released once its last window is gone.
TEST(WindowEngine, SlidingWindowsOfManyKeysMatchAPlainCount) {
  WindowEngine engine(sliding(100, 20, AggregateKind::Sum));
  std::vector<std::u16string> names;
  for (int32_t key = 0; key < 3000; ++key) {
    const std::string digits = std::to_string((key * 7919) % 100000);
    names.push_back(u"n:" + std::u16string(digits.begin(), digits.end()));
    engine.setKeyName(key, names.back());
  }
  std::mt19937 random(11);
  std::uniform_int_distribution<int32_t> keyOf(0, 2999);
  std::uniform_int_distribution<int> disorder(0, 30);
  // Expected sums by (end, key), and those fired, checked as they come.
  std::map<std::pair<int64_t, int32_t>, double> expected;
  size_t fired = 0;
  BatchOutput out;
  int64_t newest = 0;
  for (int batch = 0; batch < 200; ++batch) {
    Feed feed;
    for (int i = 0; i < 100; ++i) {
      const int64_t timestamp = batch * 10 + i / 10 - disorder(random) + 40;
      const int32_t key = keyOf(random);
      const double value = double(i % 7);
      feed.add(key, double(timestamp), value);
      newest = std::max(newest, timestamp);
      for (int64_t start = timestamp - ((timestamp % 20) + 20) % 20; start > timestamp - 100; start -= 20) {
        if (start + 100 - 1 > engine.currentWatermark()) expected[{start + 100, key}] += value;
      }
    }
    out.clear();
    feed.into(engine, out);
    ASSERT_TRUE(out.late.empty());
    engine.processWatermark(newest - 31, out);
    for (size_t i = 1; i < out.fired.size(); ++i) {
      if (out.fired[i].end != out.fired[i - 1].end) {
        ASSERT_GT(out.fired[i].end, out.fired[i - 1].end);
        continue;
      }
      ASSERT_LT(names[size_t(out.fired[i - 1].key)], names[size_t(out.fired[i].key)]) << "batch " << batch << " position " << i;
    }
    for (const auto& window : out.fired) {
      const auto found = expected.find({window.end, window.key});
      ASSERT_NE(found, expected.end()) << "end " << window.end << " key " << window.key;
      EXPECT_EQ(window.value, found->second);
      EXPECT_EQ(window.start, window.end - 100);
      expected.erase(found);
      ++fired;
    }
  }
  out.clear();
  engine.processWatermark(sageflow::kMaxWatermark, out);
  fired += out.fired.size();
  for (const auto& window : out.fired) expected.erase({window.end, window.key});
  EXPECT_TRUE(expected.empty());
  EXPECT_GT(fired, 20000u);
  EXPECT_EQ(engine.windowCount(), 0u);
  EXPECT_EQ(engine.keyCount(), 0u);
}

// Canonical names of numeric keys ("n:" and digits, of different lengths: a missing code unit orders first), the
// common case of a keyed window, fire in string order.
TEST(WindowEngine, NumericKeyNamesFireInStringOrder) {
  std::mt19937 random(5);
  std::vector<std::u16string> names;
  for (int32_t key = 0; key < 5000; ++key) {
    const std::string digits = std::to_string(random() % (key % 3 == 0 ? 1000000 : 100000));
    names.push_back(u"n:" + std::u16string(digits.begin(), digits.end()));
  }
  expectOneFiringInNameOrder(names, random);
}
