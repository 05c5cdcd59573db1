#include "core/submission_queue.h"

namespace medtrail::node {

bool SubmissionQueue::push(std::vector<ledger::Envelope> envelopes, Clock::time_point now) {
  return push_due(std::move(envelopes), now, now + limits_.linger);
}

bool SubmissionQueue::push_lingered(std::vector<ledger::Envelope> envelopes,
                                    Clock::time_point now) {
  return push_due(std::move(envelopes), now, now);
}

bool SubmissionQueue::push_due(std::vector<ledger::Envelope> envelopes, Clock::time_point now,
                               Clock::time_point due) {
  {
    std::lock_guard lock(mu_);
    if (queue_.size() + envelopes.size() > limits_.capacity) return false;
    for (ledger::Envelope& e : envelopes) {
      uint64_t b = envelope_bytes(e);
      bytes_ += b;
      queue_.push_back({std::move(e), b, now, due});
    }
  }
  if (on_push_) on_push_();
  return true;
}

std::vector<ledger::Envelope> SubmissionQueue::take_due(Clock::time_point now, bool flush) {
  std::lock_guard lock(mu_);
  std::vector<ledger::Envelope> batch;
  if (queue_.empty()) return batch;
  if (!flush && !full_locked() && queue_.front().due > now) return batch;
  uint64_t batch_bytes = 0;
  while (!queue_.empty() && batch.size() < limits_.max_batch_records) {
    Queued& q = queue_.front();
    // A batch always takes at least one record, however large.
    if (!batch.empty() && batch_bytes + q.bytes > limits_.max_batch_bytes) break;
    batch_bytes += q.bytes;
    bytes_ -= q.bytes;
    batch.push_back(std::move(q.envelope));
    queue_.pop_front();
  }
  return batch;
}

std::optional<SubmissionQueue::Clock::time_point> SubmissionQueue::next_due() const {
  std::lock_guard lock(mu_);
  if (queue_.empty()) return std::nullopt;
  if (full_locked()) return Clock::time_point::min();
  return queue_.front().due;
}

bool SubmissionQueue::has_full_batch() const {
  std::lock_guard lock(mu_);
  return full_locked();
}

bool SubmissionQueue::full_locked() const {
  return queue_.size() >= limits_.max_batch_records || bytes_ >= limits_.max_batch_bytes;
}

size_t SubmissionQueue::drop_older_than(Clock::time_point cutoff) {
  std::lock_guard lock(mu_);
  size_t dropped = 0;
  while (!queue_.empty() && queue_.front().enqueued < cutoff) {
    bytes_ -= queue_.front().bytes;
    queue_.pop_front();
    ++dropped;
  }
  return dropped;
}

size_t SubmissionQueue::size() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

uint64_t SubmissionQueue::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

}  // namespace medtrail::node
