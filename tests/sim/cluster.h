#pragma once
// A whole Raft cluster in one thread on a virtual clock: nodes, the network between them, the
// invariant checker and the trace. Everything random comes from the one seed in
// ClusterOptions, so a run replays exactly. The cluster exposes the levers that fault
// injectors, clients and scripted scenarios pull (crash, pause, partition, propose, read).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "medtrail/consensus/raft.h"
#include "sim/event_queue.h"
#include "sim/history.h"
#include "sim/invariants.h"
#include "sim/network.h"
#include "sim/rng.h"
#include "sim/sim_node.h"
#include "sim/trace.h"

namespace medtrail::sim {

struct ClusterOptions {
  uint64_t seed = 1;
  int nodes = 3;
  // Shared Raft tuning; id, applied and seed are filled in per node.
  consensus::Config raft;
  Time tick_interval = 10;  // each node's clock runs up to 20% fast or slow
  // Applied entries between state-machine snapshots (which compact the log); 0 never snapshots.
  uint64_t snapshot_every = 32;
  uint64_t full_scan_every = 64;  // steps between full scans of every persisted log
  // A removed node is shut down this long after its removal commits (it keeps running, and
  // possibly campaigning, until then); 0 leaves it running.
  Time retire_removed_after = 300;
  bool use_codec = true;
  // UNSAFE, for testing the invariant checkers: nodes never sync their storage.
  bool unsafe_skip_sync = false;
  bool verbose = false;
  size_t trace_lines = 80;
};

// Told about what the cluster's nodes apply, for clients and the membership driver.
class ClusterListener {
 public:
  virtual ~ClusterListener() = default;
  virtual void on_applied(SimNode& node, const consensus::Entry& entry) {}
  virtual void on_read_ready(SimNode& node, const std::string& context) {}
  virtual void on_conf_committed(const consensus::ConfChange& change) {}
};

class Cluster : private NodeObserver {
 public:
  explicit Cluster(const ClusterOptions& options);
  ~Cluster() override;
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // --- the clock ---
  Time now() const { return events_.now(); }
  EventQueue& events() { return events_; }
  // Runs one event and the per-step invariant checks; false once a violation is found.
  bool step();
  uint64_t steps() const { return steps_; }
  // Steps until `done` holds (true) or `timeout` of virtual time passes or a violation (false).
  bool run_until(const std::function<bool()>& done, Time timeout);
  void run_for(Time duration);

  // --- nodes ---
  SimNode* node(NodeId id);
  // Every node not retired, in id order.
  std::vector<NodeId> node_ids() const;
  // The node that is leader in the highest term among running nodes, or kNoNode.
  NodeId leader() const;
  // The configuration as of the committed prefix.
  const consensus::ConfState& committed_conf() const { return committed_conf_; }
  // A joiner: empty storage, no configuration (it learns one from the leader's snapshot).
  SimNode& add_node(NodeId id);
  void crash(NodeId id);
  void crash_during_next_persist(NodeId id, CrashPoint point);
  void restart(NodeId id);
  void pause(NodeId id);
  void resume(NodeId id);
  void retire(NodeId id);
  void retire_when_not_leading(NodeId id);
  // Runs the node's Ready loop (after any call into its RaftNode) and its snapshot policy.
  void drive(SimNode& node);

  // --- helpers for scenarios ---
  Status propose(NodeId via, std::string data);
  Status take_snapshot(NodeId id);

  Network& network() { return *network_; }
  Invariants& invariants() { return invariants_; }
  const std::optional<Violation>& violation() const { return invariants_.violation(); }
  History& history() { return history_; }
  Trace& trace() { return trace_; }
  void note(std::string text) { trace_.record(now(), std::move(text)); }
  Rng& rng() { return rng_; }
  const ClusterOptions& options() const { return options_; }
  void add_listener(ClusterListener* listener) { listeners_.push_back(listener); }

 private:
  void deliver(Message message);
  void schedule_tick(NodeId id, Time period);
  void follow_membership();

  // NodeObserver
  void on_persisted(SimNode& node, const Ready& ready) override;
  void send(Message message) override;
  void on_apply(SimNode& node, const consensus::Entry& entry) override;
  void on_applied(SimNode& node, const consensus::Entry& entry) override;
  void on_snapshot_restored(SimNode& node) override;
  void on_read_ready(SimNode& node, const std::string& context) override;
  void on_advanced(SimNode& node, const Ready& ready) override;
  void on_failure(SimNode& node, const std::string& what) override;

  ClusterOptions options_;
  Rng rng_;
  EventQueue events_;
  Trace trace_;
  NodeMap nodes_;
  Invariants invariants_;
  History history_;
  std::unique_ptr<Network> network_;
  // Messages that reached a paused node, delivered in order when it resumes.
  std::map<NodeId, std::vector<Message>> held_;
  consensus::ConfState committed_conf_;
  size_t conf_changes_followed_ = 0;
  std::vector<ClusterListener*> listeners_;
  uint64_t steps_ = 0;
};

}  // namespace medtrail::sim
