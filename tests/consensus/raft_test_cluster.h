#pragma once
// A tiny deterministic harness for the Raft unit tests: nodes over TestStorage, a FIFO network
// with a drop filter, and a driver that follows the Ready contract to the letter.

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "consensus/test_storage.h"
#include "medtrail/consensus/raft.h"

namespace medtrail::consensus::raft_test {

inline Message msg(MessageType type, NodeId from, NodeId to, Term term) {
  Message m;
  m.type = type;
  m.from = from;
  m.to = to;
  m.term = term;
  return m;
}

// Replaces a node's stored log with entries 1..n of the given terms (data "e<index>").
inline void write_log(TestStorage& storage, const std::vector<Term>& terms, Term term,
                      Index commit) {
  std::vector<Entry> entries;
  for (size_t i = 0; i < terms.size(); ++i) {
    entries.push_back({terms[i], i + 1, EntryType::kNormal, "e" + std::to_string(i + 1)});
  }
  storage.append(entries);
  storage.set_hard_state({term, kNoNode, commit});
}

struct TestNode {
  std::unique_ptr<TestStorage> storage;
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
  Config config_for(NodeId id) const;

  RaftNode& raft(NodeId id) { return *nodes_.at(id).raft; }
  TestNode& node(NodeId id) { return nodes_.at(id); }
  TestStorage& storage(NodeId id) { return *nodes_.at(id).storage; }

  // Handles one Ready of `id`, if any: persist, queue messages, apply, advance.
  bool process_ready(NodeId id);
  // Runs readies and deliveries until nothing is left.
  void stabilize(int max_steps = 100000);
  void tick(NodeId id, int n = 1);
  // Ticks every node once and stabilizes, `n` times.
  void tick_all(int n = 1);
  // Ticks `id` alone until it campaigns, then stabilizes.
  void elect(NodeId id);
  // The leader with the highest term, or kNoNode.
  NodeId leader() const;
  std::vector<NodeId> ids() const;

  // Network faults: messages matching the filter are dropped.
  std::function<bool(const Message&)> drop_if;
  void isolate(NodeId id);
  void heal() { drop_if = nullptr; }
  // Counts of delivered messages by type.
  std::map<MessageType, int> delivered;
  std::deque<Message> queue;

 private:
  std::function<void(Config&)> tweak_;
  std::map<NodeId, TestNode> nodes_;
};

}  // namespace medtrail::consensus::raft_test
