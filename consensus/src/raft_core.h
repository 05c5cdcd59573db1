#pragma once
// RaftCore: the implementation behind RaftNode. Its members are split by concern over
// raft_node.cpp (creation, Ready/advance, ticks), raft_step.cpp (message dispatch and term
// rules), raft_admission.cpp (what a peer may claim), raft_election.cpp, raft_replication.cpp,
// raft_snapshot.cpp, raft_membership.cpp, raft_read_index.cpp and raft_invariants.cpp.

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "medtrail/consensus/raft.h"
#include "raft_log.h"
#include "raft_progress.h"

namespace medtrail::consensus::internal {

// Context of a vote request sent by a transfer target (§3.10): voters grant it even while they
// hear from a leader, since the leader asked for it (etcd's campaignTransfer).
inline constexpr const char* kTransferContext = "medtrail-leader-transfer";

// Reads from peers (§6.4): a context no longer than this, and at most this many waiting, so a
// peer cannot make the leader hold or broadcast unbounded data.
inline constexpr size_t kMaxReadContextBytes = 4096;
inline constexpr size_t kMaxPendingReads = 4096;

// Voters and learners sorted, unique, non-zero and disjoint.
bool valid_conf_state(const ConfState& conf);

inline bool is_vote_request(MessageType t) {
  return t == MessageType::kVote || t == MessageType::kPreVote;
}
// Messages only a leader sends (AppendEntries, heartbeats, InstallSnapshot).
inline bool carries_leader(MessageType t) {
  return t == MessageType::kAppend || t == MessageType::kHeartbeat ||
         t == MessageType::kSnapshotChunk;
}
// Whether a message with a higher term moves the receiver to it (§5.1). Pre-votes never change
// anyone's term (§9.6); a granted pre-vote carries the candidate's future term.
inline bool raises_term(const Message& m) {
  return !(m.type == MessageType::kPreVote ||
           (m.type == MessageType::kPreVoteResponse && !m.reject));
}

// A read waiting for a quorum of heartbeat acknowledgements (§6.4).
struct PendingRead {
  Index index = 0;
  NodeId from = kNoNode;  // the requester: this node, or a follower to answer
  std::string context;
  std::set<NodeId> acks;
};

class RaftCore final : public RaftNode {
 public:
  RaftCore(const Config& config, const LogStorage& storage);
  Status init();

  void tick() override;
  Status step(const Message& message) override;
  Status propose(std::string data) override;
  Status propose_conf_change(const ConfChange& change) override;
  Status transfer_leadership(NodeId target) override;
  Status read_index(std::string context) override;
  bool has_ready() const override;
  Ready ready() override;
  void advance(const Ready& ready) override;

  NodeId id() const override { return config_.id; }
  SoftState soft_state() const override { return {leader_, role_}; }
  HardState hard_state() const override { return {term_, vote_, log_.committed()}; }
  ConfState conf_state() const override { return conf_; }
  Index last_index() const override { return log_.last_index(); }
  Index applied() const override { return log_.applied(); }
  std::vector<RaftNode::Progress> progress() const override;
  Counters counters() const override { return counters_; }
  Status failure() const override { return log_.failure().ok() ? failure_ : log_.failure(); }

 private:
  // --- roles (raft_election.cpp) ---
  void reset(Term term);
  void become_follower(Term term, NodeId leader);
  void become_pre_candidate();
  void become_candidate();
  void become_leader();
  void campaign(bool pre_vote, bool transfer);
  void handle_vote_request(const Message& m);
  void handle_vote_response(const Message& m);
  bool promotable() const;
  bool has_unapplied_conf_changes() const;
  void reset_randomized_election_timeout();
  bool past_election_timeout() const { return election_elapsed_ >= randomized_election_timeout_; }

