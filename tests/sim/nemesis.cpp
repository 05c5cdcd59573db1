#include "sim/nemesis.h"

#include <algorithm>
#include <memory>

#include "sim/liar.h"

namespace medtrail::sim {

Nemesis::Nemesis(Cluster& cluster, Rng rng, const FaultOptions& options)
    : cluster_(cluster), rng_(rng), options_(options) {}

void Nemesis::start() {
  cluster_.network().set_default_faults(options_.baseline);
  schedule();
}

void Nemesis::schedule() {
  cluster_.events().after(rng_.between(options_.interval_min, options_.interval_max),
                          [this] { act(); });
}

void Nemesis::act() {
  if (stopped_) return;
  schedule();
  std::vector<void (Nemesis::*)()> faults;
  if (options_.crashes) faults.push_back(&Nemesis::crash);
  if (options_.pauses) faults.push_back(&Nemesis::pause);
  if (options_.partitions && !network_fault_) {
    faults.push_back(&Nemesis::partition);
    faults.push_back(&Nemesis::one_way_cuts);
    faults.push_back(&Nemesis::isolate_leader);
    faults.push_back(&Nemesis::swizzle_clog);
  }
  if (options_.link_faults && !network_fault_) faults.push_back(&Nemesis::link_spell);
  if (options_.lies) faults.push_back(&Nemesis::lying_spell);
  if (!faults.empty()) (this->*rng_.pick(faults))();
}

bool Nemesis::may_take_down(size_t more) {
  const size_t nodes = cluster_.node_ids().size();
  return 2 * (down_.size() + more) < nodes || rng_.chance(options_.beyond_minority);
}

void Nemesis::crash() {
  std::vector<NodeId> candidates;
  for (NodeId id : cluster_.node_ids()) {
    if (!down_.contains(id)) candidates.push_back(id);
  }
  if (candidates.empty() || !may_take_down(1)) return;
  const NodeId id = rng_.pick(candidates);
  const uint64_t mode = rng_.below(4);
  if (mode == 0) {
    cluster_.crash_during_next_persist(id, CrashPoint::kBeforeSync);
    ++stats_.torn_crashes;
  } else if (mode == 1) {
    cluster_.crash_during_next_persist(id, CrashPoint::kAfterSync);
    ++stats_.torn_crashes;
  } else {
    cluster_.crash(id);
  }
  ++stats_.crashes;
  down_.insert(id);
  cluster_.events().after(rng_.between(20, 600), [this, id] {
    if (!down_.erase(id) || stopped_) return;
    cluster_.restart(id);
  });
}

void Nemesis::pause() {
  std::vector<NodeId> candidates;
  for (NodeId id : cluster_.node_ids()) {
    if (!down_.contains(id)) candidates.push_back(id);
  }
  if (candidates.empty() || !may_take_down(1)) return;
  const NodeId id = rng_.pick(candidates);
  cluster_.pause(id);
  ++stats_.pauses;
  down_.insert(id);
  cluster_.events().after(rng_.between(20, 500), [this, id] {
    if (!down_.erase(id) || stopped_) return;
    cluster_.resume(id);
  });
}

void Nemesis::heal_network_after(Time delay) {
  network_fault_ = true;
  ++stats_.partitions;
  const uint64_t epoch = ++network_epoch_;
  cluster_.events().after(delay, [this, epoch] {
    if (epoch != network_epoch_ || stopped_) return;
    cluster_.network().heal_all();
    network_fault_ = false;
    cluster_.note("network healed");
  });
}

void Nemesis::partition() {
  std::vector<NodeId> ids = cluster_.node_ids();
  if (ids.size() < 2) return;
  rng_.shuffle(ids);
  const size_t minority = rng_.between(1, ids.size() / 2);
  std::string text = "partition {";
  for (size_t i = 0; i < ids.size(); ++i) {
    text += (i == minority ? "} | {" : (i ? "," : "")) + std::to_string(ids[i]);
    for (size_t j = minority; j < ids.size() && i < minority; ++j) {
      cluster_.network().cut_both(ids[i], ids[j]);
    }
  }
  cluster_.note(text + "}");
  heal_network_after(rng_.between(100, 1000));
}

void Nemesis::one_way_cuts() {
  const std::vector<NodeId> ids = cluster_.node_ids();
  if (ids.size() < 2) return;
  const size_t cuts = rng_.between(1, ids.size());
  std::string text = "one-way cuts:";
  for (size_t i = 0; i < cuts; ++i) {
    const NodeId from = rng_.pick(ids);
    NodeId to = rng_.pick(ids);
    if (to == from) continue;
    cluster_.network().cut(from, to);
    text += " " + std::to_string(from) + "-/->" + std::to_string(to);
  }
  cluster_.note(text);
  heal_network_after(rng_.between(100, 1000));
}

void Nemesis::isolate_leader() {
  const NodeId leader = cluster_.leader();
  if (leader == consensus::kNoNode) return;
  // Inbound only, outbound only, or both: a leader that can talk but not hear is the classic
  // case for check-quorum (§6.2).
  const uint64_t mode = rng_.below(3);
  for (NodeId other : cluster_.node_ids()) {
    if (other == leader) continue;
    if (mode != 1) cluster_.network().cut(other, leader);
    if (mode != 0) cluster_.network().cut(leader, other);
  }
  cluster_.note("leader " + std::to_string(leader) + " isolated (" +
                (mode == 0 ? "inbound" : mode == 1 ? "outbound" : "both ways") + ")");
  heal_network_after(rng_.between(100, 1000));
}

// FoundationDB's swizzle-clog: clogging nodes one at a time and unclogging them in a different
// order walks the cluster through many distinct partial partitions.
void Nemesis::swizzle_clog() {
  std::vector<NodeId> ids = cluster_.node_ids();
  if (ids.size() < 2) return;
  rng_.shuffle(ids);
  const size_t clogged = rng_.between(1, ids.size());
  std::vector<NodeId> order(ids.begin(), ids.begin() + clogged);
  std::vector<NodeId> unclog = order;
  rng_.shuffle(unclog);
  const Time gap = rng_.between(10, 80);
  network_fault_ = true;
  ++stats_.partitions;
  const uint64_t epoch = ++network_epoch_;
  cluster_.note("swizzle-clog of " + std::to_string(clogged) + " nodes every " +
                std::to_string(gap) + "ms");
  auto still_clogged = std::make_shared<std::set<NodeId>>();
  Time at = 0;
  for (NodeId id : order) {
    cluster_.events().after(at += gap, [this, id, epoch, still_clogged] {
      if (epoch != network_epoch_ || stopped_) return;
      still_clogged->insert(id);
      for (NodeId other : cluster_.node_ids()) {
        if (other != id) cluster_.network().cut_both(id, other);
      }
      cluster_.note("clog " + std::to_string(id));
    });
  }
  for (NodeId id : unclog) {
    cluster_.events().after(at += gap, [this, id, epoch, still_clogged] {
      if (epoch != network_epoch_ || stopped_) return;
      still_clogged->erase(id);
      for (NodeId other : cluster_.node_ids()) {
        if (other != id && !still_clogged->contains(other)) cluster_.network().heal_both(id, other);
      }
      cluster_.note("unclog " + std::to_string(id));
    });
  }
  cluster_.events().after(at + 1, [this, epoch] {
    if (epoch != network_epoch_ || stopped_) return;
    cluster_.network().heal_all();
    network_fault_ = false;
  });
}

void Nemesis::link_spell() {
  LinkFaults faults;
  faults.drop = rng_.below(30) / 100.0;
  faults.duplicate = rng_.below(20) / 100.0;
  faults.reorder = rng_.below(40) / 100.0;
  faults.min_delay = 1;
  faults.max_delay = rng_.between(2, 60);
  faults.reorder_delay = rng_.between(10, 100);
  // Either every link goes bad, or a few directed links do.
  const bool everywhere = rng_.chance(0.5);
  std::string where = "all links";
  if (everywhere) {
    cluster_.network().set_default_faults(faults);
  } else {
    where = "links";
    const std::vector<NodeId> ids = cluster_.node_ids();
    for (uint64_t i = rng_.between(1, ids.size()); i > 0; --i) {
      const NodeId from = rng_.pick(ids), to = rng_.pick(ids);
      if (from == to) continue;
      cluster_.network().set_link_faults(from, to, faults);
      where += " " + std::to_string(from) + "->" + std::to_string(to);
    }
  }
  ++stats_.link_spells;
  network_fault_ = true;
  const uint64_t epoch = ++network_epoch_;
  cluster_.note(where + " lossy: drop " + std::to_string(faults.drop) + " dup " +
                std::to_string(faults.duplicate) + " reorder " + std::to_string(faults.reorder) +
                " delay <=" + std::to_string(faults.max_delay) + "ms");
  cluster_.events().after(rng_.between(200, 1500), [this, epoch] {
    if (epoch != network_epoch_ || stopped_) return;
    cluster_.network().set_default_faults(options_.baseline);
    cluster_.network().clear_link_faults();
    network_fault_ = false;
    cluster_.note("links back to baseline");
  });
}

// A member that is not leader lies for a while (issue 13): every few milliseconds it sends one
// forged message to another node. Several spells may overlap; the liar keeps running honestly
// otherwise, as a compromised member would.
void Nemesis::lying_spell() {
  const NodeId leader = cluster_.leader();
  std::vector<NodeId> candidates;
  for (NodeId id : cluster_.node_ids()) {
    if (id != leader) candidates.push_back(id);
  }
  if (candidates.empty()) return;
  const NodeId liar = rng_.pick(candidates);
  const Time duration = rng_.between(100, 1500);
  const Time gap = rng_.between(2, 40);
  ++stats_.lying_spells;
  cluster_.note("node " + std::to_string(liar) + " lies for " + std::to_string(duration) +
                "ms, every " + std::to_string(gap) + "ms");
  for (Time at = gap; at <= duration; at += gap) {
    cluster_.events().after(at, [this, liar] {
      if (!stopped_) lie(liar);
    });
  }
}

void Nemesis::lie(NodeId liar) {
  SimNode* self = cluster_.node(liar);
  // Only while it is not the leader: a leader that lies is beyond Raft.
  if (self == nullptr || !self->up() ||
      self->raft().soft_state().role == consensus::Role::kLeader) {
    return;
  }
  std::vector<NodeId> targets;
  for (NodeId id : cluster_.node_ids()) {
    if (id != liar && cluster_.node(id)->running()) targets.push_back(id);
  }
  if (targets.empty()) return;
  const NodeId to = rng_.pick(targets);
  const auto kind = static_cast<Lie>(rng_.below(kLieKinds));
  Message m = forge_lie(rng_, kind, liar, to, cluster_.node(to)->raft().hard_state().term);
  ++stats_.lies;
  cluster_.network().send(std::move(m));
}

void Nemesis::heal_everything() {
  stopped_ = true;
  ++network_epoch_;
  network_fault_ = false;
  Network& network = cluster_.network();
  network.heal_all();
  network.clear_link_faults();
  network.set_default_faults(LinkFaults{});
  for (NodeId id : cluster_.node_ids()) {
    SimNode* node = cluster_.node(id);
    if (node->paused()) {
      cluster_.resume(id);
    } else if (!node->running() || down_.contains(id)) {
      cluster_.restart(id);  // also disarms a crash still waiting for the next persist
    }
  }
  down_.clear();
  cluster_.note("nemesis stopped: network healed, every node up");
}

}  // namespace medtrail::sim
