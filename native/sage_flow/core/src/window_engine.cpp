#include "sageflow/window_engine.h"

#include "end_table.h"

#include <algorithm>
#include <cstring>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <utility>

namespace sageflow {
namespace {

constexpr uint8_t kFire = 1;
constexpr uint8_t kCleanup = 2;
constexpr double kMaxSafe = 9007199254740991.0;

struct TopItem {
  double score;
  std::vector<float> vector;
};

// Rank order of top-k items: higher score first; equal scores by the vectors, so the order does not
// depend on arrival order.
bool ranksBefore(const TopItem& a, const TopItem& b) {
  if (a.score != b.score) return a.score > b.score;
  return std::lexicographical_compare(a.vector.begin(), a.vector.end(), b.vector.begin(), b.vector.end());
}

// What only vector aggregates keep per window, beside its Slot (none for scalar aggregates), in a pool. Sums
// are kept in double so long windows do not lose precision.
struct VectorSlot {
  int32_t dimension = -1;
  std::vector<double> sum;
  std::vector<TopItem> top;

  void reset() {
    dimension = -1;
    sum.clear();
    top.clear();
  }
};

// A session window of one key.
struct Win {
  int64_t start;
  int64_t end;
  uint32_t slot;
};

struct Timer {
  int32_t key;
  int64_t start;
  int64_t end;
  uint8_t kind;
};

// 32 bytes, so a sort moves little: the start, needed only between windows of one key and end (sessions), is
// read from the fired window itself.
struct SortEntry {
  int64_t end;
  uint64_t high;
  uint64_t low;
  int32_t key;
  uint32_t index;
};

// Orders by the packed prefixes alone: one 128-bit comparison where the compiler has the type.
bool prefixBefore(const SortEntry& a, const SortEntry& b) {
#if defined(__SIZEOF_INT128__)
  const auto packed = [](const SortEntry& e) { return (static_cast<unsigned __int128>(e.high) << 64) | e.low; };
  return packed(a) < packed(b);
#else
  return a.high != b.high ? a.high < b.high : a.low < b.low;
#endif
}

NamePrefix prefixOf(const std::u16string& name) {
  NamePrefix prefix;
  for (size_t i = 0; i < 8; ++i) {
    const uint64_t unit = i < name.size() ? uint64_t(name[i]) : 0;
    if (i < 4) prefix.high |= unit << (48 - 16 * i);
    else prefix.low |= unit << (48 - 16 * (i - 4));
  }
  return prefix;
}

std::string formatNumber(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char buffer[40];
  if (value == std::floor(value) && std::fabs(value) < 1e21) {
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.17g", value);
  }
  return buffer;
}

int64_t windowStart(int64_t timestamp, int64_t offset, int64_t size) {
  const int64_t remainder = (timestamp - offset) % size;
  return remainder < 0 ? timestamp - (remainder + size) : timestamp - remainder;
}

double cosine(const float* a, const float* b, size_t n) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < n; ++i) {
    dot += double(a[i]) * double(b[i]);
    na += double(a[i]) * double(a[i]);
    nb += double(b[i]) * double(b[i]);
  }
  if (na == 0 || nb == 0) return 0;
  return dot / (std::sqrt(na) * std::sqrt(nb));
}

}  // namespace

bool readsVectors(AggregateKind kind) {
  return kind == AggregateKind::VectorSum || kind == AggregateKind::VectorMean || kind == AggregateKind::TopK;
}

const char* aggregateName(AggregateKind kind) {
  switch (kind) {
    case AggregateKind::Count: return "Count";
    case AggregateKind::Sum: return "Sum";
    case AggregateKind::Min: return "Min";
    case AggregateKind::Max: return "Max";
    case AggregateKind::Mean: return "Mean";
    case AggregateKind::VectorSum: return "VectorSum";
    case AggregateKind::VectorMean: return "VectorMean";
    case AggregateKind::TopK: return "TopK";
  }
  return "?";
}

void BatchOutput::clear() {
  fired.clear();
  vectors.clear();
  scores.clear();
  late.clear();
  releasedKeys.clear();
  errorIndex = -1;
  error.clear();
}

