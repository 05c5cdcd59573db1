#include "medtrail/ledger/thread_pool.h"

#include <algorithm>

#include "medtrail/ledger/thread_name.h"

namespace medtrail::ledger {

ThreadPool::ThreadPool(size_t threads, const std::string& name) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  for (size_t i = 1; i < threads; ++i) {
    workers_.emplace_back([this, name = name + "-" + std::to_string(i)] {
      name_this_thread(name);
      worker_loop();
    });
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::parallel_for(size_t n, const std::function<void(size_t, size_t)>& fn) {
  if (n == 0) return;
  std::lock_guard call(call_mu_);
  {
    std::lock_guard lock(mu_);
    job_ = &fn;
    n_ = n;
    // Several ranges per thread balance uneven work without much locking.
    chunk_ = std::max<size_t>(1, n / (concurrency() * 8));
    next_ = 0;
    busy_ = workers_.size() + 1;
    error_ = nullptr;
    ++generation_;
  }
  work_cv_.notify_all();
  run_ranges();
  std::unique_lock lock(mu_);
  done_cv_.wait(lock, [this] { return busy_ == 0; });
  job_ = nullptr;
  if (error_) std::rethrow_exception(error_);
}

void ThreadPool::run_ranges() {
  for (;;) {
    size_t begin;
    size_t end;
    const std::function<void(size_t, size_t)>* job;
    {
      std::lock_guard lock(mu_);
      if (next_ >= n_ || error_) {
        if (--busy_ == 0) done_cv_.notify_all();
        return;
      }
      begin = next_;
      end = std::min(n_, begin + chunk_);
      next_ = end;
      job = job_;
    }
    try {
      (*job)(begin, end);
    } catch (...) {
      std::lock_guard lock(mu_);
      if (!error_) error_ = std::current_exception();
    }
  }
}

void ThreadPool::worker_loop() {
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
    }
    run_ranges();
  }
}

}  // namespace medtrail::ledger
