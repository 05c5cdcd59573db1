// RaftCore construction, the Ready/advance cycle, proposals and ticks.

#include <algorithm>
#include <string>
#include <utility>

#include "raft_core.h"

namespace medtrail::consensus {

Result<std::unique_ptr<RaftNode>> RaftNode::create(const Config& config,
                                                   const LogStorage& storage) {
  if (config.id == kNoNode) return Status::error("invalid", "node id 0 is reserved");
  if (config.heartbeat_ticks <= 0 || config.election_ticks <= config.heartbeat_ticks) {
    return Status::error("invalid", "need 0 < heartbeat_ticks < election_ticks");
  }
  if (config.max_inflight_messages == 0 || config.max_message_bytes == 0 ||
      config.snapshot_chunk_bytes == 0 || config.max_uncommitted_bytes == 0 ||
      config.max_committed_bytes_per_ready == 0) {
    return Status::error("invalid", "limits must be positive");
  }
  auto core = std::make_unique<internal::RaftCore>(config, storage);
  Status s = core->init();
  if (!s.ok()) return s;
  return std::unique_ptr<RaftNode>(std::move(core));
}

namespace internal {

namespace {
uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

bool sorted_unique(const std::vector<NodeId>& ids) {
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] == kNoNode || (i > 0 && ids[i - 1] >= ids[i])) return false;
  }
  return true;
}
}  // namespace

bool valid_conf_state(const ConfState& conf) {
  if (!sorted_unique(conf.voters) || !sorted_unique(conf.learners)) return false;
  for (NodeId l : conf.learners) {
    if (std::binary_search(conf.voters.begin(), conf.voters.end(), l)) return false;
  }
  return true;
}

// Nodes sharing one Config::seed still draw different timeouts: the id is mixed in.
RaftCore::RaftCore(const Config& config, const LogStorage& storage)
    : config_(config),
      storage_(storage),
      log_(storage),
      rng_(splitmix64(config.seed ^ splitmix64(config.id))),
      snapshot_io_(config.snapshot_io ? config.snapshot_io : std::make_shared<MemorySnapshotIo>()) {}

Status RaftCore::init() {
  auto initial = storage_.initial_state();
  if (!initial.ok()) return initial.status();
  if (!valid_conf_state(initial->conf_state)) {
    return Status::error("invalid", "stored configuration is not sorted, unique and disjoint");
  }
  conf_ = initial->conf_state;
  if (initial->hard_state.term >= kMaxTerm) {
    // Only damage or a peer's lie (before such terms were refused) puts a term here; the node
    // could never campaign again, and a term cannot be lowered safely (votes were cast in it).
    return Status::error(
        "term_exhausted",
        "stored Raft term " + std::to_string(initial->hard_state.term) +
            " is at or above the largest usable term 2^62 (damaged, or a lie accepted by an "
            "older version); it cannot be lowered safely: restore this node from a peer by "
            "wiping its Raft log and state and letting it catch up by snapshot "
            "(docs/raft-safety.md, \"term_exhausted\")");
  }
  Status s = log_.init(initial->hard_state.commit, config_.applied);
  if (!s.ok()) return s;
  term_ = initial->hard_state.term;
  vote_ = initial->hard_state.vote;
  become_follower(term_, kNoNode);
  ticks_since_term_jump_ = config_.election_ticks;  // a restarted node may need to catch up
  prev_hard_state_ = initial->hard_state;
  synced_hard_state_ = initial->hard_state;
  unscanned_log_end_ = log_.last_index();
  prev_soft_state_ = soft_state();
  check_invariants();
  return failure_;
}

HardState RaftCore::hard_state_to_persist() const {
  HardState hs = hard_state();
  if (log_.has_pending_snapshot()) {
    // Entries after a pending snapshot wait for a later Ready; the durable commit must not
    // point past what will be on disk once this Ready is persisted.
    hs.commit = std::min(hs.commit, log_.pending_snapshot()->meta.index);
  }
  return hs;
}

