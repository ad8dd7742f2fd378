// One window end's state for tumbling and sliding windows: the accumulator of every key with a window that
// ends there, in one array, with an open-addressing index from key id to position. Internal to the engine.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

namespace sageflow {

// One window's accumulator: 16 bytes, so a firing of thousands of windows reads few cache lines.
struct Slot {
  double value = 0;
  int64_t count = 0;
};

// A key name's first eight UTF-16 code units, packed so that when two prefixes differ they order as the names
// do (a missing unit is 0, at most the unit it stands against): most canonical names ("n:12345") differ there,
// so ordering a firing rarely reads the names.
struct NamePrefix {
  uint64_t high = 0;
  uint64_t low = 0;
};

struct EndEntry {
  int32_t key;
  // Vector aggregates only: the window's vectors in the engine's pool.
  uint32_t pooled;
  Slot slot;
  // The key's, for the firing order (a key id keeps its name while it has windows).
  NamePrefix prefix;
};

// All windows of one end share their bounds, so a firing reads this table front to back instead of visiting
// each key's windows scattered in memory (as a per-key layout makes it).
class EndTable {
 public:
  int64_t end = 0;
  // Fired by a watermark already; kept until its cleanup time for accepted late records.
  bool fired = false;
  std::vector<EndEntry> entries;
  // Entries [0, sorted) are in firing order (the engine put them so); those after came since.
  size_t sorted = 0;

  // Clears the table for another end, keeping its memory.
  void reset(int64_t newEnd) {
    end = newEnd;
    fired = false;
    sorted = 0;
    entries.clear();
    if (!index_.empty()) std::memset(index_.data(), 0, index_.size() * sizeof(uint32_t));
  }

  // Indexes the entries anew, after they were reordered.
  void reindex() {
    std::memset(index_.data(), 0, index_.size() * sizeof(uint32_t));
    for (size_t i = 0; i < entries.size(); ++i) place(entries[i].key, uint32_t(i + 1));
  }

  // The entry of `key`, or nullptr.
  EndEntry* find(int32_t key) {
    if (index_.empty()) return nullptr;
    const size_t mask = index_.size() - 1;
    for (size_t at = hash(key) & mask;; at = (at + 1) & mask) {
      const uint32_t position = index_[at];
      if (position == 0) return nullptr;
      if (entries[position - 1].key == key) return &entries[position - 1];
    }
  }

  // Adds an entry for `key`, which must not have one.
  EndEntry& insert(int32_t key, uint32_t pooled, const NamePrefix& prefix) {
    // At most half full, so that probes stay short.
    if ((entries.size() + 1) * 2 > index_.size()) grow();
    entries.push_back(EndEntry{key, pooled, Slot{}, prefix});
    place(key, uint32_t(entries.size()));
    return entries.back();
  }

 private:
  // Position + 1 of each key's entry; 0 is an empty cell. The size is a power of two.
  std::vector<uint32_t> index_;

  // Fibonacci hashing, with the high bits folded down: the mask keeps the low ones.
  static size_t hash(int32_t key) {
    const uint32_t h = uint32_t(key) * 0x9E3779B1u;
    return size_t(h ^ (h >> 16));
  }

  void place(int32_t key, uint32_t position) {
    const size_t mask = index_.size() - 1;
    size_t at = hash(key) & mask;
    while (index_[at] != 0) at = (at + 1) & mask;
    index_[at] = position;
  }

  void grow() {
    index_.assign(index_.empty() ? 64 : index_.size() * 2, 0);
    for (size_t i = 0; i < entries.size(); ++i) place(entries[i].key, uint32_t(i + 1));
  }
};

}  // namespace sageflow
