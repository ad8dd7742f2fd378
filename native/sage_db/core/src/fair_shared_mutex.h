// A shared mutex that does not starve writers. glibc's std::shared_mutex prefers readers: with searches
// arriving back to back a writer (add, remove) may never get in. Here a writer takes the gate first, so
// readers that arrive after it wait until it is done; readers already inside finish normally.
#pragma once

#include <mutex>
#include <shared_mutex>

namespace sagedb {

class FairSharedMutex {
 public:
  void lock() {
    std::lock_guard<std::mutex> gate(gate_);
    rw_.lock();
  }
  void unlock() { rw_.unlock(); }
  void lock_shared() {
    std::lock_guard<std::mutex> gate(gate_);
    rw_.lock_shared();
  }
  void unlock_shared() { rw_.unlock_shared(); }

 private:
  std::mutex gate_;
  std::shared_mutex rw_;
};

}  // namespace sagedb