struct WindowEngine::Impl {
  EngineConfig config;
  int64_t watermark = kMinWatermark;
  // Sessions: each key's windows, by start.
  std::vector<std::vector<Win>> keys;
  // Tumbling and sliding windows: one table per window end, by end, and tables kept for reuse.
  std::vector<std::unique_ptr<EndTable>> tables;
  std::vector<std::unique_ptr<EndTable>> spareTables;
  // Tumbling and sliding windows: the start of the slide of the last record, and the position of its newest
  // window's table (hints, checked before use).
  int64_t slideStart = kMaxWatermark;
  size_t newestTable = 0;
  // Tumbling and sliding windows: how many windows each key id has.
  std::vector<int32_t> keyWindows;
  std::vector<std::u16string> names;
  std::vector<NamePrefix> prefixes;
  // Scratch space of sortFired, kept between watermarks.
  std::vector<SortEntry> order;
  std::vector<SortEntry> radixScratch;
  std::vector<NamePrefix> firedPrefixes;
  std::vector<EndEntry> entryScratch;
  // A table fired: the next one is put in order at the next batch.
  bool presortDue = false;
  std::vector<Fired> sorted;
  // Session windows' accumulators (tables hold their own).
  std::vector<Slot> slots;
  // Parallel to slots, for vector aggregates only (of sessions and tables).
  std::vector<VectorSlot> vectorSlots;
  std::vector<uint32_t> freeSlots;
  // Session timers by time: a watermark takes whole buckets in one pass.
  std::map<int64_t, std::vector<Timer>> timers;
  size_t windows = 0;
  size_t liveKeys = 0;

  const bool vectorAggregate;

  explicit Impl(EngineConfig c) : config(std::move(c)), vectorAggregate(readsVectors(config.aggregate)) {}

  int64_t cleanupTime(int64_t end) const {
    const int64_t time = (end - 1) + config.allowedLateness;
    return time > kMaxWatermark ? kMaxWatermark : time;
  }

  const NamePrefix& keyPrefix(int32_t key) const {
    static const NamePrefix none;
    return size_t(key) < prefixes.size() ? prefixes[size_t(key)] : none;
  }

  bool isLate(int64_t end) const { return cleanupTime(end) <= watermark; }

  std::vector<Win>& windowsOf(int32_t key) {
    if (size_t(key) >= keys.size()) keys.resize(size_t(key) + 1);
    return keys[size_t(key)];
  }

  uint32_t newSlot() {
    if (!freeSlots.empty()) {
      const uint32_t slot = freeSlots.back();
      freeSlots.pop_back();
      return slot;
    }
    slots.emplace_back();
    if (vectorAggregate) vectorSlots.emplace_back();
    return uint32_t(slots.size() - 1);
  }

  void freeSlot(uint32_t slot) {
    slots[slot] = Slot{};
    if (vectorAggregate) vectorSlots[slot].reset();
    freeSlots.push_back(slot);
  }

  void registerTimers(int32_t key, int64_t start, int64_t end) {
    const int64_t maxTimestamp = end - 1;
    const int64_t cleanup = cleanupTime(end);
    const bool fire = maxTimestamp > watermark;
    if (fire && cleanup == maxTimestamp) {
      timers[maxTimestamp].push_back({key, start, end, uint8_t(kFire | kCleanup)});
      return;
    }
    if (fire) timers[maxTimestamp].push_back({key, start, end, kFire});
    // The window that never ends (cleanup at the last watermark) still goes at end of input.
    timers[cleanup].push_back({key, start, end, kCleanup});
  }

  Win& createWindow(std::vector<Win>& list, int32_t key, int64_t start, int64_t end) {
    if (list.empty()) ++liveKeys;
    auto position = std::lower_bound(list.begin(), list.end(), start, [](const Win& w, int64_t s) { return w.start < s; });
    position = list.insert(position, Win{start, end, newSlot()});
    ++windows;
    registerTimers(key, start, end);
    return *position;
  }

  void removeWindow(int32_t key, std::vector<Win>& list, size_t index, BatchOutput& out) {
    freeSlot(list[index].slot);
    list.erase(list.begin() + std::ptrdiff_t(index));
    --windows;
    if (list.empty()) {
      --liveKeys;
      out.releasedKeys.push_back(key);
    }
  }

