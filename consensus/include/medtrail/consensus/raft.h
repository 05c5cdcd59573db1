#pragma once
// The Raft core: a pure, deterministic state machine (no clock, no sockets, no disk, no
// threads), in the style of etcd's raft. Time is tick(); input is step(message), propose(),
// propose_conf_change(), transfer_leadership(), read_index(); output is a Ready bundle that
// the driver persists, sends and applies before calling advance(). All randomness (election
// timeouts) comes from the seeded generator in Config, so a whole cluster replays exactly
// from one seed.
//
// Implemented rules (Ongaro's thesis): elections with randomized timeouts (§3.4), pre-vote
// (§9.6), check-quorum (§6.2), log replication with batching, pipelining and per-follower
// probe/replicate/snapshot states, fast conflict backtracking, the commit rule of §5.4.2 (only
// entries of the current term commit by counting), snapshots sent in bounded resumable chunks,
// single-server membership changes with learners (§4.1, §4.2.1), leadership transfer (§3.10),
// linearizable reads with ReadIndex (§6.4), and limits on uncommitted bytes, in-flight
// messages and message size.
//
// Peers are trusted to follow the protocol but not to be well-formed: a message carrying a term
// or index no honest peer could send is dropped and counted (counters()), and no single message
// can move a node's term by more than kMaxTermJump (docs/raft-safety.md).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "medtrail/consensus/log_storage.h"
#include "medtrail/consensus/snapshot_io.h"
#include "medtrail/consensus/status.h"
#include "medtrail/consensus/types.h"

namespace medtrail::consensus {

// Bounds on what a peer may claim (docs/raft-safety.md). With pre-vote and check-quorum an honest
// term grows by one per real election, so an honest cluster never comes near these.
//
// No node holds a term above kMaxTerm: messages beyond it are dropped, a node never campaigns past
// it, and a stored term at or above it refuses to start (`term_exhausted`). 2^62 leaves every
// term + kMaxTermJump and term + 1 far from overflow.
inline constexpr Term kMaxTerm = Term{1} << 62;
// The furthest one message may move a node's term. A message further ahead moves the receiver
// exactly this far toward it and is otherwise dropped, so an honest node lagging by more still
// catches up (in steps) while a liar's term is never adopted. Raising the term by more than one
// is allowed at most once per election timeout, so a liar cannot ratchet terms toward kMaxTerm
// faster than kMaxTermJump per election timeout (over 100,000 years at one-second timeouts).
inline constexpr Term kMaxTermJump = 1'000'000;
// No honest log holds 2^62 entries: any index, commit point or hint at or above this is a lie,
// and below it every index + count the core computes is far from overflow.
inline constexpr Index kMaxIndex = Index{1} << 62;

struct Config {
  NodeId id = kNoNode;
  // Ticks a follower waits without hearing a leader before it campaigns; the actual timeout is
  // drawn uniformly from [election_ticks, 2 * election_ticks) after each reset.
  int election_ticks = 10;
  int heartbeat_ticks = 1;
  bool pre_vote = true;
  bool check_quorum = true;
  uint64_t max_message_bytes = 1 << 20;         // data bytes per AppendEntries
  size_t max_inflight_messages = 64;            // AppendEntries in flight per follower
  uint64_t max_uncommitted_bytes = 64ull << 20;  // proposals beyond this are refused
  uint64_t snapshot_chunk_bytes = 1 << 20;
  // Data bytes of committed entries per Ready (at least one entry), so a node catching up on
  // a long log applies it in bounded steps rather than holding it all in memory at once.
  uint64_t max_committed_bytes_per_ready = 64ull << 20;
  Index applied = 0;  // the state machine's applied index at start: nothing ≤ it is re-delivered
  uint64_t seed = 1;  // election-timeout randomness
  // Called once a snapshot from the leader is fully received and before it replaces the log. If
  // it returns false the snapshot is dropped (the log is untouched), counted in
  // counters().snapshots_refused, and the leader is told to start the transfer again later.
  // Null accepts every snapshot. It must not throw, and must be deterministic (a function of
  // the snapshot only): the simulator replays runs from a seed.
  std::function<bool(const Snapshot&)> accept_snapshot;
  // The largest snapshot a follower receives: a chunk claiming a larger total is dropped
  // (counted as implausible_index) before any byte of it is held.
  uint64_t max_snapshot_bytes = 2ull << 30;
  // Where images are read from and received into (snapshot_io.h). Null: in memory, the image
  // being Snapshot::data itself.
  std::shared_ptr<SnapshotIo> snapshot_io;
  // The invariant checker runs after every state change. A violation is a bug in this module:
  // with true the process aborts (the unit tests); with false (the default: the node, and the
  // simulator, which reports it with the seed) failure() latches `invariant_violated` and the
  // node fails closed, since a peer's input must never abort a production node.
  bool abort_on_invariant_violation = false;
};

// Error codes: `not_leader` (a proposal or read to a follower: the caller should redirect to
// soft_state().leader), `dropped` (over a limit, during a leadership transfer, or a conf change
// is already pending; from step(): a term raise deferred to the next election timeout),
// `invalid` (bad argument; from step(): a malformed or implausible message, dropped and
// counted), `term_exhausted` (create(): the stored term is at or above kMaxTerm; failure(): the
// node would have to campaign past kMaxTerm), `invariant_violated` (failure(): see Config);
// step() also passes on a SnapshotIo's error while receiving a snapshot (the transfer is
// dropped and the leader starts it again later).
class RaftNode {
 public:
  // Reads initial state from `storage`, which must outlive the node.
  static Result<std::unique_ptr<RaftNode>> create(const Config& config, const LogStorage& storage);
  virtual ~RaftNode() = default;

