#include "raft_progress.h"

#include <algorithm>

namespace medtrail::consensus::internal {

void Inflights::free_le(Index index) {
  while (!queue_.empty() && queue_.front() <= index) queue_.pop_front();
}

void Inflights::free_first_one() {
  if (!queue_.empty()) queue_.pop_front();
}

void PeerProgress::become_probe() {
  // Leaving snapshot state, the follower holds at least the snapshot (etcd's BecomeProbe).
  if (state_ == State::kSnapshot) {
    next_ = std::max(match_ + 1, transfer_.meta.index + 1);
  } else {
    next_ = match_ + 1;
  }
  state_ = State::kProbe;
  probe_sent_ = false;
  inflights_.reset();
  transfer_ = {};
}

void PeerProgress::become_replicate() {
  state_ = State::kReplicate;
  next_ = match_ + 1;
  probe_sent_ = false;
  inflights_.reset();
  transfer_ = {};
}

void PeerProgress::become_snapshot(const SnapshotMeta& meta, uint64_t size) {
  state_ = State::kSnapshot;
  probe_sent_ = false;
  inflights_.reset();
  transfer_ = SnapshotTransfer{meta, size, 0, 0, false};
  next_ = std::max(next_, meta.index + 1);
}

bool PeerProgress::maybe_update(Index index) {
  bool updated = false;
  if (index > match_) {
    match_ = index;
    updated = true;
    probe_sent_ = false;
  }
  next_ = std::max(next_, index + 1);
  return updated;
}

bool PeerProgress::maybe_decrease_to(Index rejected, Index match_hint) {
  if (state_ == State::kReplicate) {
    if (rejected <= match_) return false;  // stale: already matched past it
    next_ = match_ + 1;
    return true;
  }
  if (next_ == 0 || next_ - 1 != rejected) return false;  // not an answer to our last probe
  next_ = std::max(std::min(rejected, match_hint + 1), match_ + 1);
  probe_sent_ = false;
  return true;
}

bool PeerProgress::paused() const {
  switch (state_) {
    case State::kProbe:
      return probe_sent_;
    case State::kReplicate:
      return inflights_.full();
    case State::kSnapshot:
      return true;
  }
  return true;
}

}  // namespace medtrail::consensus::internal
