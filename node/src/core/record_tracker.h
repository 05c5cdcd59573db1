#pragma once
// Records admitted but not yet applied, and the clients waiting for them. A record id is
// pending from admission until the apply step reports it (or its pending time runs out, after
// which it may be submitted again). A second submission of a pending id waits for the first
// copy and is not queued again — unless the first copy was queued more than `requeue_after`
// ago: it may have been lost with a leader that crashed, and a second copy costs nothing (the
// apply step keeps the first to commit and answers the other as a duplicate). Thread-safe;
// waiters are called outside the lock, exactly once.
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

  explicit RecordTracker(std::chrono::milliseconds requeue_after = std::chrono::seconds(1))
      : requeue_after_(requeue_after) {}

  // kNew: not pending before; kRequeue: pending, but queued long enough ago to queue again;
  // kAlreadyPending: wait for the copy in flight.
  enum class Begin { kNew, kRequeue, kAlreadyPending };
  // Atomically: attaches `waiter` (may be empty) to the record's entry, creating it pending
  // until `pending_until` if absent, and says whether the caller must queue the record (kNew,
  // kRequeue: queue it, or end it with resolve()).
  Begin begin(const ledger::Hash& hash, Clock::time_point pending_until, Waiter waiter,
              Clock::time_point wait_deadline, Clock::time_point now = Clock::now());

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
    Clock::time_point queued_at;
    std::vector<Wait> waits;
  };
  const std::chrono::milliseconds requeue_after_;
  mutable std::mutex mu_;
  std::unordered_map<ledger::Hash, Entry, HashKey> entries_;
  size_t waiters_ = 0;
};

}  // namespace medtrail::node
