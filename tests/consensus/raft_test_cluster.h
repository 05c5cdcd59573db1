#pragma once
// A tiny deterministic harness for the Raft unit tests: nodes over MemoryLogStorage, a FIFO network
// with a drop filter, and a driver that follows the Ready contract to the letter.

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "medtrail/consensus/memory_log_storage.h"
#include "medtrail/consensus/raft.h"

namespace medtrail::consensus::raft_test {

// A fresh in-memory storage whose bootstrap configuration is `conf`.
inline std::unique_ptr<MemoryLogStorage> make_storage(const ConfState& conf) {
  auto storage = std::make_unique<MemoryLogStorage>();
  storage->set_initial_conf(conf);
  return storage;
}

// The hard state a restart would read.
inline HardState stored_hard_state(const MemoryLogStorage& storage) {
  return storage.initial_state()->hard_state;
}

inline Message msg(MessageType type, NodeId from, NodeId to, Term term) {
  Message m;
  m.type = type;
  m.from = from;
  m.to = to;
  m.term = term;
  return m;
}

inline ConfChange conf_change(ConfChangeType type, NodeId node) {
  return ConfChange{type, node, "addr"};
}

// Replaces a node's stored log with entries 1..n of the given terms (data "e<index>").
inline void write_log(MemoryLogStorage& storage, const std::vector<Term>& terms, Term term,
                      Index commit) {
  std::vector<Entry> entries;
  for (size_t i = 0; i < terms.size(); ++i) {
    entries.push_back({terms[i], i + 1, EntryType::kNormal, "e" + std::to_string(i + 1)});
  }
  storage.append(entries);
  storage.set_hard_state({term, kNoNode, commit});
  storage.sync();
}

struct TestNode {
  std::unique_ptr<MemoryLogStorage> storage;
  std::unique_ptr<RaftNode> raft;
  std::vector<Entry> applied;  // every committed entry delivered, in delivery order
  std::vector<ReadState> reads;
  std::vector<Ready> readies;    // every Ready handled, for checks of the contract
  Index snapshot_applied = 0;    // the latest snapshot installed
  std::vector<Index> snapshots;  // every snapshot installed since the last restart
};

class Cluster {
 public:
  // Nodes `voters`, all fresh, all configured with `tweak` applied to a default Config.
  explicit Cluster(std::vector<NodeId> voters, std::function<void(Config&)> tweak = {});

  // Adds a fresh node that starts with `conf` (empty: it learns it from the leader).
  void add_node(NodeId id, ConfState conf = {});
  // Recreates node `id` from its storage (a crash and restart), with Config::applied.
  void restart(NodeId id, Index applied);
  // Power loss: the node loses every write it had not synced, then restarts from storage with
  // an empty state machine (applied 0), as a process killed with -9 would.
  void crash(NodeId id);
  Config config_for(NodeId id) const;

  RaftNode& raft(NodeId id) { return *nodes_.at(id).raft; }
  TestNode& node(NodeId id) { return nodes_.at(id); }
  MemoryLogStorage& storage(NodeId id) { return *nodes_.at(id).storage; }

  // Step 1 of the Ready contract for `id`: snapshot, entries, hard state, synced if must_sync.
  void persist(NodeId id, const Ready& rd);
  // Handles one Ready of `id`, if any: persist, queue messages, apply, advance.
  bool process_ready(NodeId id);
  // Runs readies and deliveries until nothing is left.
  void stabilize(int max_steps = 100000);
  // Delivers every queued message (and those they cause to be queued directly) without
  // handling any Ready: the nodes step messages but persist nothing yet.
  void deliver_pending();
  void tick(NodeId id, int n = 1);
  // Ticks every node once and stabilizes, `n` times.
  void tick_all(int n = 1);
  // Ticks `id` alone until it campaigns, then stabilizes.
  void elect(NodeId id);
  // The leader with the highest term, or kNoNode.
  NodeId leader() const;
  std::vector<NodeId> ids() const;

  // Liveness after a fault: within `ticks` ticks every voter follows one leader, which commits
  // `value` + "-1" on every member; then that leader is cut off, another is elected and commits
  // `value` + "-2" everywhere once healed. Returns an empty string, or what did not happen.
  std::string keeps_electing_and_committing(const std::string& value, int ticks = 300);

  // Network faults: messages matching the filter are dropped.
  std::function<bool(const Message&)> drop_if;
  void isolate(NodeId id);
  void heal() { drop_if = nullptr; }
  // Counts of delivered messages by type.
  std::map<MessageType, int> delivered;
  std::deque<Message> queue;

 private:
  void deliver_front();

  std::function<void(Config&)> tweak_;
  std::map<NodeId, TestNode> nodes_;
};

}  // namespace medtrail::consensus::raft_test