bool RaftCore::has_ready() const {
  if (failed()) return false;  // fail closed: see RaftNode::failure
  bool messages_ready = !messages_.empty() && !log_.has_entries_behind_snapshot();
  return soft_state() != prev_soft_state_ || hard_state_to_persist() != prev_hard_state_ ||
         log_.has_entries_to_persist() || log_.has_snapshot_to_persist() || messages_ready ||
         log_.has_entries_to_apply() || !read_states_.empty();
}

Ready RaftCore::ready() {
  Ready rd;
  if (failed()) return rd;
  if (soft_state() != prev_soft_state_) rd.soft_state = prev_soft_state_ = soft_state();
  HardState hs = hard_state_to_persist();
  if (hs != prev_hard_state_) rd.hard_state = prev_hard_state_ = hs;
  handed_out_hard_states_.push_back(prev_hard_state_);
  rd.snapshot = log_.take_snapshot_to_persist();
  rd.entries = log_.take_entries_to_persist();
  // Messages may acknowledge entries that wait behind the snapshot: they go out with them.
  if (!log_.has_entries_behind_snapshot()) {
    rd.messages = std::move(messages_);
    messages_.clear();
  }
  rd.committed_entries = log_.take_entries_to_apply(config_.max_committed_bytes_per_ready);
  rd.read_states = std::move(read_states_);
  read_states_.clear();
  for (const Entry& e : rd.entries) {
    if (e.type == EntryType::kConfChange) conf_changes_past_synced_commit_.insert(e.index);
  }
  rd.must_sync = needs_sync(rd);
  rd.send_first = may_send_first(rd);
  return rd;
}

bool RaftCore::may_send_first(const Ready& rd) const {
  if (role_ != Role::kLeader || rd.messages.empty() || rd.snapshot) return false;
  // A leader whose campaign is not synced yet (a single voter elects itself within one Ready):
  // an append of that term sent now could outlive a power cut that takes the term and vote,
  // and the node could win the term again with other entries at the same indexes.
  if (synced_hard_state_.term != term_ || synced_hard_state_.vote != vote_) return false;
  // A commit index that must be synced must not reach a follower first: the configuration a
  // restart rebuilds could then fall behind one the others applied (needs_sync).
  // The commit index handed out, this Ready's or an earlier one's still unsynced.
  if (commit_needs_sync(prev_hard_state_)) return false;
  for (const Message& m : rd.messages) {
    if (m.term != term_) return false;
    switch (m.type) {
      case MessageType::kAppend:
      case MessageType::kHeartbeat:
      case MessageType::kSnapshotChunk:
        break;
      default:
        return false;  // anything else waits for the sync, as every message did before
    }
  }
  return true;
}

bool RaftCore::needs_sync(const Ready& rd) const {
  if (rd.snapshot || !rd.entries.empty()) return true;
  if (!rd.hard_state) return false;
  const HardState& hs = *rd.hard_state;
  const HardState& synced = synced_hard_state_;
  if (hs.term != synced.term || hs.vote != synced.vote) return true;
  return commit_needs_sync(hs);
}

bool RaftCore::commit_needs_sync(const HardState& hs) const {
  const HardState& synced = synced_hard_state_;
  if (hs.commit <= synced.commit) return false;
  if (synced.commit < unscanned_log_end_) return true;
  auto next_change = conf_changes_past_synced_commit_.upper_bound(synced.commit);
  return next_change != conf_changes_past_synced_commit_.end() && *next_change <= hs.commit;
}

