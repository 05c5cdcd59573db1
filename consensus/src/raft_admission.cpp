// Message admission: what a peer may claim. Raft tolerates lost, delayed and duplicated
// messages, not lies; a node that lies as leader is beyond it. But a member that is not leader
// must not be able to stop the cluster with one message. So every message is checked here,
// before it has any effect, against what an honest sender could have put in it; one that fails
// is dropped and counted (RaftNode::counters()). Dropping is always safe: to the protocol it is
// a lost message. The rules, and why they are safe and live: docs/raft-safety.md.

#include <string>

#include "raft_core.h"

namespace medtrail::consensus::internal {

Status RaftCore::drop(uint64_t& counter, const char* code, const std::string& why) {
  ++counter;
  return Status::error(code, why);
}

Status RaftCore::check_shape(const Message& m) {
  // No honest log reaches kMaxIndex entries; below it, index + count never overflows.
  if (m.index >= kMaxIndex || m.commit >= kMaxIndex || m.reject_hint >= kMaxIndex ||
      m.snapshot.index >= kMaxIndex) {
    return drop(counters_.implausible_index, "invalid", "index at or above kMaxIndex");
  }
  // Every term a message names is at most its own: a candidate's last entry, the entry before a
  // leader's entries, a snapshot and a follower's hint all come from terms the sender has seen.
  if (m.log_term > m.term || m.hint_term > m.term || m.snapshot.term > m.term) {
    return drop(counters_.implausible_term, "invalid", "a log term above the message's term");
  }
  switch (m.type) {
    case MessageType::kAppend:
      return check_entries(m);
    case MessageType::kSnapshotChunk:
      return check_snapshot_chunk(m);
    case MessageType::kAppendResponse:
      // A follower's hint is where its log might match, at or below the index it rejected.
      if (m.reject && m.reject_hint > m.index) {
        return drop(counters_.implausible_index, "invalid", "reject hint above rejected index");
      }
      return Status();
    default:
      return Status();
  }
}

// §5.3: the entries follow the one at m.index, contiguously, with non-decreasing terms no
// higher than the leader's.
Status RaftCore::check_entries(const Message& m) {
  Term floor = m.log_term;
  for (size_t i = 0; i < m.entries.size(); ++i) {
    const Entry& e = m.entries[i];
    if (e.index != m.index + 1 + i ||
        static_cast<uint8_t>(e.type) > static_cast<uint8_t>(EntryType::kConfChange)) {
      return drop(counters_.malformed, "invalid", "AppendEntries with malformed entries");
    }
    if (e.term > m.term || e.term < floor) {
      return drop(counters_.implausible_term, "invalid", "AppendEntries with implausible terms");
    }
    floor = e.term;
  }
  return Status();
}

Status RaftCore::check_snapshot_chunk(const Message& m) {
  if (m.snapshot_offset > m.snapshot_size ||
      m.snapshot_chunk.size() > m.snapshot_size - m.snapshot_offset) {
    return drop(counters_.implausible_index, "invalid", "snapshot chunk outside its snapshot");
  }
  // Chunks are held until the whole snapshot is here: a claimed size past the state machine's
  // bound would let a peer make this node buffer without limit.
  if (m.snapshot_size > config_.max_snapshot_bytes) {
    return drop(counters_.implausible_index, "invalid", "snapshot larger than the node accepts");
  }
  if (m.snapshot.index == 0 || m.snapshot.term == 0 || !valid_conf_state(m.snapshot.conf)) {
    return drop(counters_.malformed, "invalid", "malformed snapshot chunk");
  }
  return Status();
}

// The term rule (docs/raft-safety.md). Honest terms stay close: with pre-vote and check-quorum a
// term grows by one per real election. So a message more than kMaxTermJump ahead is a lie or
// comes from a cluster that went on without us for a very long time. Either way its term is not
// adopted; we move kMaxTermJump toward it (as if a message at exactly the margin had arrived),
// so a node lagging by any amount still catches up, in steps, while a liar gains nothing it
// could not get from a message at the margin. Raising the term by more than one is allowed once
// per election timeout: without that, a liar could repeat margin-sized steps as fast as it can
// send and walk the cluster to kMaxTerm, where no election is possible.
Status RaftCore::admit_higher_term(const Message& m) {
  const Term ahead = m.term - term_;
  if (!raises_term(m)) {
    // A pre-vote changes no term, and no candidate honestly asks from that far ahead.
    if (ahead > kMaxTermJump) {
      return drop(counters_.implausible_term, "invalid", "pre-vote term too far ahead");
    }
    return Status();
  }
  if (ahead > kMaxTermJump) {
    if (term_jump_allowed()) {
      ticks_since_term_jump_ = 0;
      become_follower(term_ + kMaxTermJump, kNoNode);
    }
    return drop(counters_.implausible_term, "invalid", "term more than kMaxTermJump ahead");
  }
  if (ahead > 1) {
    if (!term_jump_allowed()) {
      return drop(counters_.term_jumps_deferred, "dropped",
                  "term raised by more than one within an election timeout");
    }
    ticks_since_term_jump_ = 0;
  }
  return Status();
}

// Election Safety (thesis Figure 3.2): at most one leader per term. Once we know this term's
// leader, another node claiming to lead it is lying; following it would let it overwrite our
// log or move our commit index.
Status RaftCore::check_leader_conflict(const Message& m) {
  const bool known_other =
      role_ == Role::kLeader || (role_ == Role::kFollower && leader_ != kNoNode);
  if (known_other && leader_ != m.from) {
    return drop(counters_.leader_conflict, "invalid",
                "leader message from another node in a term whose leader we know");
  }
  return Status();
}

// A follower answers only about entries this leader sent it, so nothing it reports can pass our
// last index: not its match, the index it rejected, its commit (Leader Completeness, thesis
// §3.6.3: the leader holds every committed entry) nor a snapshot it installed.
Status RaftCore::check_response_indexes(const Message& m) {
  const Index last = log_.last_index();
  if (m.index > last || m.commit > last) {
    return drop(counters_.implausible_index, "invalid", "response beyond the leader's log");
  }
  if (m.type == MessageType::kSnapshotResponse && m.snapshot_offset > m.snapshot_size) {
    return drop(counters_.implausible_index, "invalid", "snapshot response beyond its size");
  }
  return Status();
}

}  // namespace medtrail::consensus::internal
