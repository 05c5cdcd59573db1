#pragma once
// Admitted records waiting to be proposed, and the batching rule: a batch is due when it would
// be full (max_batch_records or max_batch_bytes) or its oldest record has waited `linger`.
// Records a follower forwarded to the leader lingered there already: they are due at once.
// Bounded: push() refuses a request's records (all of them) when they do not fit, and the
// client is told to retry (429). Thread-safe.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "medtrail/ledger/envelope.h"

namespace medtrail::node {

struct BatchLimits {
  uint32_t capacity = 20000;
  uint32_t max_batch_records = 2000;
  uint64_t max_batch_bytes = 4 << 20;
  std::chrono::microseconds linger{2000};
};

class SubmissionQueue {
 public:
  using Clock = std::chrono::steady_clock;
  SubmissionQueue(BatchLimits limits, std::function<void()> on_push)
      : limits_(limits), on_push_(std::move(on_push)) {}

  // All or nothing; false when the queue has no room for every one of them.
  bool push(std::vector<ledger::Envelope> envelopes, Clock::time_point now);
  // The same, for records that lingered where they were admitted (forwarded ones): no waiting.
  bool push_lingered(std::vector<ledger::Envelope> envelopes, Clock::time_point now);

  // The next batch if one is due at `now` (or any queued records when `flush`); empty if not.
  std::vector<ledger::Envelope> take_due(Clock::time_point now, bool flush);
  // When the oldest queued record's linger ends (nullopt when empty; min() when a full batch
  // waits).
  std::optional<Clock::time_point> next_due() const;
  // Whether a full batch (by count or bytes) waits.
  bool has_full_batch() const;
  // Drops records queued before `cutoff` (nobody waits for them any more); returns how many.
  size_t drop_older_than(Clock::time_point cutoff);

  size_t size() const;
  uint64_t bytes() const;

  static uint64_t envelope_bytes(const ledger::Envelope& e) {
    return e.payload.size() + e.signature.size() + e.signer.size() + e.suite.size() + 16;
  }

 private:
  struct Queued {
    ledger::Envelope envelope;
    uint64_t bytes;
    Clock::time_point enqueued;
    Clock::time_point due;  // its linger's end
  };
  bool push_due(std::vector<ledger::Envelope> envelopes, Clock::time_point now,
                Clock::time_point due);
  bool full_locked() const;
  const BatchLimits limits_;
  std::function<void()> on_push_;
  mutable std::mutex mu_;
  std::deque<Queued> queue_;
  uint64_t bytes_ = 0;
};

}  // namespace medtrail::node