  // Adds one record to a window's accumulator; false (with out.error set) when the value is refused.
  // `pooled`: the window's vectors in vectorSlots (vector aggregates only).
  bool add(Slot& slot, uint32_t pooled, double value, const float* vector, int32_t dimension, BatchOutput& out) {
    const AggregateKind kind = config.aggregate;
    if (vectorAggregate) {
      VectorSlot& vectors = vectorSlots[pooled];
      if (kind == AggregateKind::TopK && size_t(dimension) != config.query.size()) {
        out.error = std::string(aggregateName(kind)) + ": vector of dimension " + std::to_string(dimension) +
                    " does not match the query's " + std::to_string(config.query.size());
        return false;
      }
      if (vectors.dimension >= 0 && vectors.dimension != dimension) {
        out.error = std::string(aggregateName(kind)) + ": vectors of mixed dimension in one window: " +
                    std::to_string(dimension) + " after " + std::to_string(vectors.dimension);
        return false;
      }
      vectors.dimension = dimension;
      ++slot.count;
      if (kind == AggregateKind::TopK) {
        addTop(vectors, vector, size_t(dimension));
        return true;
      }
      if (vectors.sum.empty()) vectors.sum.assign(size_t(dimension), 0.0);
      double* sum = vectors.sum.data();
      for (int32_t i = 0; i < dimension; ++i) sum[i] += double(vector[i]);
      return true;
    }
    if (kind != AggregateKind::Count && !std::isfinite(value)) {
      out.error = std::string(aggregateName(kind)) + ": value must be a finite number, got " + formatNumber(value);
      return false;
    }
    switch (kind) {
      case AggregateKind::Sum:
      case AggregateKind::Mean: slot.value += value; break;
      case AggregateKind::Min: slot.value = slot.count == 0 ? value : std::min(slot.value, value); break;
      case AggregateKind::Max: slot.value = slot.count == 0 ? value : std::max(slot.value, value); break;
      default: break;
    }
    ++slot.count;
    return true;
  }

  void addTop(VectorSlot& slot, const float* vector, size_t dimension) {
    const size_t k = size_t(config.k);
    TopItem item{cosine(vector, config.query.data(), dimension), std::vector<float>()};
    if (slot.top.size() == k) {
      // Compare before copying the vector: most records do not enter a full top-k.
      const TopItem& worst = slot.top.back();
      if (item.score < worst.score) return;
      if (item.score == worst.score &&
          !std::lexicographical_compare(vector, vector + dimension, worst.vector.begin(), worst.vector.end())) {
        return;
      }
    }
    item.vector.assign(vector, vector + dimension);
    auto position = std::upper_bound(slot.top.begin(), slot.top.end(), item, ranksBefore);
    slot.top.insert(position, std::move(item));
    if (slot.top.size() > k) slot.top.pop_back();
  }

  // Session merging: `source` joins `target` (AggregateFunction.merge).
  void merge(uint32_t into, uint32_t from) {
    const AggregateKind kind = config.aggregate;
    Slot& target = slots[into];
    Slot& source = slots[from];
    if (source.count == 0) return;
    if (target.count == 0) {
      std::swap(target, source);
      if (vectorAggregate) std::swap(vectorSlots[into], vectorSlots[from]);
      return;
    }
    switch (kind) {
      case AggregateKind::Count: break;
      case AggregateKind::Sum:
      case AggregateKind::Mean: target.value += source.value; break;
      case AggregateKind::Min: target.value = std::min(target.value, source.value); break;
      case AggregateKind::Max: target.value = std::max(target.value, source.value); break;
      case AggregateKind::VectorSum:
      case AggregateKind::VectorMean: {
        std::vector<double>& sum = vectorSlots[into].sum;
        const std::vector<double>& added = vectorSlots[from].sum;
        for (size_t i = 0; i < sum.size() && i < added.size(); ++i) sum[i] += added[i];
        break;
      }
      case AggregateKind::TopK: {
        std::vector<TopItem>& top = vectorSlots[into].top;
        for (auto& item : vectorSlots[from].top) top.push_back(std::move(item));
        std::sort(top.begin(), top.end(), ranksBefore);
        if (top.size() > size_t(config.k)) top.resize(size_t(config.k));
        break;
      }
    }
    target.count += source.count;
  }

  void emit(int32_t key, const Win& window, BatchOutput& out) {
    emit(key, window.start, window.end, slots[window.slot], window.slot, out);
  }

