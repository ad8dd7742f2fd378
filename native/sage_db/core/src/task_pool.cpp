#include "sagedb/task_pool.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define SAGEDB_CPU_RELAX() _mm_pause()
#else
#define SAGEDB_CPU_RELAX() std::this_thread::yield()
#endif

namespace sagedb {
namespace {

long readEnv(const char* name, long min, long max, long fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  char* end = nullptr;
  const long n = std::strtol(value, &end, 10);
  if (end == value || *end != '\0' || n < min || n > max) return fallback;
  return n;
}

}  // namespace

TaskPool::TaskPool(size_t threads, std::chrono::microseconds spin) : spin_(spin) {
  threads = std::max<size_t>(threads, 1);
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; i++) threads_.emplace_back([this] { loop(); });
}

TaskPool::~TaskPool() {
  std::deque<Task> dropped;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    dropped.swap(queue_);
    queued_.store(0);
  }
  wake_.notify_all();
  for (auto& thread : threads_) thread.join();
}

void TaskPool::submit(Task task) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(task));
    queued_.store(queue_.size(), std::memory_order_release);
    wake = sleeping_ > 0;
  }
  if (wake) wake_.notify_one();
}

bool TaskPool::takeSpinning(Task& out) {
  const auto until = std::chrono::steady_clock::now() + spin_;
  for (unsigned round = 0;; round++) {
    if (queued_.load(std::memory_order_acquire) > 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return false;
      if (!queue_.empty()) {
        out = std::move(queue_.front());
        queue_.pop_front();
        queued_.store(queue_.size(), std::memory_order_release);
        return true;
      }
    }
    // Reading the clock every 64 pauses keeps the poll cheap.
    if ((round & 63) == 63 && std::chrono::steady_clock::now() >= until) return false;
    SAGEDB_CPU_RELAX();
  }
}

void TaskPool::loop() {
  for (;;) {
    Task task;
    if (spin_.count() == 0 || !takeSpinning(task)) {
      std::unique_lock<std::mutex> lock(mutex_);
      sleeping_++;
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      sleeping_--;
      if (stopping_) return;
      task = std::move(queue_.front());
      queue_.pop_front();
      queued_.store(queue_.size(), std::memory_order_release);
    }
    task();
  }
}

size_t TaskPool::defaultThreads() {
  const long hardware = long(std::max(1u, std::thread::hardware_concurrency()));
  const long fallback = std::clamp(hardware - 1, 1L, 8L);
  return size_t(readEnv("SAGE_DB_SEARCH_THREADS", 1, 256, fallback));
}

std::chrono::microseconds TaskPool::defaultSpin() {
  return std::chrono::microseconds(readEnv("SAGE_DB_SEARCH_SPIN_US", 0, 100000, 0));
}

}  // namespace sagedb
