#include "consensus/raft_test_cluster.h"

#include <stdexcept>

namespace medtrail::consensus::raft_test {

Cluster::Cluster(std::vector<NodeId> voters, std::function<void(Config&)> tweak)
    : tweak_(std::move(tweak)) {
  ConfState conf{voters, {}};
  for (NodeId id : voters) add_node(id, conf);
}

Config Cluster::config_for(NodeId id) const {
  Config c;
  c.id = id;
  c.election_ticks = 10;
  c.heartbeat_ticks = 1;
  c.seed = 7;
  c.abort_on_invariant_violation = true;  // a violation is a bug: stop at once, loudly
  if (tweak_) tweak_(c);
  c.id = id;
  return c;
}

void Cluster::add_node(NodeId id, ConfState conf) {
  TestNode n;
  n.storage = make_storage(conf);
  auto raft = RaftNode::create(config_for(id), *n.storage);
  if (!raft.ok()) throw std::runtime_error(raft.status().to_string());
  n.raft = std::move(*raft);
  nodes_[id] = std::move(n);
}

void Cluster::restart(NodeId id, Index applied) {
  TestNode& n = nodes_.at(id);
  Config c = config_for(id);
  c.applied = applied;
  auto raft = RaftNode::create(c, *n.storage);
  if (!raft.ok()) throw std::runtime_error(raft.status().to_string());
  n.raft = std::move(*raft);
  n.applied.clear();
  n.readies.clear();
  n.snapshots.clear();
}

void Cluster::crash(NodeId id) {
  nodes_.at(id).storage->crash();
  restart(id, 0);
}

void Cluster::persist(NodeId id, const Ready& rd) {
  MemoryLogStorage& storage = *nodes_.at(id).storage;
  if (rd.snapshot) storage.apply_snapshot(*rd.snapshot);
  if (!rd.entries.empty()) {
    Status s = storage.append(rd.entries);
    if (!s.ok()) throw std::runtime_error("append: " + s.to_string());
  }
  if (rd.hard_state) storage.set_hard_state(*rd.hard_state);
  // Ready contract step 1: durable before any message that depends on it leaves; a commit
  // index alone stays unsynced, and a crash() loses it.
  if (rd.must_sync) storage.sync();
}

bool Cluster::process_ready(NodeId id) {
  TestNode& n = nodes_.at(id);
  if (!n.raft->has_ready()) return false;
  Ready rd = n.raft->ready();
  persist(id, rd);
  if (rd.snapshot) {
    n.snapshot_applied = rd.snapshot->meta.index;
    n.snapshots.push_back(rd.snapshot->meta.index);
  }
  for (const Message& m : rd.messages) queue.push_back(m);
  for (const Entry& e : rd.committed_entries) n.applied.push_back(e);
  for (const ReadState& r : rd.read_states) n.reads.push_back(r);
  n.raft->advance(rd);
  n.readies.push_back(std::move(rd));
  return true;
}

void Cluster::stabilize(int max_steps) {
  for (int step = 0; step < max_steps; ++step) {
    bool busy = false;
    for (auto& [id, n] : nodes_) busy |= process_ready(id);
    if (!queue.empty()) {
      busy = true;
      deliver_front();
    }
    if (!busy) return;
  }
  throw std::runtime_error("cluster did not stabilize");
}

void Cluster::deliver_front() {
  Message m = std::move(queue.front());
  queue.pop_front();
  auto it = nodes_.find(m.to);
  if (it != nodes_.end() && !(drop_if && drop_if(m))) {
    ++delivered[m.type];
    it->second.raft->step(m);
  }
}

void Cluster::deliver_pending() {
  while (!queue.empty()) deliver_front();
}

void Cluster::tick(NodeId id, int n) {
  for (int i = 0; i < n; ++i) nodes_.at(id).raft->tick();
}

void Cluster::tick_all(int n) {
  for (int i = 0; i < n; ++i) {
    for (auto& [id, node] : nodes_) node.raft->tick();
    stabilize();
  }
}

void Cluster::elect(NodeId id) {
  RaftNode& r = raft(id);
  for (int i = 0; i < 1000 && r.soft_state().role == Role::kFollower; ++i) r.tick();
  stabilize();
}

NodeId Cluster::leader() const {
  NodeId best = kNoNode;
  Term best_term = 0;
  for (const auto& [id, n] : nodes_) {
    if (n.raft->soft_state().role == Role::kLeader && n.raft->hard_state().term >= best_term) {
      best = id;
      best_term = n.raft->hard_state().term;
    }
  }
  return best;
}

std::vector<NodeId> Cluster::ids() const {
  std::vector<NodeId> out;
  for (const auto& [id, n] : nodes_) out.push_back(id);
  return out;
}

std::string Cluster::keeps_electing_and_committing(const std::string& value, int ticks) {
  auto followed = [&] {
    const NodeId leader = this->leader();
    if (leader == kNoNode) return false;
    for (NodeId id : raft(leader).conf_state().voters) {
      if (raft(id).soft_state().leader != leader) return false;
    }
    return true;
  };
  auto applied_everywhere = [&](const std::string& data) -> NodeId {
    for (NodeId id : ids()) {
      bool found = false;
      for (const Entry& e : node(id).applied) found |= e.data == data;
      if (!found) return id;
    }
    return kNoNode;
  };
  // Proposed again through each new leader: a proposal may be lost with a deposed one.
  auto commits_everywhere = [&](const std::string& data) -> std::string {
    NodeId proposed_via = kNoNode;
    for (int t = 0; t < ticks && applied_everywhere(data) != kNoNode; ++t) {
      const NodeId leader = this->leader();
      if (leader != kNoNode && leader != proposed_via && raft(leader).propose(data).ok()) {
        proposed_via = leader;
        stabilize();
      }
      tick_all(1);
    }
    const NodeId missing = applied_everywhere(data);
    if (missing == kNoNode) return "";
    return "node " + std::to_string(missing) + " did not apply " + data;
  };
  for (int t = 0; t < ticks && !followed(); ++t) tick_all(1);
  if (!followed()) return "no leader that every voter follows";
  if (std::string why = commits_everywhere(value + "-1"); !why.empty()) return why;
  const NodeId first = leader();
  isolate(first);
  for (int t = 0; t < ticks && (leader() == first || leader() == kNoNode); ++t) tick_all(1);
  heal();
  if (leader() == first || leader() == kNoNode) return "no new leader once the first was cut off";
  for (int t = 0; t < ticks && !followed(); ++t) tick_all(1);
  if (!followed()) return "no leader that every voter follows after healing";
  return commits_everywhere(value + "-2");
}

void Cluster::isolate(NodeId id) {
  drop_if = [id](const Message& m) { return m.from == id || m.to == id; };
}

}  // namespace medtrail::consensus::raft_test
