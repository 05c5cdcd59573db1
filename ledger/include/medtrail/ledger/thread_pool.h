#pragma once
// A fixed pool of worker threads running the ledger's parallel work (chain verification,
// batch signature checks). The calling thread works too, so `threads` is the total.

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "medtrail/ledger/parallel.h"

namespace medtrail::ledger {

class ThreadPool final : public ledger::ParallelRunner {
 public:
  // 0 means one per hardware thread; the workers are named "<name>-1", "<name>-2", ...
  explicit ThreadPool(size_t threads = 0, const std::string& name = "pool");
  ~ThreadPool() override;
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  size_t concurrency() const override { return workers_.size() + 1; }
  // One call at a time (later callers wait); an exception thrown by `fn` is rethrown here
  // after every range has finished.
  void parallel_for(size_t n, const std::function<void(size_t, size_t)>& fn) override;

 private:
  void worker_loop();
  void run_ranges();

  std::vector<std::thread> workers_;
  std::mutex call_mu_;  // serialises parallel_for calls
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  // The current job; valid while busy_ > 0. Guarded by mu_ except `next_`, which workers
  // advance under mu_ too (ranges are coarse, so the lock is cheap).
  const std::function<void(size_t, size_t)>* job_ = nullptr;
  size_t n_ = 0;
  size_t chunk_ = 1;
  size_t next_ = 0;
  size_t busy_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

}  // namespace medtrail::ledger
