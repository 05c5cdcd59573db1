#pragma once
// Records admitted but not yet applied, and the clients waiting for them. A record id is
// pending from admission until the apply step reports it (or its pending time runs out, after
// which it may be submitted again): a second submission of a pending id is not queued twice, it
// waits for the first. Thread-safe; waiters are called outside the lock, exactly once.
#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/record_status.h"
#include "medtrail/ledger/bytes.h"

namespace medtrail::node {

class RecordTracker {
 public:
  using Clock = std::chrono::steady_clock;
  // Gets the record's final status, or (past its deadline) a kPending status.
  using Waiter = std::function<void(const RecordStatus&)>;

  enum class Begin { kNew, kAlreadyPending };
  // Atomically: if `hash` is pending, attaches `waiter` (may be empty) and says so; otherwise
  // marks it pending until `pending_until` with `waiter` attached. A kNew record must then be
  // queued, or ended with resolve().
  Begin begin(const ledger::Hash& hash, Clock::time_point pending_until, Waiter waiter,
              Clock::time_point wait_deadline);

  // The record's status is final: every waiter gets it and the id is no longer pending.
  void resolve(const ledger::Hash& hash, const RecordStatus& status);

  // Answers waiters whose deadline has passed (with kPending) and forgets records pending past
  // their time. Returns when the next deadline falls (or Clock::time_point::max()).
  Clock::time_point expire(Clock::time_point now);

  size_t pending() const;
  size_t waiters() const;

 private:
  struct HashKey {
    size_t operator()(const ledger::Hash& h) const;
  };
  struct Wait {
    Clock::time_point deadline;
    Waiter waiter;
  };
  struct Entry {
    std::string id;
    Clock::time_point pending_until;
    std::vector<Wait> waits;
  };
  mutable std::mutex mu_;
  std::unordered_map<ledger::Hash, Entry, HashKey> entries_;
  size_t waiters_ = 0;
};

}  // namespace medtrail::node