  void emit(int32_t key, int64_t start, int64_t end, const Slot& slot, uint32_t pooled, BatchOutput& out) {
    if (slot.count == 0) return;
    Fired fired{key, start, end, 0, uint32_t(out.vectors.size()), 0, uint32_t(out.scores.size()), 0};
    switch (config.aggregate) {
      case AggregateKind::Count: fired.value = double(slot.count); break;
      case AggregateKind::Sum:
      case AggregateKind::Min:
      case AggregateKind::Max: fired.value = slot.value; break;
      case AggregateKind::Mean: fired.value = slot.value / double(slot.count); break;
      case AggregateKind::VectorSum:
      case AggregateKind::VectorMean: {
        const bool divide = config.aggregate == AggregateKind::VectorMean;
        const VectorSlot& vectors = vectorSlots[pooled];
        fired.vectorLength = uint32_t(vectors.sum.size());
        for (double total : vectors.sum) out.vectors.push_back(float(divide ? total / double(slot.count) : total));
        fired.value = double(slot.count);
        break;
      }
      case AggregateKind::TopK: {
        const VectorSlot& vectors = vectorSlots[pooled];
        fired.vectorLength = uint32_t(vectors.dimension < 0 ? 0 : vectors.dimension);
        fired.itemCount = uint32_t(vectors.top.size());
        for (const TopItem& item : vectors.top) {
          out.scores.push_back(item.score);
          out.vectors.insert(out.vectors.end(), item.vector.begin(), item.vector.end());
        }
        fired.value = double(slot.count);
        break;
      }
    }
    out.fired.push_back(fired);
  }

  // Adds a record to the window [start, end) of `key`, creating it; fires it at once when the watermark is
  // already past it (an accepted late record).
  bool addToWindow(int32_t key, int64_t start, int64_t end, double value, const float* vector, int32_t dimension,
                   size_t& hint, BatchOutput& out) {
    EndTable& table = tableFor(end, hint);
    EndEntry* entry = table.find(key);
    if (entry == nullptr) {
      if (size_t(key) >= keyWindows.size()) keyWindows.resize(size_t(key) + 1, 0);
      if (keyWindows[size_t(key)]++ == 0) ++liveKeys;
      ++windows;
      entry = &table.insert(key, vectorAggregate ? newSlot() : 0, keyPrefix(key));
    }
    if (!add(entry->slot, entry->pooled, value, vector, dimension, out)) return false;
    if (end - 1 <= watermark) emit(key, start, end, entry->slot, entry->pooled, out);
    return true;
  }

  // The table of windows ending at `end`, made (or reused) when there is none.
  // `hint`: where the caller expects it; set to where it is.
  EndTable& tableFor(int64_t end, size_t& hint) {
    if (hint < tables.size() && tables[hint]->end == end) return *tables[hint];
    // Ends are a slide apart, and the open ones usually follow each other without a gap: the table is where
    // its distance from the first one says, unless a gap moved it.
    if (!tables.empty() && end >= tables.front()->end) {
      const uint64_t steps = uint64_t(end - tables.front()->end) / uint64_t(config.slide);
      if (steps < tables.size() && tables[size_t(steps)]->end == end) return *tables[hint = size_t(steps)];
    }
    auto position = std::lower_bound(tables.begin(), tables.end(), end,
                                     [](const std::unique_ptr<EndTable>& table, int64_t e) { return table->end < e; });
    hint = size_t(position - tables.begin());
    if (position != tables.end() && (*position)->end == end) return **position;
    std::unique_ptr<EndTable> table;
    if (spareTables.empty()) {
      table = std::make_unique<EndTable>();
    } else {
      table = std::move(spareTables.back());
      spareTables.pop_back();
    }
    table->reset(end);
    return **tables.insert(position, std::move(table));
  }

  // Fires the tables the watermark reached (each sorted by key name) and drops those past their cleanup time.
  void advanceTables(BatchOutput& out) {
    size_t dropped = 0;
    for (size_t i = 0; i < tables.size(); ++i) {
      EndTable& table = *tables[i];
      const bool due = table.end - 1 <= watermark;
      const bool expired = cleanupTime(table.end) <= watermark;
      if (!due && !expired) break;
      if (due && !table.fired) {
        table.fired = true;
        fireTable(table, out);
        presortDue = true;
      }
      if (!expired) continue;
      // Cleanup times grow with the end, so the expired tables are the first ones.
      for (const EndEntry& entry : table.entries) {
        if (vectorAggregate) freeSlot(entry.pooled);
        if (--keyWindows[size_t(entry.key)] == 0) {
          --liveKeys;
          out.releasedKeys.push_back(entry.key);
        }
      }
      windows -= table.entries.size();
      ++dropped;
    }
    for (size_t i = 0; i < dropped; ++i) spareTables.push_back(std::move(tables[i]));
    tables.erase(tables.begin(), tables.begin() + std::ptrdiff_t(dropped));
  }