  virtual void tick() = 0;
  // Messages from peers; a message of any form is accepted without crashing (a malicious or
  // confused peer may send anything the codec decodes). Messages no honest peer sends are
  // dropped and counted in counters().
  virtual Status step(const Message& message) = 0;
  virtual Status propose(std::string data) = 0;
  virtual Status propose_conf_change(const ConfChange& change) = 0;
  virtual Status transfer_leadership(NodeId target) = 0;
  // Requests a linearizable read; a ReadState with `context` appears in a later Ready.
  virtual Status read_index(std::string context) = 0;
  // The state machine compacted its log: a snapshot at `index` is in storage.
  // (Nothing to do in the core beyond noting it; present for symmetry with etcd.)

  virtual bool has_ready() const = 0;
  virtual Ready ready() = 0;
  virtual void advance(const Ready& ready) = 0;

  // Introspection, for the node's status page and for tests and the simulator's invariants.
  virtual NodeId id() const = 0;
  virtual SoftState soft_state() const = 0;
  virtual HardState hard_state() const = 0;
  virtual ConfState conf_state() const = 0;
  virtual Index last_index() const = 0;  // including entries not yet persisted
  virtual Index applied() const = 0;
  // Follower progress as the leader sees it (empty on followers).
  struct Progress {
    NodeId id = kNoNode;
    Index match = 0;
    Index next = 0;
    enum class State : uint8_t { kProbe, kReplicate, kSnapshot } state = State::kProbe;
    bool learner = false;
    bool recently_active = false;
  };
  virtual std::vector<Progress> progress() const = 0;

  // Messages dropped since creation, by reason (docs/raft-safety.md). Honest peers cause none
  // except term_jumps_deferred (rarely, after missed elections) and snapshots_refused (a
  // snapshot the state machine cannot use); any other non-zero count means a confused or lying
  // peer, worth an operator's look.
  struct Counters {
    // A term above kMaxTerm or more than kMaxTermJump ahead (the receiver moved at most
    // kMaxTermJump toward it), or a log, hint or entry term above the message's own term.
    uint64_t implausible_term = 0;
    // A message that would raise the term by more than one within an election timeout of the
    // last such raise; the sender's retry is accepted once the timeout has passed.
    uint64_t term_jumps_deferred = 0;
    // An index, commit point, hint or snapshot offset at or above kMaxIndex, beyond the leader's
    // log (responses), or otherwise outside what the sender can hold.
    uint64_t implausible_index = 0;
    // A leader message in a term whose leader this node already knows, from another node
    // (Election Safety, thesis Figure 3.2: one leader per term).
    uint64_t leader_conflict = 0;
    // Misaddressed, unknown type, non-contiguous entries, bad entry type or configuration.
    uint64_t malformed = 0;
    // Snapshots Config::accept_snapshot refused.
    uint64_t snapshots_refused = 0;
    // ReadIndex requests from peers with an empty or oversized context, or beyond the limit on
    // pending reads.
    uint64_t reads_refused = 0;
    bool operator==(const Counters&) const = default;
  };
  virtual Counters counters() const = 0;

  // Not ok once the node must stop: a storage read failed with `corruption` or an I/O error,
  // the term reached kMaxTerm (`term_exhausted`), or an invariant was violated
  // (`invariant_violated`). From then on the node fails closed: step, tick, propose and friends
  // do nothing and return this status, and has_ready() is false, so nothing decided on damaged
  // data is persisted or sent. The driver should report it and stop; the operator restores the
  // node (e.g. from a peer's snapshot; docs/raft-safety.md).
  virtual Status failure() const = 0;
};

// Conf changes travel as entry data.
std::string encode_conf_change(const ConfChange& change);
Result<ConfChange> decode_conf_change(const std::string& data);

}  // namespace medtrail::consensus
