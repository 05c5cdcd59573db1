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

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "medtrail/consensus/log_storage.h"
#include "medtrail/consensus/status.h"
#include "medtrail/consensus/types.h"

namespace medtrail::consensus {

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
};

// Error codes: `not_leader` (a proposal or read to a follower: the caller should redirect to
// soft_state().leader), `dropped` (over a limit, during a leadership transfer, or a conf change
// is already pending), `invalid` (bad argument).
class RaftNode {
 public:
  // Reads initial state from `storage`, which must outlive the node.
  static Result<std::unique_ptr<RaftNode>> create(const Config& config, const LogStorage& storage);
  virtual ~RaftNode() = default;

  virtual void tick() = 0;
  // Messages from peers; a message of any form is accepted without crashing (a malicious or
  // confused peer may send anything the codec decodes).
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

  // Not ok once a storage read failed with `corruption` or an I/O error. From then on the node
  // fails closed: step, tick, propose and friends do nothing and return this status, and
  // has_ready() is false, so nothing decided on damaged data is persisted or sent. The driver
  // should report it and stop; the operator restores the node (e.g. from a peer's snapshot).
  virtual Status failure() const = 0;
};

// Conf changes travel as entry data.
std::string encode_conf_change(const ConfChange& change);
Result<ConfChange> decode_conf_change(const std::string& data);

}  // namespace medtrail::consensus