  // Emits every window of the table in key-name order. The entries put in order beforehand (presortNextTable)
  // come out in that order; only those that came since are sorted, then the two runs are merged.
  void fireTable(const EndTable& table, BatchOutput& out) {
    const size_t first = out.fired.size();
    const int64_t start = table.end - config.size;
    // The entries carry their keys' name prefixes: no lookup per key, scattered in memory, to sort them.
    firedPrefixes.clear();
    size_t head = 0;
    for (size_t i = 0; i < table.entries.size(); ++i) {
      const EndEntry& entry = table.entries[i];
      const size_t before = out.fired.size();
      emit(entry.key, start, table.end, entry.slot, entry.pooled, out);
      if (out.fired.size() == before) continue;
      firedPrefixes.push_back(entry.prefix);
      if (i < table.sorted) ++head;
    }
    sortFired(out.fired, first + head, firedPrefixes.data() + head);
    if (head > 0 && out.fired.size() > first + head) mergeRuns(out.fired, first, first + head);
  }

  // Merges the sorted runs [first, middle) (their prefixes in firedPrefixes) and [middle, end).
  void mergeRuns(std::vector<Fired>& fired, size_t first, size_t middle) {
    const size_t end = fired.size();
    sorted.clear();
    size_t i = first;
    size_t j = middle;
    NamePrefix next = keyPrefix(fired[j].key);
    while (i < middle && j < end) {
      if (nameBefore(fired[j].key, next, fired[i].key, firedPrefixes[i - first])) {
        sorted.push_back(fired[j++]);
        if (j < end) next = keyPrefix(fired[j].key);
      } else {
        sorted.push_back(fired[i++]);
      }
    }
    sorted.insert(sorted.end(), fired.begin() + std::ptrdiff_t(i), fired.begin() + std::ptrdiff_t(middle));
    sorted.insert(sorted.end(), fired.begin() + std::ptrdiff_t(j), fired.end());
    std::copy(sorted.begin(), sorted.end(), fired.begin() + std::ptrdiff_t(first));
  }

  // Puts the next table to fire in key-name order, so that its firing only sorts the keys that join it after
  // this. Called at the batch after a firing: the work is not on the way of a firing's results.
  void presortNextTable() {
    presortDue = false;
    EndTable* next = nullptr;
    for (const auto& table : tables) {
      if (!table->fired) {
        next = table.get();
        break;
      }
    }
    if (next == nullptr || next->sorted == next->entries.size()) return;
    const size_t n = next->entries.size();
    order.resize(n);
    for (size_t i = 0; i < n; ++i) {
      const EndEntry& entry = next->entries[i];
      order[i] = SortEntry{next->end, entry.prefix.high, entry.prefix.low, entry.key, uint32_t(i)};
    }
    // One entry per key: the names decide between equal prefixes.
    sortOneEnd([&](const SortEntry& a, const SortEntry& b) {
      return nameBefore(a.key, NamePrefix{a.high, a.low}, b.key, NamePrefix{b.high, b.low});
    });
    entryScratch.resize(n);
    for (size_t i = 0; i < n; ++i) entryScratch[i] = next->entries[order[i].index];
    next->entries.swap(entryScratch);
    next->reindex();
    next->sorted = n;
  }

  const std::u16string& nameOf(int32_t key) const {
    static const std::u16string empty;
    return size_t(key) < names.size() ? names[size_t(key)] : empty;
  }

  // Key-name order of two keys (by key id between keys of the same name: keys that were never named).
  bool nameBefore(int32_t a, const NamePrefix& aPrefix, int32_t b, const NamePrefix& bPrefix) const {
    if (aPrefix.high != bPrefix.high) return aPrefix.high < bPrefix.high;
    if (aPrefix.low != bPrefix.low) return aPrefix.low < bPrefix.low;
    const int compared = nameOf(a).compare(nameOf(b));
    return compared != 0 ? compared < 0 : a < b;
  }

