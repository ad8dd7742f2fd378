// A fixed set of threads that run submitted tasks in submission order (FIFO per pool).
//
// Why not the libuv pool: a search is ~50-150 µs, and an AsyncWorker per call cost ~55 µs of hand-off
// (see docs/decisions/0012). These threads can also spin for a while after each task before sleeping
// (off by default: it pays only on an idle machine), so that the next query finds a thread awake.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace sagedb {

class TaskPool {
 public:
  using Task = std::function<void()>;

  /// `threads` >= 1; `spin`: how long an idle thread keeps polling before it sleeps (0: never spins).
  TaskPool(size_t threads, std::chrono::microseconds spin);
  /// Finishes the running tasks, drops the queued ones (their destructors run), joins the threads.
  ~TaskPool();

  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  /// Queues `task`. Tasks must not throw (an escaping exception terminates the process).
  void submit(Task task);

  size_t threads() const { return threads_.size(); }
  std::chrono::microseconds spin() const { return spin_; }

  /// Threads for the default pool: `SAGE_DB_SEARCH_THREADS` when set to 1..256, else one less than the
  /// hardware threads (the JavaScript thread needs a core), at least 1 and at most 8.
  static size_t defaultThreads();
  /// `SAGE_DB_SEARCH_SPIN_US` when set to 0..100000, else 0 (sleep at once: spinning only pays on an idle
  /// machine and costs a lot on a busy one).
  static std::chrono::microseconds defaultSpin();

 private:
  void loop();
  bool takeSpinning(Task& out);

  const std::chrono::microseconds spin_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Task> queue_;
  std::atomic<size_t> queued_{0};  // queue_.size(), readable without the lock while spinning
  size_t sleeping_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace sagedb