  // --- admission (raft_admission.cpp): what a peer may claim, checked before any effect ---
  Status check_shape(const Message& m);
  Status check_entries(const Message& m);
  Status check_snapshot_chunk(const Message& m);
  // For a message with m.term > term_: whether it may raise our term to m.term (ok), or is
  // dropped (after moving our term at most kMaxTermJump toward it).
  Status admit_higher_term(const Message& m);
  Status check_leader_conflict(const Message& m);
  Status check_response_indexes(const Message& m);
  Status drop(uint64_t& counter, const char* code, const std::string& why);
  bool term_jump_allowed() const { return ticks_since_term_jump_ >= config_.election_ticks; }

  // --- dispatch (raft_step.cpp) ---
  Status validate(const Message& m);
  Status step_leader(const Message& m);
  Status step_candidate(const Message& m);
  Status step_follower(const Message& m);
  void send(Message m);

  // --- replication (raft_replication.cpp) ---
  bool append_entries(std::vector<Entry> entries);
  bool maybe_send_append(NodeId to, bool send_if_empty);
  void broadcast_append();
  void broadcast_heartbeat(const std::string& context);
  void send_heartbeat(NodeId to, const std::string& context);
  bool maybe_commit();
  void handle_append_response(const Message& m, internal::PeerProgress& pr);
  void handle_heartbeat_response(const Message& m, internal::PeerProgress& pr);
  Status handle_append(const Message& m);
  void handle_heartbeat(const Message& m);
  void on_self_persisted();

  // --- snapshots (raft_snapshot.cpp) ---
  bool start_snapshot(NodeId to, internal::PeerProgress& pr);
  void send_snapshot_chunk(NodeId to, internal::PeerProgress& pr);
  const Snapshot* current_snapshot();
  void drop_incoming_snapshot();
  void respond_snapshot(const Message& m, bool reject, uint64_t held, Index index);
  void handle_snapshot_response(const Message& m, internal::PeerProgress& pr);
  Status handle_snapshot_chunk(const Message& m);
  void tick_snapshot_transfers();

  // --- membership and transfer (raft_membership.cpp) ---
  void apply_conf_change(const ConfChange& change);
  void rebuild_progress_after_conf_change();
  bool is_voter(NodeId node) const;
  bool is_member(NodeId node) const;
  void send_timeout_now(NodeId to);
  void abort_leader_transfer() { lead_transferee_ = kNoNode; }

  // --- reads (raft_read_index.cpp) ---
  bool committed_entry_in_current_term() const;
  void serve_read(NodeId from, const std::string& context);
  void handle_read_ack(NodeId from, const std::string& context);
  void release_pending_reads();
  void answer_read(NodeId to, Index index, const std::string& context);

  // --- Ready ---
  HardState hard_state_to_persist() const;

  // --- ticks ---
  void tick_election();
  void tick_heartbeat();
  bool check_quorum_active();

  // --- invariants (raft_invariants.cpp): checked after every state change, in every build ---
  void check_invariants();
  // Latches failure() (see RaftNode::failure): the node stops acting.
  void fail(Status status);
  bool failed() const { return !failure().ok(); }

  size_t quorum() const { return conf_.voters.size() / 2 + 1; }

  const Config config_;
  const LogStorage& storage_;
  RaftLog log_;
  std::mt19937_64 rng_;

  // Persistent state (§5.2 Figure 2), written through Ready::hard_state before any message that
  // depends on it is sent.
  Term term_ = 0;
  NodeId vote_ = kNoNode;

  Role role_ = Role::kFollower;
  NodeId leader_ = kNoNode;
  // Membership as of the last applied conf change (etcd applies conf changes at apply time).
  ConfState conf_;

  int election_elapsed_ = 0;
  int heartbeat_elapsed_ = 0;
  // Ticks since a message last raised our term by more than one (saturating at election_ticks).
  // Such raises are allowed once per election timeout: an honest node lagging behind needs one
  // (or, beyond kMaxTermJump, a few), while a liar repeating them could otherwise ratchet the
  // cluster's term toward kMaxTerm at the speed it can send.
  int ticks_since_term_jump_ = 0;
  // Drawn from [election_ticks, 2 * election_ticks) on every reset, so that split votes resolve.
  int randomized_election_timeout_ = 0;