  // Session windows: [ts, ts + gap) merges with every window of the key it overlaps or touches.
  // Returns 0 (late), 1 (added) or -1 (refused).
  int addToSession(int32_t key, int64_t timestamp, double value, const float* vector, int32_t dimension,
                   BatchOutput& out) {
    std::vector<Win>& list = windowsOf(key);
    int64_t start = timestamp;
    int64_t end = timestamp + config.gap;
    size_t first = list.size();
    size_t last = 0;
    for (size_t i = 0; i < list.size(); ++i) {
      if (list[i].start <= end && list[i].end >= timestamp) {
        first = std::min(first, i);
        last = i;
      }
    }
    size_t index;
    if (first == list.size()) {
      if (isLate(end)) return 0;
      createWindow(list, key, start, end);
      index = findStart(list, start);
    } else {
      start = std::min(start, list[first].start);
      end = std::max(end, list[last].end);
      if (first == last && list[first].start == start && list[first].end == end) {
        index = first;
      } else {
        // The merged window keeps the first window's accumulator; the others are merged into it. Vector
        // windows of different dimensions cannot merge: refused before anything changes.
        const uint32_t target = list[first].slot;
        for (size_t i = first + 1; i <= last && vectorAggregate; ++i) {
          const int32_t into = vectorSlots[target].dimension;
          const int32_t from = vectorSlots[list[i].slot].dimension;
          if (into >= 0 && from >= 0 && into != from) {
            out.error = std::string(aggregateName(config.aggregate)) + ": vectors of mixed dimension in one window: " +
                        std::to_string(from) + " after " + std::to_string(into);
            return -1;
          }
        }
        for (size_t i = first + 1; i <= last; ++i) {
          merge(target, list[i].slot);
          freeSlot(list[i].slot);
        }
        list.erase(list.begin() + std::ptrdiff_t(first) + 1, list.begin() + std::ptrdiff_t(last) + 1);
        windows -= last - first;
        list[first].start = start;
        list[first].end = end;
        registerTimers(key, start, end);
        index = first;
      }
    }
    if (!add(slots[list[index].slot], list[index].slot, value, vector, dimension, out)) return -1;
    if (end - 1 <= watermark) emit(key, list[index], out);
    return 1;
  }

  // Stable LSD radix sort of entries by their 128-bit prefix (high, then low), one byte per pass from the
  // least significant; a byte that is the same in every entry (the high byte of an ASCII code unit, unused
  // trailing units) costs no pass.
  static void radixSortByPrefix(std::vector<SortEntry>& entries, std::vector<SortEntry>& scratch) {
    const size_t n = entries.size();
    if (n < 64) {
      std::sort(entries.begin(), entries.end(), [](const SortEntry& a, const SortEntry& b) { return prefixBefore(a, b); });
      return;
    }
    static thread_local uint32_t counts[16][256];
    std::memset(counts, 0, sizeof(counts));
    for (const SortEntry& e : entries) {
      for (int b = 0; b < 8; ++b) {
        ++counts[b][(e.low >> (8 * b)) & 0xff];
        ++counts[8 + b][(e.high >> (8 * b)) & 0xff];
      }
    }
    scratch.resize(n);
    for (int pass = 0; pass < 16; ++pass) {
      uint32_t* count = counts[pass];
      const uint64_t SortEntry::*word = pass < 8 ? &SortEntry::low : &SortEntry::high;
      const int shift = 8 * (pass % 8);
      if (count[(entries[0].*word >> shift) & 0xff] == n) continue;
      uint32_t offset = 0;
      for (int digit = 0; digit < 256; ++digit) {
        const uint32_t c = count[digit];
        count[digit] = offset;
        offset += c;
      }
      for (const SortEntry& e : entries) scratch[count[(e.*word >> shift) & 0xff]++] = e;
      entries.swap(scratch);
    }
  }

  // Sorts `order`, entries of one end: the prefixes then decide almost every comparison, so by them with a
  // radix sort (a firing of thousands of windows spent two thirds of its time in a comparison sort); runs of
  // equal prefixes (long shared names, several windows of a key) are then put in order by `exact`.
  template <typename Exact>
  void sortOneEnd(Exact exact) {
    radixSortByPrefix(order, radixScratch);
    const size_t n = order.size();
    for (size_t from = 0; from < n;) {
      size_t to = from + 1;
      while (to < n && order[to].high == order[from].high && order[to].low == order[from].low) ++to;
      if (to - from > 1) std::sort(order.begin() + std::ptrdiff_t(from), order.begin() + std::ptrdiff_t(to), exact);
      from = to;
    }
  }

