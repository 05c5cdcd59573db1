// Log replication (§5.3): the leader's AppendEntries flow and commit rule, the follower's
// consistency check, and heartbeats.

#include <algorithm>
#include <functional>

#include "raft_core.h"

namespace medtrail::consensus::internal {

bool RaftCore::append_entries(std::vector<Entry> entries) {
  uint64_t bytes = 0;
  for (const Entry& e : entries) bytes += e.data.size();
  // At least one proposal is always admitted, however large (etcd's rule), so a big entry
  // cannot be refused forever.
  if (uncommitted_bytes_ > 0 && bytes > 0 &&
      uncommitted_bytes_ + bytes > config_.max_uncommitted_bytes) {
    return false;
  }
  Index last = log_.last_index();
  for (size_t i = 0; i < entries.size(); ++i) {
    entries[i].term = term_;
    entries[i].index = last + 1 + i;
  }
  log_.append(entries);
  uncommitted_bytes_ += bytes;
  return true;
}

bool RaftCore::maybe_send_append(NodeId to, bool send_if_empty) {
  auto it = progress_.find(to);
  if (it == progress_.end() || to == id()) return false;
  PeerProgress& pr = it->second;
  if (pr.paused()) return false;
  Index prev = pr.next() - 1;
  auto prev_term = log_.term(prev);
  auto entries = log_.slice(pr.next(), log_.last_index() + 1, config_.max_message_bytes);
  if (!prev_term.ok() || !entries.ok()) return start_snapshot(to, pr);
  if (entries->empty() && !send_if_empty) return false;
  Message m;
  m.type = MessageType::kAppend;
  m.to = to;
  m.index = prev;
  m.log_term = *prev_term;
  m.commit = log_.committed();
  if (!entries->empty()) {
    Index last = entries->back().index;
    if (pr.state() == PeerProgress::State::kReplicate) {
      pr.optimistic_update(last);
      pr.inflights().add(last);
    } else {
      pr.set_probe_sent(true);
    }
  }
  m.entries = std::move(*entries);
  send(std::move(m));
  return true;
}

void RaftCore::broadcast_append() {
  for (const auto& [node, pr] : progress_) {
    if (node != id()) maybe_send_append(node, true);
  }
}

void RaftCore::send_heartbeat(NodeId to, const std::string& context) {
  // Only up to the follower's match: its log beyond that may still differ from ours.
  Message m;
  m.type = MessageType::kHeartbeat;
  m.to = to;
  m.commit = std::min(progress_.at(to).match(), log_.committed());
  m.context = context;
  send(std::move(m));
}

void RaftCore::broadcast_heartbeat(const std::string& context) {
  for (const auto& [node, pr] : progress_) {
    if (node != id()) send_heartbeat(node, context);
  }
}

bool RaftCore::maybe_commit() {
  std::vector<Index> matches;
  for (NodeId v : conf_.voters) {
    auto it = progress_.find(v);
    matches.push_back(it == progress_.end() ? 0 : it->second.match());
  }
  if (matches.empty()) return false;
  std::sort(matches.begin(), matches.end(), std::greater<>());
  Index candidate = matches[quorum() - 1];
  // §5.4.2 (Figure 8): only an entry of the current term commits by counting replicas; earlier
  // entries commit indirectly with it.
  if (candidate <= log_.committed() || log_.term_or_zero(candidate) != term_) return false;
  log_.commit_to(candidate);
  release_pending_reads();
  return true;
}

void RaftCore::on_self_persisted() {
  if (role_ != Role::kLeader) return;
  auto it = progress_.find(id());
  if (it == progress_.end()) return;
  // The leader counts toward a quorum only for what is durable on its own disk.
  it->second.set_self_match(log_.stable_last_index());
  if (maybe_commit()) broadcast_append();
}

void RaftCore::handle_append_response(const Message& m, PeerProgress& pr) {
  if (m.reject) {
    // Fast backtracking: skip every entry the follower's hint shows cannot match.
    Index probe = m.reject_hint;
    if (m.hint_term > 0) probe = log_.find_conflict_by_term(m.reject_hint, m.hint_term).first;
    if (pr.maybe_decrease_to(m.index, probe)) {
      if (pr.state() == PeerProgress::State::kReplicate) pr.become_probe();
      maybe_send_append(m.from, true);
    }
    return;
  }
  // check_response_indexes refused any m.index beyond our log.
  bool was_paused = pr.paused();
  if (!pr.maybe_update(m.index)) return;
  switch (pr.state()) {
    case PeerProgress::State::kProbe:
      pr.become_replicate();
      break;
    case PeerProgress::State::kSnapshot:
      if (pr.match() >= pr.transfer().meta.index) pr.become_probe();
      break;
    case PeerProgress::State::kReplicate:
      pr.inflights().free_le(m.index);
      break;
  }
  if (maybe_commit()) {
    broadcast_append();
  } else if (was_paused) {
    maybe_send_append(m.from, true);
  }
  while (maybe_send_append(m.from, false)) {
  }
  if (m.from == lead_transferee_ && pr.match() == log_.last_index()) send_timeout_now(m.from);
}

void RaftCore::handle_heartbeat_response(const Message& m, PeerProgress& pr) {
  pr.set_probe_sent(false);
  // A lost AppendEntries would otherwise hold its in-flight slot forever.
  if (pr.state() == PeerProgress::State::kReplicate && pr.inflights().full()) {
    pr.inflights().free_first_one();
  }
  if (pr.match() < log_.last_index()) maybe_send_append(m.from, true);
  if (!m.context.empty()) handle_read_ack(m.from, m.context);
}

// The entries were checked on admission (check_entries): contiguous after m.index, terms
// non-decreasing and no higher than m.term, every index below kMaxIndex.
Status RaftCore::handle_append(const Message& m) {
  Message resp;
  resp.type = MessageType::kAppendResponse;
  resp.to = m.from;
  if (m.index < log_.committed()) {
    resp.index = log_.committed();
    resp.commit = log_.committed();
    send(std::move(resp));
    return Status();
  }
  bool refused = false;
  auto last_new = log_.maybe_append(m.index, m.log_term, m.commit, m.entries, &refused);
  if (refused) return Status::error("invalid", "AppendEntries would overwrite committed entries");
  if (last_new) {
    resp.index = *last_new;
  } else {
    auto [hint, hint_term] =
        log_.find_conflict_by_term(std::min(m.index, log_.last_index()), m.log_term);
    resp.index = m.index;
    resp.reject = true;
    resp.reject_hint = hint;
    resp.hint_term = hint_term;
  }
  resp.commit = log_.committed();  // lets a removed leader know it may step down
  send(std::move(resp));
  return Status();
}

void RaftCore::handle_heartbeat(const Message& m) {
  // The leader sends at most what we acknowledged; a commit beyond our log (our data directory
  // was wiped and we rejoined) is ignored: committing our own suffix instead could commit
  // entries that differ from the leader's.
  if (m.commit <= log_.last_index()) log_.commit_to(m.commit);
  Message resp;
  resp.type = MessageType::kHeartbeatResponse;
  resp.to = m.from;
  resp.context = m.context;
  resp.commit = log_.committed();
  send(std::move(resp));
}

}  // namespace medtrail::consensus::internal
