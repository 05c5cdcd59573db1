// Message dispatch: validation and admission (raft_admission.cpp), the term rules every role
// shares (§5.1, §9.6), then per role.

#include "raft_core.h"

namespace medtrail::consensus::internal {

Status RaftCore::validate(const Message& m) {
  if (m.to != id()) {
    return drop(counters_.malformed, "invalid", "message addressed to another node");
  }
  if (m.from == kNoNode || m.from == id()) {
    return drop(counters_.malformed, "invalid", "bad sender");
  }
  if (static_cast<uint8_t>(m.type) > static_cast<uint8_t>(MessageType::kReadIndexResponse)) {
    return drop(counters_.malformed, "invalid", "unknown message type");
  }
  return check_shape(m);
}

Status RaftCore::step(const Message& m) {
  if (failed()) return failure();
  Status s = validate(m);
  if (!s.ok()) return s;

  if (m.term > term_) {
    // No node ever holds a term above kMaxTerm (it would refuse to start), so this is a lie.
    if (m.term > kMaxTerm) {
      return drop(counters_.implausible_term, "invalid", "term above kMaxTerm");
    }
    if (is_vote_request(m.type)) {
      // §4.2.3 / §9.6: while we hear from a leader, (pre-)votes are ignored, so a server that
      // was partitioned away cannot depose a healthy leader. A transfer's vote is exempt.
      bool forced = m.context == kTransferContext;
      bool in_lease =
          config_.check_quorum && leader_ != kNoNode && election_elapsed_ < config_.election_ticks;
      if (!forced && in_lease) return Status();
    }
    s = admit_higher_term(m);
    if (!s.ok()) {
      check_invariants();
      return s;
    }
    if (!raises_term(m)) {
      // Pre-votes never change anyone's term; a granted pre-vote carries the future term.
    } else if (carries_leader(m.type)) {
      become_follower(m.term, m.from);
    } else {
      become_follower(m.term, kNoNode);
    }
  } else if (m.term < term_) {
    if (m.type == MessageType::kAppend || m.type == MessageType::kHeartbeat) {
      // A stale leader (e.g. one whose pre-votes kept our term from reaching it) learns our
      // term from this response and steps down. etcd answers only with check-quorum or
      // pre-vote, leaving a voter's own campaign to spread its term otherwise; a learner does
      // not campaign, so one whose term a liar raised would never hear from the leader again.
      Message resp;
      resp.type = MessageType::kAppendResponse;
      resp.to = m.from;
      send(std::move(resp));
    } else if (m.type == MessageType::kPreVote) {
      Message resp;
      resp.type = MessageType::kPreVoteResponse;
      resp.to = m.from;
      resp.term = term_;
      resp.reject = true;
      send(std::move(resp));
    }
    return Status();
  }
  if (m.term == term_ && carries_leader(m.type)) {
    s = check_leader_conflict(m);
    if (!s.ok()) return s;
  }

  if (is_vote_request(m.type)) {
    handle_vote_request(m);
    s = Status();
  } else {
    switch (role_) {
      case Role::kLeader:
        s = step_leader(m);
        break;
      case Role::kPreCandidate:
      case Role::kCandidate:
        s = step_candidate(m);
        break;
      case Role::kFollower:
        s = step_follower(m);
        break;
    }
  }
  check_invariants();
  return s;
}

Status RaftCore::step_leader(const Message& m) {
  auto it = progress_.find(m.from);
  if (m.type == MessageType::kReadIndex) {
    if (it == progress_.end()) return Status::error("invalid", "read from a non-member");
    // An empty context is never acknowledged (heartbeats without one carry no read round).
    if (m.context.empty() || m.context.size() > kMaxReadContextBytes ||
        pending_reads_.size() + reads_awaiting_commit_.size() >= kMaxPendingReads) {
      return drop(counters_.reads_refused, "dropped", "read with a bad context or over the limit");
    }
    serve_read(m.from, m.context);
    return Status();
  }
  if (it == progress_.end()) return Status();  // not (or no longer) a member
  if (m.type == MessageType::kAppendResponse || m.type == MessageType::kHeartbeatResponse ||
      m.type == MessageType::kSnapshotResponse) {
    Status s = check_response_indexes(m);
    if (!s.ok()) return s;
  }
  if (lame_duck_commit_ != 0 && is_voter(m.from) && m.commit >= lame_duck_commit_ &&
      (m.type == MessageType::kAppendResponse || m.type == MessageType::kHeartbeatResponse)) {
    become_follower(term_, kNoNode);  // a remaining voter knows the removal committed
    return Status();
  }
  PeerProgress& pr = it->second;
  switch (m.type) {
    case MessageType::kAppendResponse:
      pr.set_recently_active(true);
      handle_append_response(m, pr);
      break;
    case MessageType::kHeartbeatResponse:
      pr.set_recently_active(true);
      handle_heartbeat_response(m, pr);
      break;
    case MessageType::kSnapshotResponse:
      pr.set_recently_active(true);
      handle_snapshot_response(m, pr);
      break;
    default:  // leader messages in our term were refused by check_leader_conflict
      break;
  }
  return Status();
}

Status RaftCore::step_candidate(const Message& m) {
  switch (m.type) {
    case MessageType::kAppend:
      become_follower(m.term, m.from);
      return handle_append(m);
    case MessageType::kHeartbeat:
      become_follower(m.term, m.from);
      handle_heartbeat(m);
      return Status();
    case MessageType::kSnapshotChunk:
      become_follower(m.term, m.from);
      return handle_snapshot_chunk(m);
    case MessageType::kPreVoteResponse:
    case MessageType::kVoteResponse:
      handle_vote_response(m);
      return Status();
    default:
      return Status();
  }
}

Status RaftCore::step_follower(const Message& m) {
  switch (m.type) {
    case MessageType::kAppend:
      election_elapsed_ = 0;
      leader_ = m.from;
      return handle_append(m);
    case MessageType::kHeartbeat:
      election_elapsed_ = 0;
      leader_ = m.from;
      handle_heartbeat(m);
      return Status();
    case MessageType::kSnapshotChunk:
      election_elapsed_ = 0;
      leader_ = m.from;
      return handle_snapshot_chunk(m);
    case MessageType::kTimeoutNow:
      // Only our leader may hand over leadership; anyone else would just be disruptive.
      if (m.from == leader_ && promotable() && !has_unapplied_conf_changes()) {
        campaign(false, true);
      }
      return Status();
    case MessageType::kReadIndexResponse:
      if (m.from == leader_) read_states_.push_back({m.index, m.context});
      return Status();
    default:
      return Status();
  }
}

void RaftCore::send(Message m) {
  m.from = id();
  bool vote_family = m.type == MessageType::kVote || m.type == MessageType::kPreVote ||
                     m.type == MessageType::kVoteResponse ||
                     m.type == MessageType::kPreVoteResponse;
  if (!vote_family) m.term = term_;  // vote messages set their term explicitly
  messages_.push_back(std::move(m));
}

}  // namespace medtrail::consensus::internal