  // One watermark's results in timer order: timestamp, then key name, then window. Sorted as flat entries
  // that carry the packed name prefixes (no lookups while comparing), then put in place; a window fires once
  // per watermark, so no two entries are equal and an unstable sort gives the same order.
  // `known`: the fired windows' key name prefixes, when the caller has them at hand (else looked up by key).
  void sortFired(std::vector<Fired>& fired, size_t first, const NamePrefix* known = nullptr) {
    const size_t n = fired.size() - first;
    if (n < 2) return;
    order.resize(n);
    for (size_t i = 0; i < n; ++i) {
      const Fired& f = fired[first + i];
      const NamePrefix& prefix = known != nullptr ? known[i] : keyPrefix(f.key);
      order[i] = SortEntry{f.end, prefix.high, prefix.low, f.key, uint32_t(first + i)};
    }
    auto exact = [&](const SortEntry& a, const SortEntry& b) {
      if (a.end != b.end) return a.end < b.end;
      if (a.key != b.key) return nameBefore(a.key, NamePrefix{a.high, a.low}, b.key, NamePrefix{b.high, b.low});
      return fired[a.index].start < fired[b.index].start;
    };
    const bool oneEnd = std::all_of(order.begin(), order.end(), [&](const SortEntry& e) { return e.end == order[0].end; });
    if (!oneEnd) {
      std::sort(order.begin(), order.end(), exact);
    } else {
      sortOneEnd(exact);
    }
    sorted.clear();
    sorted.reserve(n);
    for (const SortEntry& entry : order) sorted.push_back(fired[entry.index]);
    std::copy(sorted.begin(), sorted.end(), fired.begin() + std::ptrdiff_t(first));
  }

  // A firing visits keys in timer order, scattered in memory: each timer's window list and accumulator are
  // fetched a few timers ahead (the list header, then its windows once the header is in, then the first
  // window's slot), so the loop rarely waits on memory.
  void prefetchAhead(const std::vector<Timer>& due, size_t i) const {
#if defined(__GNUC__)
    const size_t n = due.size();
    if (i + 12 < n && size_t(due[i + 12].key) < keys.size()) __builtin_prefetch(&keys[size_t(due[i + 12].key)]);
    if (i + 8 < n && size_t(due[i + 8].key) < keys.size()) {
      const std::vector<Win>& list = keys[size_t(due[i + 8].key)];
      if (!list.empty()) __builtin_prefetch(list.data());
    }
    if (i + 4 < n && size_t(due[i + 4].key) < keys.size()) {
      const std::vector<Win>& list = keys[size_t(due[i + 4].key)];
      if (!list.empty()) __builtin_prefetch(&slots[list.front().slot]);
    }
#else
    (void)due;
    (void)i;
#endif
  }

  static size_t findStart(const std::vector<Win>& list, int64_t start) {
    for (size_t i = 0; i < list.size(); ++i) {
      if (list[i].start == start) return i;
    }
    return list.size();
  }
};

WindowEngine::WindowEngine(EngineConfig config) {
  auto positive = [](const char* name, int64_t value) {
    if (value <= 0 || value > kMaxWatermark) {
      throw ConfigError(std::string(name) + " must be a positive integer number of milliseconds, got " +
                        std::to_string(value));
    }
  };
  switch (config.assigner) {
    case AssignerKind::Tumbling:
      positive("size", config.size);
      config.slide = config.size;
      break;
    case AssignerKind::Sliding:
      positive("size", config.size);
      positive("slide", config.slide);
      if (config.slide > config.size) {
        throw ConfigError("slide must not be larger than size (" + std::to_string(config.size) + "), got " +
                          std::to_string(config.slide));
      }
      break;
    case AssignerKind::Session:
      positive("gap", config.gap);
      config.offset = 0;
      break;
  }
  if (config.assigner != AssignerKind::Session && (config.offset <= -config.slide || config.offset >= config.slide)) {
    throw ConfigError("offset must be an integer with |offset| < " + std::to_string(config.slide) + ", got " +
                      std::to_string(config.offset));
  }
  if (config.allowedLateness < 0 || config.allowedLateness > kMaxWatermark) {
    throw ConfigError("allowedLateness must be a non-negative integer number of milliseconds, got " +
                      std::to_string(config.allowedLateness));
  }
  if (config.aggregate == AggregateKind::TopK) {
    if (config.k <= 0) throw ConfigError("TopK: k must be a positive integer, got " + std::to_string(config.k));
    if (config.query.empty()) throw ConfigError("TopK: the query vector is empty");
  }
  impl_ = new Impl(std::move(config));
}

WindowEngine::~WindowEngine() { delete impl_; }

void WindowEngine::setKeyName(int32_t key, std::u16string name) {
  if (key < 0) return;
  if (size_t(key) >= impl_->names.size()) {
    impl_->names.resize(size_t(key) + 1);
    impl_->prefixes.resize(size_t(key) + 1);
  }
  impl_->prefixes[size_t(key)] = prefixOf(name);
  impl_->names[size_t(key)] = std::move(name);
}

