// Single-server membership changes with learners (thesis §4.1, §4.2.1), applied when the entry
// is applied (etcd's approach), and leadership transfer (§3.10).

#include <algorithm>

#include "raft_core.h"

namespace medtrail::consensus::internal {

namespace {
void erase_id(std::vector<NodeId>& ids, NodeId node) {
  ids.erase(std::remove(ids.begin(), ids.end(), node), ids.end());
}
void insert_id(std::vector<NodeId>& ids, NodeId node) {
  ids.insert(std::lower_bound(ids.begin(), ids.end(), node), node);
}
}  // namespace

bool RaftCore::is_voter(NodeId node) const {
  return std::binary_search(conf_.voters.begin(), conf_.voters.end(), node);
}

bool RaftCore::is_member(NodeId node) const {
  return is_voter(node) || std::binary_search(conf_.learners.begin(), conf_.learners.end(), node);
}

Status RaftCore::propose_conf_change(const ConfChange& change) {
  if (failed()) return failure();
  if (role_ != Role::kLeader) return Status::error("not_leader", "not the leader");
  if (lame_duck_commit_ != 0) return Status::error("dropped", "removed; handing over leadership");
  if (lead_transferee_ != kNoNode) {
    return Status::error("dropped", "leadership transfer in progress");
  }
  if (change.node == kNoNode) return Status::error("invalid", "conf change for node 0");
  if (static_cast<uint8_t>(change.type) > static_cast<uint8_t>(ConfChangeType::kRemoveNode)) {
    return Status::error("invalid", "unknown conf change type");
  }
  if (change.type != ConfChangeType::kAddVoter && conf_.voters.size() == 1 &&
      conf_.voters[0] == change.node) {
    return Status::error("invalid", "the last voter cannot be removed or demoted");
  }
  // One change at a time (§4.1): the next waits until the previous one is applied.
  if (pending_conf_index_ > log_.applied()) {
    return Status::error("dropped", "a configuration change is still pending");
  }
  std::vector<Entry> entries(1);
  entries[0].type = EntryType::kConfChange;
  entries[0].data = encode_conf_change(change);
  if (!append_entries(std::move(entries))) {
    return Status::error("dropped", "too many uncommitted bytes");
  }
  pending_conf_index_ = log_.last_index();
  broadcast_append();
  check_invariants();
  return Status();
}

void RaftCore::apply_conf_change(const ConfChange& change) {
  if (change.node == kNoNode) return;
  erase_id(conf_.voters, change.node);
  erase_id(conf_.learners, change.node);
  switch (change.type) {
    case ConfChangeType::kAddVoter:
      insert_id(conf_.voters, change.node);
      break;
    case ConfChangeType::kAddLearner:
      insert_id(conf_.learners, change.node);
      break;
    case ConfChangeType::kRemoveNode:
      break;
  }
  if (role_ != Role::kLeader) {
    // A (pre-)candidate that is no longer a voter must not win with votes already counted.
    if (role_ != Role::kFollower && !is_voter(id())) become_follower(term_, kNoNode);
    return;
  }
  rebuild_progress_after_conf_change();
  if (lead_transferee_ != kNoNode && !is_voter(lead_transferee_)) abort_leader_transfer();
  if (!is_voter(id())) {
    // Removed (or demoted): keep leading, without counting, until a remaining voter reports
    // that it knows the removal committed (see lame_duck_commit_); then step down.
    lame_duck_commit_ = log_.committed();
    broadcast_append();
    return;
  }
  if (maybe_commit()) broadcast_append();
}

void RaftCore::rebuild_progress_after_conf_change() {
  for (auto it = progress_.begin(); it != progress_.end();) {
    it = is_member(it->first) ? std::next(it) : progress_.erase(it);
  }
  Index next = log_.last_index() + 1;
  auto ensure = [&](NodeId node, bool learner) {
    auto [it, inserted] =
        progress_.try_emplace(node, PeerProgress(next, config_.max_inflight_messages, learner));
    it->second.set_learner(learner);
    if (inserted) maybe_send_append(node, true);
  };
  for (NodeId v : conf_.voters) ensure(v, false);
  for (NodeId l : conf_.learners) ensure(l, true);
}

Status RaftCore::transfer_leadership(NodeId target) {
  if (failed()) return failure();
  if (role_ != Role::kLeader) return Status::error("not_leader", "not the leader");
  if (lame_duck_commit_ != 0) return Status::error("dropped", "removed; handing over leadership");
  if (target == id()) return Status();
  if (!is_voter(target)) return Status::error("invalid", "transfer target is not a voter");
  if (lead_transferee_ == target) return Status();
  abort_leader_transfer();
  // The transfer must finish within an election timeout (tick_heartbeat aborts it).
  election_elapsed_ = 0;
  lead_transferee_ = target;
  PeerProgress& pr = progress_.at(target);
  if (pr.match() == log_.last_index()) {
    send_timeout_now(target);
  } else {
    maybe_send_append(target, true);
  }
  check_invariants();
  return Status();
}

void RaftCore::send_timeout_now(NodeId to) {
  Message m;
  m.type = MessageType::kTimeoutNow;
  m.to = to;
  send(std::move(m));
}

}  // namespace medtrail::consensus::internal