  // Candidate: votes received this term (true = granted), by voter.
  std::map<NodeId, bool> votes_;

  // Leader state. Progress of every member, this node included (its match is its durable log).
  std::map<NodeId, internal::PeerProgress> progress_;
  // While a conf change entry at this index is not yet applied, further changes are refused
  // (one server at a time, §4.1; etcd's pendingConfIndex).
  Index pending_conf_index_ = 0;
  // Payload bytes appended in this term and not yet applied: bounded by max_uncommitted_bytes.
  uint64_t uncommitted_bytes_ = 0;
  // Target of a leadership transfer in progress (§3.10): proposals are refused meanwhile.
  NodeId lead_transferee_ = kNoNode;
  // Non-zero while this leader, having applied its own removal, stays on as a non-voting
  // "lame duck": the surviving voters may not yet know the removal committed, and without this
  // node they might never learn it (with two voters the survivor would wait forever for the
  // removed node's vote). It steps down once a voter of the new configuration reports a commit
  // index at least this high. Proposals, reads and transfers are refused meanwhile.
  Index lame_duck_commit_ = 0;
  // Reads confirmed by a heartbeat round, in arrival order (§6.4).
  std::deque<PendingRead> pending_reads_;
  // Reads that arrived before this leader committed an entry of its term: its commit index
  // might still be behind the previous leader's (§6.4 step 1).
  std::vector<std::pair<NodeId, std::string>> reads_awaiting_commit_;

  // Snapshot images are read and received through this (Config::snapshot_io, or in memory).
  std::shared_ptr<SnapshotIo> snapshot_io_;
  // Follower: the snapshot being received in chunks, from `from` in `term`; its bytes are in
  // snapshot_io_, `held` of `size` so far.
  struct IncomingSnapshot {
    SnapshotMeta meta;
    uint64_t size = 0;
    uint64_t held = 0;
    NodeId from = kNoNode;
    Term term = 0;
  };
  std::optional<IncomingSnapshot> incoming_snapshot_;
  // Leader: the storage snapshot being sent (its reference, not its image) and its size, kept
  // so each chunk does not ask storage again.
  std::optional<Snapshot> outgoing_snapshot_;
  uint64_t outgoing_snapshot_size_ = 0;

  // Set when the node must stop for a reason other than storage (which RaftLog latches):
  // `term_exhausted` or `invariant_violated`.
  Status failure_;
  Counters counters_;
  // The commit index and term last checked for "committed term <= current term": the check
  // reads the log (possibly storage), so it runs only when either changes.
  Index checked_commit_ = 0;
  Term checked_term_ = 0;

  // Output buffered for the next Ready.
  std::vector<Message> messages_;
  std::vector<ReadState> read_states_;
  SoftState prev_soft_state_;
  HardState prev_hard_state_;
  // The hard state the last synced Ready left durable (set at its advance), and the
  // configuration changes in the log past its commit index: moving the commit index past one
  // of them must be synced (Ready::must_sync). Log entries from before a restart are not read
  // back to find theirs: until the commit index passes the log's end as found at start, every
  // move is synced.
  HardState synced_hard_state_;
  // The hard state as of each Ready handed out and not yet advanced, oldest first: a driver may
  // take the next Ready before it advances one, and a sync vouches only for what was written.
  std::deque<HardState> handed_out_hard_states_;
  std::set<Index> conf_changes_past_synced_commit_;
  Index unscanned_log_end_ = 0;
  bool needs_sync(const Ready& rd) const;
  bool commit_needs_sync(const HardState& hs) const;  // the commit index's part of needs_sync
  bool may_send_first(const Ready& rd) const;  // Ready::send_first
};

}  // namespace medtrail::consensus::internal
