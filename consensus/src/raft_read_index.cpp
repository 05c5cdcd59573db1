// Linearizable reads with ReadIndex (thesis §6.4): the leader records its commit index, confirms
// it is still leader with a round of heartbeats, and releases the read once a quorum answers.

#include "raft_core.h"

namespace medtrail::consensus::internal {

Status RaftCore::read_index(std::string context) {
  if (failed()) return failure();
  if (lame_duck_commit_ != 0) return Status::error("dropped", "removed; handing over leadership");
  if (role_ == Role::kLeader) {
    serve_read(id(), context);
    check_invariants();
    return Status();
  }
  if (leader_ == kNoNode) return Status::error("not_leader", "no known leader");
  Message m;
  m.type = MessageType::kReadIndex;
  m.to = leader_;
  m.context = std::move(context);
  send(std::move(m));
  return Status();
}

bool RaftCore::committed_entry_in_current_term() const {
  return log_.term_or_zero(log_.committed()) == term_;
}

void RaftCore::serve_read(NodeId from, const std::string& context) {
  // §6.4 step 1: until an entry of this term commits, our commit index may lag the previous
  // leader's; the read waits for the no-op to commit.
  if (!committed_entry_in_current_term()) {
    reads_awaiting_commit_.emplace_back(from, context);
    return;
  }
  if (conf_.voters.size() == 1 && is_voter(id())) {
    answer_read(from, log_.committed(), context);
    return;
  }
  for (const PendingRead& r : pending_reads_) {
    if (r.context != context) continue;
    // Already waiting (etcd ignores duplicates too). Acknowledgements name only the context,
    // so a second read under it could be released by a heartbeat sent before it was
    // registered (a stale read): one from another requester is refused, never merged.
    if (r.from != from) ++counters_.reads_refused;
    return;
  }
  pending_reads_.push_back({log_.committed(), from, context, {id()}});
  broadcast_heartbeat(context);
}

void RaftCore::handle_read_ack(NodeId from, const std::string& context) {
  if (!is_voter(from)) return;
  size_t pos = 0;
  while (pos < pending_reads_.size() && pending_reads_[pos].context != context) ++pos;
  if (pos == pending_reads_.size()) return;
  pending_reads_[pos].acks.insert(from);
  if (pending_reads_[pos].acks.size() < quorum()) return;
  // A quorum confirmed leadership after every earlier read was registered: release them too.
  for (size_t i = 0; i <= pos; ++i) {
    answer_read(pending_reads_.front().from, pending_reads_.front().index,
                pending_reads_.front().context);
    pending_reads_.pop_front();
  }
}

void RaftCore::release_pending_reads() {
  if (reads_awaiting_commit_.empty() || !committed_entry_in_current_term()) return;
  auto waiting = std::move(reads_awaiting_commit_);
  reads_awaiting_commit_.clear();
  for (const auto& [from, context] : waiting) serve_read(from, context);
}

void RaftCore::answer_read(NodeId to, Index index, const std::string& context) {
  if (to == id()) {
    read_states_.push_back({index, context});
    return;
  }
  Message m;
  m.type = MessageType::kReadIndexResponse;
  m.to = to;
  m.index = index;
  m.context = context;
  send(std::move(m));
}

}  // namespace medtrail::consensus::internal
