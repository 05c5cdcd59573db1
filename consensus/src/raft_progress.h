#pragma once
// The leader's view of one follower (etcd's PeerProgress): how much of the log it holds and how
// entries flow to it. Probe: one AppendEntries at a time until the match point is found.
// Replicate: pipelined, `next` advanced optimistically, bounded by the in-flight window.
// Snapshot: entries it needs are compacted; a chunked snapshot transfer is under way.

#include <algorithm>
#include <cstddef>
#include <deque>

#include "medtrail/consensus/raft.h"

namespace medtrail::consensus::internal {

// Last indexes of AppendEntries sent but not yet acknowledged, oldest first.
class Inflights {
 public:
  explicit Inflights(size_t capacity) : capacity_(capacity) {}
  bool full() const { return queue_.size() >= capacity_; }
  size_t count() const { return queue_.size(); }
  void add(Index last) { queue_.push_back(last); }
  void free_le(Index index);
  void free_first_one();
  void reset() { queue_.clear(); }

 private:
  size_t capacity_;
  std::deque<Index> queue_;
};

// State of a chunked snapshot transfer to one follower.
struct SnapshotTransfer {
  SnapshotMeta meta;
  uint64_t size = 0;
  uint64_t acked = 0;  // bytes the follower confirmed holding: the next chunk starts here
  int idle_ticks = 0;  // ticks since the last chunk was sent or acknowledged
  // The chunk in flight ends the snapshot: a rejection from offset 0 now is a refusal.
  bool last_chunk_sent = false;
};

class PeerProgress {
 public:
  using State = RaftNode::Progress::State;

  PeerProgress(Index next, size_t max_inflight, bool learner)
      : next_(next), learner_(learner), inflights_(max_inflight) {}

  Index match() const { return match_; }
  Index next() const { return next_; }
  State state() const { return state_; }
  bool learner() const { return learner_; }
  void set_learner(bool learner) { learner_ = learner; }
  bool recently_active() const { return recently_active_; }
  void set_recently_active(bool active) { recently_active_ = active; }
  Inflights& inflights() { return inflights_; }
  SnapshotTransfer& transfer() { return transfer_; }
  const SnapshotTransfer& transfer() const { return transfer_; }

  void become_probe();
  void become_replicate();
  void become_snapshot(const SnapshotMeta& meta, uint64_t size);
  // Records an acknowledged match; returns false if it is not news.
  bool maybe_update(Index index);
  // Replicate state: entries up to `last` are on their way.
  void optimistic_update(Index last) { next_ = last + 1; }
  // A rejection of the append after `rejected`; `match_hint` is where the follower's log might
  // match. Returns false for a stale rejection.
  bool maybe_decrease_to(Index rejected, Index match_hint);
  // Probe: after one message, wait for its answer (or a heartbeat response).
  void set_probe_sent(bool sent) { probe_sent_ = sent; }
  bool paused() const;
  // Sets match for the leader itself (its own durable log).
  void set_self_match(Index match) {
    if (match > match_) match_ = match;
    next_ = std::max(next_, match_ + 1);
  }

 private:
  Index match_ = 0;
  Index next_ = 1;  // invariant: match_ < next_
  State state_ = State::kProbe;
  bool probe_sent_ = false;
  bool learner_ = false;
  // Set by any message from the follower; check-quorum clears it every election timeout.
  bool recently_active_ = true;
  Inflights inflights_;
  SnapshotTransfer transfer_;
};

}  // namespace medtrail::consensus::internal
