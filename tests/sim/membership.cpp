#include "sim/membership.h"

#include <algorithm>
#include <vector>

#include "sim/describe.h"

namespace medtrail::sim {

using consensus::ConfChangeType;

Membership::Membership(Cluster& cluster, Rng rng, const MembershipOptions& options,
                       int initial_nodes)
    : cluster_(cluster),
      rng_(rng),
      options_(options),
      initial_(initial_nodes),
      next_id_(initial_nodes + 1) {
  cluster_.add_listener(this);
}

void Membership::schedule() {
  cluster_.events().after(rng_.between(options_.interval_min, options_.interval_max),
                          [this] { act(); });
}

bool Membership::caught_up(SimNode& leader, NodeId learner) const {
  for (const auto& progress : leader.raft().progress()) {
    if (progress.id == learner) return progress.match + 5 >= leader.raft().hard_state().commit;
  }
  return false;
}

void Membership::propose(SimNode& leader, ConfChangeType type, NodeId target) {
  consensus::ConfChange change;
  change.type = type;
  change.node = target;
  change.context = "sim-node-" + std::to_string(target);
  Status status = leader.raft().propose_conf_change(change);
  cluster_.note(std::string("operator asks leader ") + std::to_string(leader.id()) + " to " +
                name(type) + " " + std::to_string(target) + ": " + status.to_string());
  if (status.ok()) ++stats_.proposed;
  cluster_.drive(leader);
}

void Membership::act() {
  if (stopped_) return;
  schedule();
  SimNode* leader = cluster_.node(cluster_.leader());
  if (leader == nullptr) return;
  const consensus::ConfState conf = leader->raft().conf_state();

  enum class Action { kTransfer, kAddLearner, kPromote, kRemoveVoter, kRemoveLearner };
  std::vector<Action> actions;
  if (options_.transfers && conf.voters.size() > 1) actions.push_back(Action::kTransfer);
  if (options_.conf_changes) {
    if (conf.learners.empty() && cluster_.node_ids().size() < initial_ + 2) {
      actions.push_back(Action::kAddLearner);
    }
    if (!conf.learners.empty() && conf.voters.size() < initial_ + 1) {
      actions.push_back(Action::kPromote);
    }
    if (conf.voters.size() > initial_) actions.push_back(Action::kRemoveVoter);
    if (!conf.learners.empty()) actions.push_back(Action::kRemoveLearner);
  }
  if (actions.empty()) return;

  switch (rng_.pick(actions)) {
    case Action::kTransfer: {
      std::vector<NodeId> others;
      for (NodeId v : conf.voters) {
        if (v != leader->id()) others.push_back(v);
      }
      const NodeId target = rng_.pick(others);
      Status status = leader->raft().transfer_leadership(target);
      cluster_.note("operator asks leader " + std::to_string(leader->id()) +
                    " to transfer to " + std::to_string(target) + ": " + status.to_string());
      ++stats_.transfers;
      cluster_.drive(*leader);
      break;
    }
    case Action::kAddLearner: {
      if (!spare_ || cluster_.node(*spare_) == nullptr) {
        spare_ = next_id_++;
        cluster_.add_node(*spare_);
      }
      propose(*leader, ConfChangeType::kAddLearner, *spare_);
      break;
    }
    case Action::kPromote: {
      const NodeId learner = rng_.pick(conf.learners);
      if (caught_up(*leader, learner)) propose(*leader, ConfChangeType::kAddVoter, learner);
      break;
    }
    case Action::kRemoveVoter: {
      NodeId target = leader->id();
      if (!rng_.chance(options_.remove_leader)) {
        std::vector<NodeId> others;
        for (NodeId v : conf.voters) {
          if (v != leader->id()) others.push_back(v);
        }
        target = rng_.pick(others);
      }
      propose(*leader, ConfChangeType::kRemoveNode, target);
      break;
    }
    case Action::kRemoveLearner:
      propose(*leader, ConfChangeType::kRemoveNode, rng_.pick(conf.learners));
      break;
  }
}

void Membership::on_conf_committed(const consensus::ConfChange& change) {
  ++stats_.committed;
  if (spare_ && change.node == *spare_) spare_.reset();
}

}  // namespace medtrail::sim
