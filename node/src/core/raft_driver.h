#pragma once
// The Raft driver: the one thread that owns the node's RaftNode, its log storage and the apply
// step. It ticks the clock, steps messages from peers, turns queued records into proposals
// (proposing them on the leader, forwarding them to the leader on a follower), and handles each
// Ready in the order Raft requires: persist (synced when the Ready must be: entries, a
// snapshot, a new term or vote, a commit index passing a configuration change — not a commit
// index alone), then send, then apply, then advance.
//
// The Raft log and the ledger share one RocksDB instance: the log is synced at most once per
// Ready, and blocks are written without their own fsync — after a crash, entries past the
// applied index are applied again from the durable log (the applied index is in the block's
// batch), and a commit index a power cut took is learnt again from the leader.
//
// Fail closed: a storage error, or a RaftNode that latched failure(), stops the driver; the
// node stops admitting and reports the failure. Nothing decided on damaged data goes out.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/block_applier.h"
#include "core/checkpoint_pool.h"
#include "core/forward_screen.h"
#include "core/record_tracker.h"
#include "core/submission_queue.h"
#include "core/time_source.h"
#include "core/snapshot_files.h"
#include "core/verified_signatures.h"
#include "medtrail/consensus/raft.h"
#include "medtrail/consensus/rocksdb_log_storage.h"
#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/genesis.h"

namespace medtrail::node {

struct RaftDriverOptions {
  std::string self;                 // this node's id (as genesis or its membership record names it)
  std::vector<std::string> voters;  // genesis' nodes: the configuration of a new chain
  std::vector<ledger::GenesisNode> genesis_nodes;  // for the member directory
  std::chrono::milliseconds tick{100};
  int election_ticks = 10;
  int heartbeat_ticks = 1;
  uint64_t max_frame_bytes = 64 << 20;
  // Records queued longer than this are dropped (their waiters have been answered "pending"
  // and the client retries); a follower without a leader does not hoard them.
  std::chrono::milliseconds max_queue_age{10000};
  // Checkpoints: this node signs one every `checkpoint_every` blocks with `checkpoint_key` as
  // `checkpoint_signer` ("<org>/<node>") and sends it to every peer. No key: it only collects.
  std::optional<ledger::KeyPair> checkpoint_key;
  std::string checkpoint_signer;
  uint32_t checkpoint_every = 1;
  ledger::CheckpointTrust checkpoint_trust;
  // Log compaction: every `snapshot_every` applied entries the node takes a ledger image as its
  // Raft snapshot and drops the log before it (0: never). A follower too far behind receives
  // the image in chunks, verifies it as a whole chain in `scratch_dir`, then installs it.
  uint64_t snapshot_every = 0;
  std::string scratch_dir;
  // Where images live as files (core/snapshot_files.h), and the free space a received one must
  // leave (the node's [storage] min_free_mb).
  std::string snapshot_dir;
  uint64_t min_free_bytes = 0;
  ledger::ParallelRunner* verify_runner = nullptr;  // for received images and forwarded records
  // Where the leader notes the forwarded signatures it verified, so apply need not verify them
  // again (the same cache admission fills). May be null.
  VerifiedSignatures* verified = nullptr;
  // A peer whose forwarded records failed the leader's screening is ignored this long
  // (core/forward_screen.h).
  std::chrono::milliseconds forward_penalty{5000};
  bool fsync = true;  // false: the log is written but never synced (tests, benchmarks)
  // The leader proposes while fewer than this many of its log entries wait to be committed;
  // records that come meanwhile wait (a full batch never does), so blocks grow with the load
  // instead of the leader committing many small ones per round trip. 1..1024.
  uint32_t max_proposals_in_flight = 2;
  // For the whole-node simulator (tests/node/sim), which calls step() instead of start(): its
  // clock, Raft's seed for election timeouts (0: drawn from the clock), and images exported on
  // the driver thread rather than a thread of their own.
  const TimeSource* time = nullptr;  // null: the real clocks
  uint64_t raft_seed = 0;
  bool export_in_background = true;
};

// A consistent view for /v1/status and the metrics, refreshed after every loop.
struct RaftStatus {
  std::string role = "follower";  // follower | pre_candidate | candidate | leader | failed
  uint64_t term = 0;
  std::string leader;  // node id, empty when unknown
  uint64_t commit_index = 0;
  uint64_t applied_index = 0;
  uint64_t last_index = 0;
  std::vector<std::string> voters;
  std::vector<std::string> learners;
  struct Peer {
    std::string node_id;
    uint64_t match = 0;
    uint64_t next = 0;
    std::string state;  // probe | replicate | snapshot (leader's view)
    bool recently_active = false;
  };
  std::vector<Peer> progress;  // leader only
  std::string failure;         // set once the driver stopped on an error
};

// What one authenticated peer sent that this node refused. Peers are members of the
// configuration, so the number of entries stays bounded.
struct PeerRefusals {
  uint64_t malformed_frames = 0;       // no frame kind, or a body that does not decode
  uint64_t raft_messages = 0;          // sender not the link's, its inbox share full, or invalid
  uint64_t forwarded_records = 0;      // failed the leader's screening (envelope_screen.h)
  uint64_t forwarded_duplicates = 0;   // already on the chain: dropped, not counted as hostile
  uint64_t forwarded_ignored = 0;      // sent while the peer was penalised, its inbox share full,
                                       // or the leader's queue full
  uint64_t checkpoint_signatures = 0;  // another chain, untrusted, bad, or out of the window
};

struct RaftDriverStats {
  uint64_t proposals = 0;
  uint64_t proposals_forwarded = 0;
  uint64_t proposals_dropped = 0;   // Raft refused (over a limit, no leader)
  uint64_t records_proposed = 0;
  uint64_t records_expired = 0;     // dropped from the queue after max_queue_age
  uint64_t blocks_applied = 0;
  uint64_t syncs = 0;
  uint64_t sync_nanos = 0;          // total time in fsync
  uint64_t checkpoints_signed = 0;
  uint64_t checkpoints_embedded = 0;           // quorum checkpoints the leader put in a proposal
  uint64_t snapshots_taken = 0;
  uint64_t snapshots_installed = 0;
  uint64_t snapshot_bytes = 0;  // size of the newest image taken or installed
  std::map<std::string, PeerRefusals> peer_refusals;  // by the link's authenticated node id
  consensus::RaftNode::Counters raft;  // what Raft itself dropped (docs/raft-safety.md)
};

class RaftDriver {
 public:
  // Called on the driver thread: `frame` to peer `to` (false if it could not be queued).
  using SendFrame = std::function<bool(const std::string& to, std::string frame)>;
  // Called on the driver thread after each applied proposal.
  using OnApplied = std::function<void(const ledger::Proposal&, const ApplyOutcome&)>;
  // Called once, on the driver thread, when the driver stops on a failure.
  using OnFailure = std::function<void(const Status&)>;
  // Called on the driver thread once a membership change is applied (and once at start): the
  // nodes of the configuration, and whether this node is still one of them.
  using OnMembership =
      std::function<void(const std::vector<ledger::GenesisNode>& members, bool self_is_member)>;
  // Called on the driver thread after a leader's ledger image replaced this node's chain: state
  // that no applied proposal announced (an erasure, say) may have changed.
  using OnImageInstalled = std::function<void()>;

