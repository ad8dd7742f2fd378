// The search threads: every task runs once, FIFO on one thread, in parallel on several, queued tasks are
// dropped (not run) when the pool goes away, and the environment knobs are validated.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "sagedb/task_pool.h"

using sagedb::TaskPool;
using namespace std::chrono_literals;

namespace {

/// Blocks until `n` calls of `arrive()` happened (or 10 s passed).
class Latch {
 public:
  explicit Latch(int n) : left_(n) {}
  void arrive() {
    std::lock_guard<std::mutex> lock(m_);
    if (--left_ <= 0) cv_.notify_all();
  }
  bool wait() {
    std::unique_lock<std::mutex> lock(m_);
    return cv_.wait_for(lock, 10s, [&] { return left_ <= 0; });
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  int left_;
};

}  // namespace

TEST(TaskPool, RunsEveryTaskOnceInOrderOnOneThread) {
  for (auto spin : {0us, 100us}) {
    std::vector<int> order;
    Latch done(1000);
    {
      TaskPool pool(1, spin);
      EXPECT_EQ(pool.threads(), 1u);
      for (int i = 0; i < 1000; i++) {
        pool.submit([&, i] {
          order.push_back(i);
          done.arrive();
        });
        if (i % 100 == 0) std::this_thread::sleep_for(1ms);  // let the thread go to sleep between bursts
      }
      ASSERT_TRUE(done.wait());
    }
    ASSERT_EQ(order.size(), 1000u);
    for (int i = 0; i < 1000; i++) EXPECT_EQ(order[i], i);
  }
}

TEST(TaskPool, RunsTasksInParallelOnSeveralThreads) {
  TaskPool pool(2, 50us);
  // Both tasks wait for each other: this only finishes when two threads run them at the same time.
  Latch both(2);
  Latch finished(2);
  for (int i = 0; i < 2; i++) {
    pool.submit([&] {
      both.arrive();
      both.wait();
      finished.arrive();
    });
  }
  EXPECT_TRUE(finished.wait());
}

TEST(TaskPool, DropsQueuedTasksWithoutRunningThemWhenDestroyed) {
  std::atomic<int> ran{0};
  auto token = std::make_shared<int>(0);
  std::weak_ptr<int> watch = token;
  Latch started(1);
  std::atomic<bool> release{false};
  {
    TaskPool pool(1, 0us);
    pool.submit([&] {
      started.arrive();
      while (!release.load()) std::this_thread::sleep_for(1ms);
      ran++;
    });
    ASSERT_TRUE(started.wait());
    for (int i = 0; i < 10; i++) pool.submit([&ran, token] { ran++; });
    token.reset();
    std::thread releaser([&] {
      std::this_thread::sleep_for(20ms);
      release = true;
    });
    // The destructor waits for the running task, drops the ten queued ones.
    releaser.detach();
  }
  EXPECT_EQ(ran.load(), 1);
  EXPECT_TRUE(watch.expired());  // the dropped tasks' captures were released
}

TEST(TaskPool, ReadsItsSettingsFromTheEnvironment) {
  setenv("SAGE_DB_SEARCH_THREADS", "3", 1);
  EXPECT_EQ(TaskPool::defaultThreads(), 3u);
  setenv("SAGE_DB_SEARCH_THREADS", "0", 1);  // out of range: the default
  const size_t hardware = std::max(1u, std::thread::hardware_concurrency());
  const size_t fallback = std::min<size_t>(8, std::max<size_t>(1, hardware - 1));
  EXPECT_EQ(TaskPool::defaultThreads(), fallback);
  setenv("SAGE_DB_SEARCH_THREADS", "two", 1);
  EXPECT_EQ(TaskPool::defaultThreads(), fallback);
  unsetenv("SAGE_DB_SEARCH_THREADS");
  EXPECT_EQ(TaskPool::defaultThreads(), fallback);

  setenv("SAGE_DB_SEARCH_SPIN_US", "0", 1);
  EXPECT_EQ(TaskPool::defaultSpin().count(), 0);
  setenv("SAGE_DB_SEARCH_SPIN_US", "-5", 1);
  EXPECT_EQ(TaskPool::defaultSpin().count(), 0);
  setenv("SAGE_DB_SEARCH_SPIN_US", "250", 1);
  EXPECT_EQ(TaskPool::defaultSpin().count(), 250);
  unsetenv("SAGE_DB_SEARCH_SPIN_US");
  EXPECT_EQ(TaskPool::defaultSpin().count(), 0);
}
