#include "sim/cluster.h"

#include <algorithm>
#include <utility>

#include "sim/describe.h"

namespace medtrail::sim {

Cluster::Cluster(const ClusterOptions& options)
    : options_(options),
      rng_(options.seed),
      trace_(options.trace_lines, options.verbose),
      invariants_(nodes_) {
  network_ = std::make_unique<Network>(
      events_, rng_.fork(), options.use_codec, [this](Message m) { deliver(std::move(m)); },
      [this](const Message& m, std::string why) {
        invariants_.fail(now(), "codec_roundtrip", describe(m) + ": " + why);
      });
  for (int i = 1; i <= options.nodes; ++i) committed_conf_.voters.push_back(i);
  for (NodeId id : committed_conf_.voters) {
    auto node = std::make_unique<SimNode>(id, options.raft, rng_.fork(), committed_conf_);
    node->skip_sync(options.unsafe_skip_sync);
    Status started = node->start();
    if (!started.ok()) invariants_.fail(0, "start_failed", started.to_string());
    nodes_.emplace(id, std::move(node));
  }
  for (NodeId id : committed_conf_.voters) {
    schedule_tick(id, options.tick_interval * rng_.between(80, 120) / 100);
  }
}

Cluster::~Cluster() = default;

void Cluster::schedule_tick(NodeId id, Time period) {
  events_.after(std::max<Time>(period, 1), [this, id, period] {
    SimNode* n = node(id);
    if (n == nullptr) return;  // retired: the tick loop ends
    if (n->up()) {
      n->raft().tick();
      drive(*n);
    }
    schedule_tick(id, period);
  });
}

bool Cluster::step() {
  if (violation() || !events_.run_next()) return false;
  ++steps_;
  invariants_.after_step(now());
  if (options_.full_scan_every && steps_ % options_.full_scan_every == 0) {
    invariants_.full_scan(now());
  }
  return !violation();
}

bool Cluster::run_until(const std::function<bool()>& done, Time timeout) {
  const Time deadline = now() + timeout;
  while (!done()) {
    if (violation() || events_.empty() || events_.next_time() > deadline) return false;
    step();
  }
  return !violation();
}

void Cluster::run_for(Time duration) {
  const Time deadline = now() + duration;
  while (!violation() && !events_.empty() && events_.next_time() <= deadline) step();
}

SimNode* Cluster::node(NodeId id) {
  auto it = nodes_.find(id);
  return it == nodes_.end() || it->second->retired() ? nullptr : it->second.get();
}

std::vector<NodeId> Cluster::node_ids() const {
  std::vector<NodeId> ids;
  for (const auto& [id, n] : nodes_) {
    if (!n->retired()) ids.push_back(id);
  }
  return ids;
}

NodeId Cluster::leader() const {
  NodeId best = consensus::kNoNode;
  consensus::Term best_term = 0;
  for (const auto& [id, n] : nodes_) {
    if (!n->up() || n->raft().soft_state().role != consensus::Role::kLeader) continue;
    if (n->raft().hard_state().term >= best_term) {
      best = id;
      best_term = n->raft().hard_state().term;
    }
  }
  return best;
}

SimNode& Cluster::add_node(NodeId id) {
  auto node = std::make_unique<SimNode>(id, options_.raft, rng_.fork(), std::nullopt);
  node->skip_sync(options_.unsafe_skip_sync);
  Status started = node->start();
  if (!started.ok()) invariants_.fail(now(), "start_failed", started.to_string());
  SimNode& added = *node;
  nodes_.emplace(id, std::move(node));
  schedule_tick(id, options_.tick_interval * rng_.between(80, 120) / 100);
  note("node " + std::to_string(id) + " created (empty)");
  return added;
}

void Cluster::crash(NodeId id) {
  SimNode* n = node(id);
  if (n == nullptr || !n->running()) return;
  n->crash();
  held_.erase(id);
  note("node " + std::to_string(id) + " crashed");
}

void Cluster::crash_during_next_persist(NodeId id, CrashPoint point) {
  SimNode* n = node(id);
  if (n == nullptr || !n->running()) return;
  n->crash_during_next_persist(point);
  note("node " + std::to_string(id) + " will crash mid-persist (" +
       (point == CrashPoint::kBeforeSync ? "before" : "after") + " sync)");
}

void Cluster::restart(NodeId id) {
  SimNode* n = node(id);
  if (n == nullptr) return;
  if (n->running()) n->crash();
  held_.erase(id);
  Status started = n->start();
  if (!started.ok()) {
    invariants_.fail(now(), "start_failed", "node " + std::to_string(id) + ": " + started.to_string());
    return;
  }
  note("node " + std::to_string(id) + " restarted (incarnation " +
       std::to_string(n->incarnation()) + ", applied " +
       std::to_string(n->state_machine().applied()) + ", commit " +
       std::to_string(n->raft().hard_state().commit) + ")");
  invariants_.on_restarted(now(), *n);
  drive(*n);
}

void Cluster::pause(NodeId id) {
  SimNode* n = node(id);
  if (n == nullptr || !n->up()) return;
  n->pause();
  note("node " + std::to_string(id) + " paused");
}

void Cluster::resume(NodeId id) {
  SimNode* n = node(id);
  if (n == nullptr || !n->paused()) return;
  n->resume();
  note("node " + std::to_string(id) + " resumed");
  std::vector<Message> held = std::move(held_[id]);
  held_.erase(id);
  for (Message& m : held) {
    events_.after(0, [this, m = std::move(m)]() mutable { deliver(std::move(m)); });
  }
}

// A removed server is shut down only once it no longer leads and every remaining voter has
// applied its removal: before that, a voter that missed the commit still counts the removed
// server in its configuration and may need its vote (the node daemon follows the same rule).
void Cluster::retire_when_not_leading(NodeId id) {
  SimNode* n = node(id);
  if (n == nullptr) return;  // already retired
  // A crashed server restarts later; it is retired once it is back and no longer needed.
  bool safe = n->running() && n->raft().soft_state().role != consensus::Role::kLeader;
  for (NodeId voter : committed_conf_.voters) {
    SimNode* v = node(voter);
    if (v == nullptr || !v->running()) {
      safe = false;
      continue;
    }
    const auto conf = v->raft().conf_state();
    if (std::find(conf.voters.begin(), conf.voters.end(), id) != conf.voters.end()) safe = false;
  }
  if (!safe) {
    events_.after(options_.retire_removed_after, [this, id] { retire_when_not_leading(id); });
    return;
  }
  retire(id);
}

void Cluster::retire(NodeId id) {
  SimNode* n = node(id);
  if (n == nullptr) return;
  n->retire();
  held_.erase(id);
  note("node " + std::to_string(id) + " shut down for good");
}

void Cluster::deliver(Message message) {
  SimNode* n = node(message.to);
  if (n == nullptr || !n->running()) return;
  if (n->paused()) {
    held_[message.to].push_back(std::move(message));
    return;
  }
  if (options_.verbose || options_.trace_lines) note("deliver " + describe(message));
  Status status = n->raft().step(message);
  if (!status.ok() && options_.verbose) note("  step: " + status.to_string());
  drive(*n);
}

void Cluster::drive(SimNode& n) {
  n.drive(*this);
  if (!n.running()) {
    note("node " + std::to_string(n.id()) + " crashed mid-persist");
    held_.erase(n.id());
    return;
  }
  const Index applied = n.state_machine().applied();
  const Index snapshot = n.snapshot_index();
  // The first snapshot comes early so that no log starts at index 1: a joiner must then get a
  // snapshot, which carries the bootstrap configuration it could not replay from entries.
  const bool due = snapshot == 0 ? applied > 0
                                 : options_.snapshot_every && applied >= snapshot + options_.snapshot_every;
  if (due) {
    Status status = n.take_snapshot();
    if (!status.ok()) {
      invariants_.fail(now(), "snapshot_failed", "node " + std::to_string(n.id()) + ": " +
                                                     status.to_string());
    } else {
      note("node " + std::to_string(n.id()) + " snapshot at " + std::to_string(applied));
    }
  }
}

Status Cluster::propose(NodeId via, std::string data) {
  SimNode* n = node(via);
  if (n == nullptr || !n->up()) return Status::error("unavailable", "node is down");
  Status status = n->raft().propose(std::move(data));
  drive(*n);
  return status;
}

Status Cluster::take_snapshot(NodeId id) {
  SimNode* n = node(id);
  if (n == nullptr || !n->running()) return Status::error("unavailable", "node is down");
  return n->take_snapshot();
}

void Cluster::follow_membership() {
  const auto& changes = invariants_.committed_conf_changes();
  while (conf_changes_followed_ < changes.size()) {
    const consensus::ConfChange change = changes[conf_changes_followed_++];
    committed_conf_ = apply_conf_change(committed_conf_, change);
    note(std::string("committed ") + name(change.type) + " " + std::to_string(change.node) +
         " -> " + describe(committed_conf_));
    if (change.type == consensus::ConfChangeType::kRemoveNode && options_.retire_removed_after) {
      const NodeId removed = change.node;
      events_.after(options_.retire_removed_after, [this, removed] {
        const auto& conf = committed_conf_;
        const bool member =
            std::find(conf.voters.begin(), conf.voters.end(), removed) != conf.voters.end() ||
            std::find(conf.learners.begin(), conf.learners.end(), removed) != conf.learners.end();
        if (!member) retire_when_not_leading(removed);
      });
    }
    for (ClusterListener* listener : listeners_) listener->on_conf_committed(change);
  }
}

void Cluster::on_persisted(SimNode& n, const Ready& ready) {
  if (ready.soft_state) {
    note("node " + std::to_string(n.id()) + " is " + name(ready.soft_state->role) + " in term " +
         std::to_string(n.raft().hard_state().term) + " (leader " +
         std::to_string(ready.soft_state->leader) + ")");
  }
  invariants_.on_persisted(now(), n, ready);
}

void Cluster::send(Message message) { network_->send(std::move(message)); }

void Cluster::on_apply(SimNode& n, const consensus::Entry& entry) {
  invariants_.on_apply(now(), n, entry);
  follow_membership();
}

void Cluster::on_applied(SimNode& n, const consensus::Entry& entry) {
  invariants_.on_applied(now(), n);
  for (ClusterListener* listener : listeners_) listener->on_applied(n, entry);
}

void Cluster::on_snapshot_restored(SimNode& n) {
  note("node " + std::to_string(n.id()) + " installed snapshot at " +
       std::to_string(n.state_machine().applied()));
  invariants_.on_snapshot_restored(now(), n);
}

void Cluster::on_read_ready(SimNode& n, const std::string& context) {
  for (ClusterListener* listener : listeners_) listener->on_read_ready(n, context);
}

// The core applies conf changes when they are applied (advance), so its configuration must be
// the one the state machine computed from the same entries.
void Cluster::on_advanced(SimNode& n, const Ready& ready) {
  if (ready.committed_entries.empty() && !ready.snapshot) return;
  const consensus::ConfState core = n.raft().conf_state();
  if (!(core == n.state_machine().conf())) {
    invariants_.fail(now(), "conf_state_matches_applied",
                     "node " + std::to_string(n.id()) + " core has " + describe(core) +
                         " but its applied entries give " + describe(n.state_machine().conf()));
  }
}

void Cluster::on_failure(SimNode& n, const std::string& what) {
  invariants_.fail(now(), "ready_contract", "node " + std::to_string(n.id()) + ": " + what);
}

}  // namespace medtrail::sim
