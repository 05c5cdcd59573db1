#pragma once
// Raft's safety properties (Figure 3 of the Raft paper, plus the simulator's own promises),
// checked as the cluster runs. Cheap checks run at every step and every Ready; a full scan of
// all persisted logs runs periodically and after every restart. The first violation is kept.
//
//   one_leader_per_term     at most one node is ever leader in a given term
//   log_matching            two persisted entries with the same index and term are identical and
//                           follow entries of the same term
//   leader_completeness     a new leader of term T holds every entry committed in a term < T
//   commit_mismatch         every node's committed prefix holds the same entries
//   state_machine_safety    every node applies the same entry at each index, so its applied
//                           sequence is a prefix of one global sequence
//   applied_twice / apply_gap  entries are applied once each, in index order
//   duplicate_entry         a client's append (unique value) is committed at one index only
//   commit_regressed        a node's commit index never decreases, even across a restart
//   commit_without_majority a leader's commit index is durable on a majority of its voters
//   acknowledged_lost       every acknowledged append is in the final committed state
//   node_failed             no node latches RaftNode::failure() (the core's own invariant
//                           checker, which runs after every step, or an exhausted term)

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/event_queue.h"
#include "sim/sim_node.h"

namespace medtrail::sim {

struct Violation {
  std::string invariant;
  std::string detail;
  Time at = 0;
};

using NodeMap = std::map<NodeId, std::unique_ptr<SimNode>>;

class Invariants {
 public:
  explicit Invariants(const NodeMap& nodes) : nodes_(nodes) {}

  void fail(Time at, std::string invariant, std::string detail);
  const std::optional<Violation>& violation() const { return violation_; }

  // --- hooks, called by the cluster ---
  void after_step(Time now);
  void on_persisted(Time now, SimNode& node, const Ready& ready);
  void on_apply(Time now, SimNode& node, const consensus::Entry& entry);
  void on_applied(Time now, SimNode& node);
  void on_snapshot_restored(Time now, SimNode& node);
  void on_restarted(Time now, SimNode& node);
  void on_acknowledged(uint64_t value) { acknowledged_.push_back(value); }
  // Every persisted log against every other (log matching) and the known committed entries.
  void full_scan(Time now);
  // At the end of a run, once the cluster converged: nothing acknowledged is missing.
  void check_acknowledged(Time now, const StateMachine& converged);

  // --- what the run achieved ---
  size_t elections() const { return leaders_.size(); }
  Index committed() const { return global_.size(); }
  // The conf-change entries in committed order, so the cluster can follow membership.
  const std::vector<consensus::ConfChange>& committed_conf_changes() const { return conf_changes_; }

 private:
  // One index of the global applied sequence, as the first node to apply it saw it.
  struct Committed {
    consensus::Term term;
    uint64_t digest;        // of the entry (type and data)
    size_t values;          // the state machine's length after applying it
    uint64_t state_digest;  // and its digest
  };
  // One index of the committed prefix: its entry's term and the term in which it was first
  // known committed (a node's term when its commit index first covered it).
  struct CommitRecord {
    consensus::Term entry_term;
    consensus::Term commit_term;
  };
  // One (index, term) of any persisted log.
  struct Logged {
    uint64_t digest;
    std::optional<consensus::Term> previous_term;
  };

  void check_logged(Time now, NodeId node, const consensus::Entry& entry,
                    std::optional<consensus::Term> previous_term);
  void observe_leader(Time now, SimNode& node);
  void check_leader_completeness(Time now, SimNode& leader);
  void record_commit(Time now, SimNode& node, Index from, Index commit);
  void check_commit_quorum(Time now, SimNode& leader, Index commit);
  bool holds(const SimNode& node, Index index, consensus::Term term) const;

  const NodeMap& nodes_;
  std::optional<Violation> violation_;
  std::map<consensus::Term, NodeId> leaders_;
  std::vector<Committed> global_;        // global_[i - 1] is index i, as applied
  std::vector<CommitRecord> committed_;  // committed_[i - 1] is index i, as committed
  std::map<uint64_t, Index> value_index_;
  std::vector<consensus::ConfChange> conf_changes_;
  std::map<std::pair<Index, consensus::Term>, Logged> logged_;
  std::map<NodeId, Index> commit_seen_;       // in memory, this incarnation
  std::map<NodeId, Index> commit_persisted_;  // last synced hard state commit
  // Last written one, this incarnation: a commit index alone is written unsynced, so a power
  // cut may take it back to commit_persisted_, never below.
  std::map<NodeId, Index> commit_written_;
  std::vector<uint64_t> acknowledged_;
};

}  // namespace medtrail::sim