void RaftCore::advance(const Ready& rd) {
  // The hard state as of this Ready (this one's or an earlier one's), not one a later Ready
  // handed out since.
  std::optional<HardState> as_of;  // none for a Ready a failed core handed out
  if (!handed_out_hard_states_.empty()) {
    as_of = handed_out_hard_states_.front();
    handed_out_hard_states_.pop_front();
  }
  if (rd.must_sync && as_of) {
    // The sync made every hard state written up to this Ready durable; the next Ready is
    // judged against it.
    synced_hard_state_ = *as_of;
    auto& changes = conf_changes_past_synced_commit_;
    changes.erase(changes.begin(), changes.upper_bound(synced_hard_state_.commit));
  }
  if (rd.snapshot) log_.stable_snapshot_to(rd.snapshot->meta.index);
  if (!rd.entries.empty()) {
    log_.stable_to(rd.entries.back().index, rd.entries.back().term);
    on_self_persisted();
  }
  for (const Entry& e : rd.committed_entries) {
    if (role_ == Role::kLeader) uncommitted_bytes_ -= std::min(uncommitted_bytes_, e.data.size());
    if (e.type == EntryType::kConfChange) {
      auto change = decode_conf_change(e.data);
      // An undecodable committed conf change cannot be applied on any node; skipping it keeps
      // every node's configuration identical.
      if (change.ok()) apply_conf_change(*change);
    }
  }
  if (!rd.committed_entries.empty()) log_.applied_to(rd.committed_entries.back().index);
  check_invariants();
}

Status RaftCore::propose(std::string data) {
  if (failed()) return failure();
  if (role_ != Role::kLeader) return Status::error("not_leader", "not the leader");
  if (lame_duck_commit_ != 0) return Status::error("dropped", "removed; handing over leadership");
  if (lead_transferee_ != kNoNode) {
    return Status::error("dropped", "leadership transfer in progress");
  }
  std::vector<Entry> entries(1);
  entries[0].data = std::move(data);
  if (!append_entries(std::move(entries))) {
    return Status::error("dropped", "too many uncommitted bytes");
  }
  broadcast_append();
  check_invariants();
  return Status();
}

std::vector<RaftNode::Progress> RaftCore::progress() const {
  std::vector<RaftNode::Progress> out;
  if (role_ != Role::kLeader) return out;
  for (const auto& [node, pr] : progress_) {
    out.push_back({node, pr.match(), pr.next(), pr.state(), pr.learner(), pr.recently_active()});
  }
  return out;
}

void RaftCore::tick() {
  if (failed()) return;
  if (ticks_since_term_jump_ < config_.election_ticks) ++ticks_since_term_jump_;
  if (role_ == Role::kLeader) {
    tick_heartbeat();
  } else {
    tick_election();
  }
  check_invariants();
}

void RaftCore::tick_election() {
  ++election_elapsed_;
  if (!past_election_timeout()) return;
  election_elapsed_ = 0;
  // A leader silent for an election timeout is forgotten, by learners too (they never
  // campaign): otherwise a member that claimed this term's leadership first would, through the
  // one-leader-per-term check (check_leader_conflict), shut out the real leader for good.
  leader_ = kNoNode;
  if (promotable()) campaign(config_.pre_vote, false);
}

void RaftCore::tick_heartbeat() {
  ++heartbeat_elapsed_;
  ++election_elapsed_;
  if (election_elapsed_ >= config_.election_ticks) {
    election_elapsed_ = 0;
    // §6.2: a leader that has not heard from a quorum in an election timeout steps down, so
    // that clients find the real leader of a partitioned cluster.
    // A lame duck (removed, see lame_duck_commit_) serves no reads or proposals, so there is
    // nothing stale to stop; it stays until a remaining voter has learned of its removal.
    if (config_.check_quorum && lame_duck_commit_ == 0 && !check_quorum_active()) {
      become_follower(term_, kNoNode);
      return;
    }
    // §3.10: a transfer that has not completed within an election timeout is abandoned.
    abort_leader_transfer();
  }
  tick_snapshot_transfers();
  if (heartbeat_elapsed_ >= config_.heartbeat_ticks) {
    heartbeat_elapsed_ = 0;
    broadcast_heartbeat(pending_reads_.empty() ? std::string() : pending_reads_.back().context);
  }
}

bool RaftCore::check_quorum_active() {
  size_t active = 0;
  for (auto& [node, pr] : progress_) {
    if (node == id()) {
      if (is_voter(node)) ++active;
      continue;
    }
    if (is_voter(node) && pr.recently_active()) ++active;
    pr.set_recently_active(false);
  }
  return active >= quorum();
}

}  // namespace internal
}  // namespace medtrail::consensus