void WindowEngine::processBatch(size_t n, const int32_t* keys, const double* timestamps, const double* values,
                                const float* vectors, const int32_t* dims, BatchOutput& out) {
  Impl& s = *impl_;
  const EngineConfig& c = s.config;
  if (s.presortDue) s.presortNextTable();
  const bool vectorInput = readsVectors(c.aggregate);
  size_t vectorOffset = 0;
  for (size_t i = 0; i < n; ++i) {
    const double rawTimestamp = timestamps[i];
    if (!(std::fabs(rawTimestamp) <= kMaxSafe) || rawTimestamp != std::floor(rawTimestamp)) {
      out.errorIndex = int64_t(i);
      out.error = "timestamp must be a finite integer number of milliseconds, got " + formatNumber(rawTimestamp);
      return;
    }
    const int64_t timestamp = int64_t(rawTimestamp);
    const int32_t key = keys[i];
    if (key < 0) {
      out.errorIndex = int64_t(i);
      out.error = "key id must be a non-negative integer, got " + std::to_string(key);
      return;
    }
    const double value = values == nullptr ? 0.0 : values[i];
    const float* vector = nullptr;
    int32_t dimension = 0;
    if (vectorInput) {
      dimension = dims[i];
      vector = vectors + vectorOffset;
      vectorOffset += size_t(dimension);
    }
    bool added = false;
    if (c.assigner == AssignerKind::Session) {
      const int result = s.addToSession(key, timestamp, value, vector, dimension, out);
      if (result < 0) {
        out.errorIndex = int64_t(i);
        return;
      }
      added = result > 0;
    } else {
      // Records in a row mostly fall into the same slide: its start is reused instead of divided out again.
      if (timestamp < s.slideStart || timestamp - s.slideStart >= c.slide) {
        s.slideStart = windowStart(timestamp, c.offset, c.slide);
      }
      // Newest window first, as the TypeScript assigners list them; each older window's table is usually the
      // one before the newer one's (`hint`).
      size_t hint = s.newestTable;
      bool newest = true;
      for (int64_t start = s.slideStart; start > timestamp - c.size; start -= c.slide) {
        const int64_t end = start + c.size;
        if (!newest && hint > 0) --hint;
        const bool first = newest;
        newest = false;
        if (s.isLate(end)) continue;
        if (!s.addToWindow(key, start, end, value, vector, dimension, hint, out)) {
          out.errorIndex = int64_t(i);
          return;
        }
        if (first) s.newestTable = hint;
        added = true;
      }
    }
    if (!added && timestamp + c.allowedLateness <= s.watermark) out.late.push_back(int32_t(i));
  }
}

void WindowEngine::processWatermark(int64_t watermark, BatchOutput& out) {
  Impl& s = *impl_;
  if (watermark <= s.watermark) return;
  s.watermark = std::min(watermark, kMaxWatermark);
  if (s.config.assigner != AssignerKind::Session) {
    s.advanceTables(out);
    return;
  }
  const size_t first = out.fired.size();
  while (!s.timers.empty() && s.timers.begin()->first <= s.watermark) {
    const std::vector<Timer> due = std::move(s.timers.begin()->second);
    s.timers.erase(s.timers.begin());
    const size_t count = due.size();
    for (size_t i = 0; i < count; ++i) {
      s.prefetchAhead(due, i);
      const Timer& timer = due[i];
      if (size_t(timer.key) >= s.keys.size()) continue;
      std::vector<Win>& list = s.keys[size_t(timer.key)];
      size_t index = Impl::findStart(list, timer.start);
      // A timer of a window merged away (or already cleaned up) finds no window with its bounds.
      if (index == list.size() || list[index].end != timer.end) continue;
      if ((timer.kind & kFire) != 0) s.emit(timer.key, list[index], out);
      if ((timer.kind & kCleanup) != 0) s.removeWindow(timer.key, list, index, out);
    }
  }
  s.sortFired(out.fired, first);
}

int64_t WindowEngine::currentWatermark() const { return impl_->watermark; }
size_t WindowEngine::windowCount() const { return impl_->windows; }
size_t WindowEngine::keyCount() const { return impl_->liveKeys; }
const EngineConfig& WindowEngine::config() const { return impl_->config; }

}  // namespace sageflow
