// The sage_flow window engine: keyed event-time windows with built-in aggregates, fed in batches.
// No Node headers: the binding (binding/) and the ctest suite (tests/) both use this interface.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace sageflow {

// Flink's Long.MIN_VALUE / Long.MAX_VALUE as JavaScript sees them (Number.MIN/MAX_SAFE_INTEGER).
constexpr int64_t kMinWatermark = -9007199254740991LL;
constexpr int64_t kMaxWatermark = 9007199254740991LL;

enum class AssignerKind { Tumbling, Sliding, Session };
enum class AggregateKind { Count, Sum, Min, Max, Mean, VectorSum, VectorMean, TopK };

struct EngineConfig {
  AssignerKind assigner = AssignerKind::Tumbling;
  int64_t size = 0;    // tumbling and sliding
  int64_t slide = 0;   // sliding
  int64_t offset = 0;  // tumbling and sliding
  int64_t gap = 0;     // session
  int64_t allowedLateness = 0;
  AggregateKind aggregate = AggregateKind::Count;
  std::vector<float> query;  // top-k
  int32_t k = 0;             // top-k
};

// A configuration the engine refuses (bad sizes, slide > size, ...). The message names the field and value.
class ConfigError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// True when the aggregate reads vectors (one Float32 vector per record) instead of one number.
bool readsVectors(AggregateKind kind);
const char* aggregateName(AggregateKind kind);

// One fired window. Scalar aggregates put their result in `value`; vector aggregates `vectorLength` floats
// at `vectorOffset` of BatchOutput::vectors; top-k `itemCount` items from `itemOffset` (scores[i] and the
// `vectorLength` floats of item i at vectors[vectorOffset + (i - itemOffset) * vectorLength]).
struct Fired {
  int32_t key;
  int64_t start;
  int64_t end;
  double value;
  uint32_t vectorOffset;
  uint32_t vectorLength;
  uint32_t itemOffset;
  uint32_t itemCount;
};

// What one call produced. `errorIndex` >= 0: the record at that index was refused (`error` says why) and
// the records after it were not processed; everything before it was.
struct BatchOutput {
  std::vector<Fired> fired;
  std::vector<float> vectors;
  std::vector<double> scores;
  std::vector<int32_t> late;
  // Key ids whose last window was cleaned up: the caller may forget the key and reuse the id (after naming it
  // again with setKeyNames).
  std::vector<int32_t> releasedKeys;
  int64_t errorIndex = -1;
  std::string error;

  void clear();
};

class WindowEngine {
 public:
  explicit WindowEngine(EngineConfig config);  // throws ConfigError
  ~WindowEngine();
  WindowEngine(const WindowEngine&) = delete;
  WindowEngine& operator=(const WindowEngine&) = delete;

  // Names key ids for the firing order of one watermark (timestamp, then key name, as the TypeScript path).
  // UTF-16 code units so the order equals JavaScript's string comparison.
  void setKeyName(int32_t key, std::u16string name);

  // n records: key ids (>= 0), integer millisecond timestamps, and per aggregate one value (scalar
  // aggregates; may be null for count) or a vector of dims[i] floats, laid out back to back in `vectors`.
  // Late records' indices go to out.late; windows fired by accepted late records to out.fired.
  void processBatch(size_t n, const int32_t* keys, const double* timestamps, const double* values,
                    const float* vectors, const int32_t* dims, BatchOutput& out);

  // Fires every window whose maxTimestamp <= watermark and cleans up those past maxTimestamp + lateness.
  void processWatermark(int64_t watermark, BatchOutput& out);

  int64_t currentWatermark() const;
  size_t windowCount() const;
  size_t keyCount() const;
  const EngineConfig& config() const;

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace sageflow