  // Opens the Raft log in the store's DB; on a new chain, the configuration is `voters`.
  static Result<std::unique_ptr<RaftDriver>> open(ledger::ChainStore& store, BlockApplier& applier,
                                                  SubmissionQueue& queue, RecordTracker& tracker,
                                                  RaftDriverOptions options, SendFrame send);
  ~RaftDriver();
  RaftDriver(const RaftDriver&) = delete;
  RaftDriver& operator=(const RaftDriver&) = delete;

  void set_on_applied(OnApplied f) { on_applied_ = std::move(f); }
  void set_on_failure(OnFailure f) { on_failure_ = std::move(f); }
  void set_on_membership(OnMembership f) { on_membership_ = std::move(f); }
  void set_on_image_installed(OnImageInstalled f) { on_image_installed_ = std::move(f); }

  // Proposes a membership change (leader only); `done` gets Raft's answer (not_leader,
  // dropped while another change is pending, ...) on the driver thread. An added node's
  // record goes in change.context (member_to_json). Thread-safe.
  void propose_conf_change(consensus::ConfChange change, std::function<void(Status)> done);
  // The configuration's nodes now (thread-safe).
  std::vector<ledger::GenesisNode> members() const;
  // A node's record, from genesis or a membership change (nullopt if unknown). Thread-safe.
  std::optional<ledger::GenesisNode> find_node(const std::string& node_id) const;

  void start();
  // One round of the driver's loop on the calling thread, for a simulator that never calls
  // start(): steps what peers sent, ticks Raft when a tick is due by options.time, proposes
  // what is queued, persists, sends, applies, and expires waiters.
  void step();
  // Proposes what is queued (on the leader), keeps running up to `drain` so it commits and
  // applies, then stops the thread. Idempotent.
  void stop(std::chrono::milliseconds drain = std::chrono::milliseconds(0));

  // A frame from an authenticated peer. Thread-safe; never blocks on the driver.
  void on_frame(const std::string& from, std::string frame);
  // New records are queued.
  void wake();

  RaftStatus status() const;
  RaftDriverStats stats() const;
  bool is_leader() const { return leader_.load(); }
  bool failed() const { return failed_.load(); }
  const CheckpointPool& checkpoints() const { return checkpoints_; }

