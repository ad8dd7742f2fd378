#include "sageflow/similarity_join.h"

#include <gtest/gtest.h>

#include <vector>

using sageflow::JoinConfig;
using sageflow::JoinOutput;
using sageflow::SimilarityJoin;

namespace {

JoinConfig tumbling(int64_t size, double threshold) {
  JoinConfig config;
  config.size = size;
  config.slide = size;
  config.threshold = threshold;
  return config;
}

}  // namespace

TEST(SimilarityJoin, EmitsPairsAboveTheThresholdOfOneWindowWhenItFires) {
  SimilarityJoin join(tumbling(10, 0.9));
  JoinOutput out;
  std::vector<double> leftTs{1, 2, 15};
  std::vector<float> leftVectors{1, 0, 0, 1, 1, 0};
  join.processBatch(0, 3, 0, leftTs.data(), leftVectors.data(), 2, out);
  std::vector<double> rightTs{3, 4};
  std::vector<float> rightVectors{2, 0.1f, 0, -1};
  join.processBatch(1, 2, 3, rightTs.data(), rightVectors.data(), 2, out);
  EXPECT_TRUE(out.late.empty());
  join.processWatermark(9, out);
  ASSERT_EQ(out.pairs.size(), 1u);
  EXPECT_EQ(out.pairs[0].left, 0u);
  EXPECT_EQ(out.pairs[0].right, 3u);
  EXPECT_NEAR(out.pairs[0].score, 0.99875, 1e-4);
  EXPECT_EQ(out.pairs[0].end, 10);
  EXPECT_EQ(out.released.size(), 4u);
  EXPECT_EQ(join.windowCount(), 1u);  // [10,20) holds the left element at 15
}

TEST(SimilarityJoin, SlidingWindowsPairElementsInEveryWindowTheyShare) {
  JoinConfig config = tumbling(10, 0.5);
  config.slide = 5;
  SimilarityJoin join(config);
  JoinOutput out;
  std::vector<double> ts{7};
  std::vector<float> v{1, 1};
  join.processBatch(0, 1, 0, ts.data(), v.data(), 2, out);
  join.processBatch(1, 1, 1, ts.data(), v.data(), 2, out);
  join.processWatermark(sageflow::kMaxWatermark, out);
  ASSERT_EQ(out.pairs.size(), 2u);  // [0,10) and [5,15)
  EXPECT_EQ(out.pairs[0].start, 0);
  EXPECT_EQ(out.pairs[1].start, 5);
  EXPECT_EQ(out.released.size(), 2u);
}

TEST(SimilarityJoin, ReportsLateElementsAndRefusesMixedDimensions) {
  SimilarityJoin join(tumbling(10, 0));
  JoinOutput out;
  join.processWatermark(9, out);
  std::vector<double> ts{5, 12};
  std::vector<float> v{1, 0, 0, 1};
  join.processBatch(0, 2, 0, ts.data(), v.data(), 2, out);
  ASSERT_EQ(out.late.size(), 1u);
  EXPECT_EQ(out.late[0], 0);
  EXPECT_THROW(join.processBatch(1, 1, 2, ts.data(), v.data(), 3, out), sageflow::ConfigError);
  EXPECT_THROW(SimilarityJoin(tumbling(10, 2)), sageflow::ConfigError);
}
