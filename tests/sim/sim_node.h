#pragma once
// One simulated server: a RaftNode over a MemoryLogStorage, and the StateMachine it applies to.
// drive() handles Ready bundles exactly as types.h prescribes (persist and sync, send, apply,
// hand out read states, advance); the NodeObserver sees each stage so the cluster can check
// invariants and answer clients.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "medtrail/consensus/memory_log_storage.h"
#include "medtrail/consensus/raft.h"
#include "sim/rng.h"
#include "sim/state_machine.h"

namespace medtrail::sim {

using consensus::Message;
using consensus::NodeId;
using consensus::Ready;
using consensus::Status;

class SimNode;

class NodeObserver {
 public:
  virtual ~NodeObserver() = default;
  // Step 1 is done: the Ready's writes are durable.
  virtual void on_persisted(SimNode& node, const Ready& ready) = 0;
  virtual void send(Message message) = 0;
  // Step 3, before `entry` is applied (node.state_machine().applied() is still the old index).
  virtual void on_apply(SimNode& node, const consensus::Entry& entry) = 0;
  virtual void on_applied(SimNode& node, const consensus::Entry& entry) = 0;
  virtual void on_snapshot_restored(SimNode& node) = 0;
  // A read requested with `context` may now be answered from node.state_machine().
  virtual void on_read_ready(SimNode& node, const std::string& context) = 0;
  virtual void on_advanced(SimNode& node, const Ready& ready) = 0;
  // A storage write or snapshot restore failed: the node cannot follow the Ready contract.
  virtual void on_failure(SimNode& node, const std::string& what) = 0;
};

// Where a crash strikes while a Ready is being handled.
enum class CrashPoint : uint8_t {
  kBeforeSync,  // written but not synced: MemoryLogStorage::crash() drops the writes
  kAfterSync,   // durable, nothing applied, no message sent unless the Ready is send_first
};

class SimNode {
 public:
  // `bootstrap` is the initial configuration for founding members; joiners start without one
  // and learn the configuration from the leader's snapshot.
  SimNode(NodeId id, const consensus::Config& tuning, Rng rng,
          std::optional<consensus::ConfState> bootstrap);

  // (Re)creates the RaftNode from storage; the state machine restarts from the storage
  // snapshot and Raft re-delivers the committed entries after it.
  Status start();
  // Power loss: unsynced writes, the RaftNode, the state machine and pending reads are gone.
  void crash();
  // The next drive() crashes at `point` in the middle of persisting a Ready.
  void crash_during_next_persist(CrashPoint point) { torn_crash_ = point; }
  // UNSAFE, for testing the invariant checkers: persist without syncing, so a crash loses
  // votes and acknowledged entries.
  void skip_sync(bool skip) { skip_sync_ = skip; }
  void pause() { paused_ = true; }
  void resume() { paused_ = false; }
  void retire();

  NodeId id() const { return id_; }
  bool running() const { return raft_ != nullptr; }
  bool paused() const { return paused_; }
  bool up() const { return running() && !paused_; }
  bool retired() const { return retired_; }
  // Bumped by every start(): replies promised by an earlier incarnation are lost.
  uint64_t incarnation() const { return incarnation_; }

  consensus::RaftNode& raft() { return *raft_; }
  const consensus::RaftNode& raft() const { return *raft_; }
  consensus::MemoryLogStorage& storage() { return storage_; }
  const consensus::MemoryLogStorage& storage() const { return storage_; }
  const StateMachine& state_machine() const { return state_machine_; }

  // Handles every pending Ready. Returns early if a simulated crash strikes mid-Ready.
  void drive(NodeObserver& observer);
  // A linearizable read (§6.4): answered through on_read_ready once applied ≥ the read index.
  Status read(const std::string& context);
  // The state machine snapshots its applied state into storage, compacting the log.
  Status take_snapshot();
  Index snapshot_index() const { return storage_.first_index() - 1; }

 private:
  void persist(const Ready& ready, NodeObserver& observer);
  void send(Ready& ready, NodeObserver& observer);  // hands the messages over, leaving none
  void apply(const Ready& ready, NodeObserver& observer);
  void serve_reads(NodeObserver& observer);

  NodeId id_;
  consensus::Config tuning_;
  Rng rng_;
  consensus::MemoryLogStorage storage_;
  std::unique_ptr<consensus::RaftNode> raft_;
  StateMachine state_machine_;
  // Read contexts whose read index is known, waiting for the state machine to reach it.
  std::map<std::string, Index> waiting_reads_;
  std::optional<CrashPoint> torn_crash_;
  bool skip_sync_ = false;
  bool paused_ = false;
  bool retired_ = false;
  uint64_t incarnation_ = 0;
};

}  // namespace medtrail::sim