 private:
  RaftDriver(ledger::ChainStore& store, BlockApplier& applier, SubmissionQueue& queue,
             RecordTracker& tracker, RaftDriverOptions options, SendFrame send);
  void run();
  void loop_once(bool draining);
  void step_inbox();
  void propose_batches(bool flush);
  // On the leader: whether entries in flight hold back the queued records (options_.
  // max_proposals_in_flight); a committed entry releases them.
  bool proposals_held() const;
  // When the queued records are next due for a proposal (nullopt: no leader, nothing queued,
  // or held until an entry commits).
  std::optional<std::chrono::steady_clock::time_point> next_proposal_due() const;
  void propose_local(ledger::Proposal proposal);
  // The leader's screening of a follower's forwarded records (core/forward_screen.h): only
  // those admission would have taken go on; the rest are counted against `from`.
  void propose_forwarded(const std::string& from, ledger::Proposal proposal);
  // Counts a refusal against peer `from`; the caller holds status_mu_.
  PeerRefusals& refusals_of(const std::string& from) { return stats_.peer_refusals[from]; }
  // One pass of loop_once, failing closed on an exception, then waiters expired and the status
  // refreshed (run() and step()).
  void round(bool draining, std::chrono::steady_clock::time_point& next_expiry);
  void handle_ready();
  Status persist(const consensus::Ready& ready);
  // At open: a durable commit index below the ledger's applied index is raised to it.
  Status commit_what_was_applied(uint64_t applied);
  void send(const std::vector<consensus::Message>& messages);
  Status apply(const consensus::Entry& entry);
  void sign_checkpoint(uint64_t height);
  // On the leader, once a second: proposes the next step that brings Raft's configuration to
  // what governance decided on the chain (core/membership_plan.h).
  void follow_governance(std::chrono::steady_clock::time_point now);
  Status verify_image(const consensus::Snapshot& snapshot);
  Status install_image(const consensus::Snapshot& snapshot);
  Status apply_conf_change(const consensus::Entry& entry);
  Status load_directory();
  void publish_membership();
  void maybe_take_snapshot();
  // Takes the export done off the driver thread as the Raft snapshot (maybe_take_snapshot).
  void finish_export();
  void wait_for_export();
  void refresh_status();
  void fail(const Status& status);
  std::string name_of(consensus::NodeId id) const;

  ledger::ChainStore& store_;
  BlockApplier& applier_;
  SubmissionQueue& queue_;
  RecordTracker& tracker_;
  const RaftDriverOptions options_;
  const TimeSource& time_;
  SendFrame send_;
  OnApplied on_applied_;
  OnFailure on_failure_;
  OnMembership on_membership_;
  OnImageInstalled on_image_installed_;

  std::unique_ptr<consensus::RocksDbLogStorage> storage_;
  std::unique_ptr<consensus::RaftNode> raft_;
  std::map<consensus::NodeId, std::string> names_;  // raft id -> node id
  CheckpointPool checkpoints_;
  uint64_t last_embedded_checkpoint_ = 0;  // newest checkpoint height the chain carries
  uint64_t last_snapshot_index_ = 0;
  std::shared_ptr<SnapshotFiles> snapshot_files_;
  // An image being exported on its own thread, from a RocksDB snapshot taken at `index` on the
  // driver thread: a gigabyte written to disk must not stall Raft for seconds.
  struct Export {
    uint64_t index = 0;
    consensus::ConfState conf;
    std::string name;
    std::future<Status> done;
  };
  std::optional<Export> export_;
  std::atomic<bool> cancel_export_{false};
  bool membership_changed_ = false;
  mutable std::mutex directory_mu_;
  std::map<std::string, ledger::GenesisNode> directory_;  // genesis nodes and added members
  std::vector<ledger::GenesisNode> members_;              // in the configuration now

  std::mutex inbox_mu_;
  std::condition_variable inbox_cv_;
  struct InboxMessage {
    std::string from;
    uint64_t bytes = 0;
    consensus::Message message;
  };
  struct Forwarded {
    std::string from;
    uint64_t bytes = 0;  // its share of the frame it came in
    ledger::Proposal proposal;
  };
  // What each peer has waiting in the inbox (its share is bounded; see raft_driver.cpp).
  struct InboxUse {
    size_t messages = 0;
    size_t records = 0;
    uint64_t bytes = 0;
  };
  std::vector<InboxMessage> inbox_messages_;
  std::deque<Forwarded> inbox_forwarded_;
  std::map<std::string, InboxUse> inbox_use_;
  std::vector<std::pair<consensus::ConfChange, std::function<void(Status)>>> inbox_conf_changes_;
  bool woken_ = false;
  bool stop_requested_ = false;
  std::chrono::steady_clock::time_point drain_until_{};

  std::thread thread_;
  std::atomic<bool> leader_{false};
  std::atomic<bool> failed_{false};
  std::chrono::steady_clock::time_point next_tick_{};
  bool stepped_ = false;  // step() was called: the simulator drives this driver
  std::chrono::steady_clock::time_point next_step_expiry_{};
  std::chrono::steady_clock::time_point next_governance_check_{};
  std::optional<consensus::ConfChange> last_governed_change_;  // in flight until applied or 5 s
  std::chrono::steady_clock::time_point last_governed_change_at_{};

  std::unique_ptr<ForwardScreen> forward_screen_;  // driver thread only

  mutable std::mutex status_mu_;
  RaftStatus status_;
  RaftDriverStats stats_;  // under status_mu_ (the driver thread and, for refusals, io threads)
};

}  // namespace medtrail::node
