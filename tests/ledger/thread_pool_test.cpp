#include "medtrail/ledger/thread_pool.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <stdexcept>
#include <vector>

namespace medtrail::ledger {
namespace {

TEST(ThreadPool, EveryIndexIsVisitedExactlyOnce) {
  ThreadPool pool(4);
  EXPECT_EQ(pool.concurrency(), 4u);
  for (size_t n : {0u, 1u, 7u, 1000u, 100003u}) {
    std::vector<std::atomic<int>> seen(n);
    pool.parallel_for(n, [&](size_t begin, size_t end) {
      ASSERT_LE(begin, end);
      for (size_t i = begin; i < end; ++i) seen[i]++;
    });
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(seen[i].load(), 1) << "n=" << n << " i=" << i;
  }
}

TEST(ThreadPool, WorkIsSpreadOverThreads) {
  ThreadPool pool(3);
  std::mutex mu;
  std::condition_variable cv;
  std::set<std::thread::id> ids;
  std::atomic<bool> first_taken{false};
  pool.parallel_for(300, [&](size_t, size_t) {
    std::unique_lock lock(mu);
    ids.insert(std::this_thread::get_id());
    cv.notify_all();
    // The first range holds its thread until another thread has taken a range: a pool that
    // ran everything on one thread fails here (after the timeout) rather than by chance.
    if (!first_taken.exchange(true)) {
      cv.wait_for(lock, std::chrono::seconds(10), [&] { return ids.size() > 1; });
    }
  });
  EXPECT_GT(ids.size(), 1u);
}

// A profile tells the pool's threads apart by name (perf, top -H).
TEST(ThreadPool, WorkersCarryThePoolsName) {
  ThreadPool pool(3, "verify");
  std::mutex mu;
  std::condition_variable cv;
  std::set<std::string> names;
  std::string caller_name(16, '\0');
  ASSERT_EQ(pthread_getname_np(pthread_self(), caller_name.data(), caller_name.size()), 0);
  caller_name.resize(caller_name.find('\0'));
  pool.parallel_for(3, [&](size_t, size_t) {
    std::string name(16, '\0');
    pthread_getname_np(pthread_self(), name.data(), name.size());
    name.resize(name.find('\0'));
    std::unique_lock lock(mu);
    names.insert(name);
    cv.notify_all();
    // Each range holds its thread until all three threads have taken one.
    cv.wait_for(lock, std::chrono::seconds(10), [&] { return names.size() == 3; });
  });
  EXPECT_EQ(names, (std::set<std::string>{caller_name, "verify-1", "verify-2"}));
}

TEST(ThreadPool, ExceptionFromWorkIsRethrownToTheCaller) {
  ThreadPool pool(2);
  EXPECT_THROW(pool.parallel_for(100,
                                 [](size_t begin, size_t) {
                                   if (begin == 0) throw std::runtime_error("boom");
                                 }),
               std::runtime_error);
  // The pool still works afterwards.
  std::atomic<size_t> total{0};
  pool.parallel_for(10, [&](size_t b, size_t e) { total += e - b; });
  EXPECT_EQ(total.load(), 10u);
}

}  // namespace
}  // namespace medtrail::ledger
