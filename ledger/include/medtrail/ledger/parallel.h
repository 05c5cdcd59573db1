#pragma once
// The ledger owns no threads. Work that can use every core (verifying a chain's signatures)
// takes a ParallelRunner from its caller; InlineRunner runs everything on the calling thread.

#include <cstddef>
#include <functional>

namespace medtrail::ledger {

class ParallelRunner {
 public:
  virtual ~ParallelRunner() = default;
  virtual size_t concurrency() const = 0;
  // Calls fn(begin, end) over disjoint ranges covering [0, n) and returns when all are done.
  virtual void parallel_for(size_t n, const std::function<void(size_t, size_t)>& fn) = 0;
};

class InlineRunner final : public ParallelRunner {
 public:
  size_t concurrency() const override { return 1; }
  void parallel_for(size_t n, const std::function<void(size_t, size_t)>& fn) override {
    if (n > 0) fn(0, n);
  }
};

}  // namespace medtrail::ledger
