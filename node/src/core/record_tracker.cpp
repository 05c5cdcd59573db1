#include "core/record_tracker.h"

#include <cstring>

namespace medtrail::node {

size_t RecordTracker::HashKey::operator()(const ledger::Hash& h) const {
  size_t v;
  std::memcpy(&v, h.data(), sizeof v);  // a cryptographic hash: any 8 bytes are uniform
  return v;
}

RecordTracker::Begin RecordTracker::begin(const ledger::Hash& hash,
                                          Clock::time_point pending_until, Waiter waiter,
                                          Clock::time_point wait_deadline, Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = entries_.try_emplace(hash);
  Entry& e = it->second;
  if (waiter) {
    e.waits.push_back({wait_deadline, std::move(waiter)});
    ++waiters_;
  }
  if (inserted) {
    e.id = ledger::to_hex(hash);
    e.pending_until = pending_until;
    e.queued_at = now;
    return Begin::kNew;
  }
  if (now - e.queued_at >= requeue_after_) {
    e.queued_at = now;
    e.pending_until = std::max(e.pending_until, pending_until);
    return Begin::kRequeue;
  }
  return Begin::kAlreadyPending;
}

void RecordTracker::resolve(const ledger::Hash& hash, const RecordStatus& status) {
  std::vector<Wait> waits;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(hash);
    if (it == entries_.end()) return;
    waits = std::move(it->second.waits);
    waiters_ -= waits.size();
    entries_.erase(it);
  }
  for (Wait& w : waits) w.waiter(status);
}

RecordTracker::Clock::time_point RecordTracker::expire(Clock::time_point now) {
  std::vector<std::pair<std::string, Waiter>> due;
  Clock::time_point next = Clock::time_point::max();
  {
    std::lock_guard lock(mu_);
    for (auto it = entries_.begin(); it != entries_.end();) {
      Entry& e = it->second;
      for (size_t i = 0; i < e.waits.size();) {
        if (e.waits[i].deadline <= now) {
          due.emplace_back(e.id, std::move(e.waits[i].waiter));
          e.waits[i] = std::move(e.waits.back());
          e.waits.pop_back();
          --waiters_;
        } else {
          next = std::min(next, e.waits[i].deadline);
          ++i;
        }
      }
      if (e.pending_until <= now && e.waits.empty()) {
        it = entries_.erase(it);
      } else {
        next = std::min(next, e.pending_until);
        ++it;
      }
    }
  }
  for (auto& [id, waiter] : due) {
    RecordStatus s;
    s.id = id;
    s.state = RecordState::kPending;
    waiter(s);
  }
  return next;
}

size_t RecordTracker::pending() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

size_t RecordTracker::waiters() const {
  std::lock_guard lock(mu_);
  return waiters_;
}

}  // namespace medtrail::node
