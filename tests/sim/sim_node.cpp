#include "sim/sim_node.h"

#include <utility>

namespace medtrail::sim {

SimNode::SimNode(NodeId id, const consensus::Config& tuning, Rng rng,
                 std::optional<consensus::ConfState> bootstrap)
    : id_(id), tuning_(tuning), rng_(rng) {
  if (bootstrap) storage_.set_initial_conf(*bootstrap);
}

Status SimNode::start() {
  auto snapshot = storage_.snapshot();
  if (!snapshot.ok()) return snapshot.status();
  auto restored = StateMachine::restore(*snapshot);
  if (!restored.ok()) return restored.status();
  consensus::Config config = tuning_;
  config.id = id_;
  config.applied = restored->applied();
  config.seed = rng_.next();
  // As the node wires its image verifier: a snapshot the state machine cannot restore is
  // refused before Raft installs it. A pure function of the snapshot, so runs still replay.
  config.accept_snapshot = [](const consensus::Snapshot& snapshot) {
    return StateMachine::restore(snapshot).ok();
  };
  auto raft = consensus::RaftNode::create(config, storage_);
  if (!raft.ok()) return raft.status();
  state_machine_ = std::move(restored).value();
  raft_ = std::move(raft).value();
  waiting_reads_.clear();
  torn_crash_.reset();
  paused_ = false;
  ++incarnation_;
  return {};
}

void SimNode::crash() {
  storage_.crash();
  raft_.reset();
  state_machine_ = StateMachine();
  waiting_reads_.clear();
  torn_crash_.reset();
  paused_ = false;
}

void SimNode::retire() {
  crash();
  retired_ = true;
}

void SimNode::drive(NodeObserver& observer) {
  while (raft_ && raft_->has_ready()) {
    Ready ready = raft_->ready();
    // As the node's driver does: a leader's appends go out first, so a torn crash can take
    // entries its followers already hold.
    if (ready.send_first) send(ready, observer);
    persist(ready, observer);
    if (!raft_) return;  // crashed mid-persist
    observer.on_persisted(*this, ready);
    if (!ready.send_first) send(ready, observer);
    apply(ready, observer);
    for (const consensus::ReadState& read : ready.read_states) {
      waiting_reads_[read.context] = read.index;
    }
    serve_reads(observer);
    raft_->advance(ready);
    observer.on_advanced(*this, ready);
  }
}

// Step 1. A snapshot replaces the log before the entries that follow it are appended; the hard
// state goes last so its commit index refers to entries already written.
void SimNode::persist(const Ready& ready, NodeObserver& observer) {
  auto check = [&](const Status& status, const char* what) {
    if (!status.ok()) observer.on_failure(*this, std::string(what) + ": " + status.to_string());
  };
  if (ready.snapshot) check(storage_.apply_snapshot(*ready.snapshot), "apply_snapshot");
  if (!ready.entries.empty()) check(storage_.append(ready.entries), "append");
  if (ready.hard_state) check(storage_.set_hard_state(*ready.hard_state), "set_hard_state");
  if (torn_crash_ == CrashPoint::kBeforeSync) {
    crash();
    return;
  }
  if (!skip_sync_ && ready.must_sync) check(storage_.sync(), "sync");
  if (torn_crash_ == CrashPoint::kAfterSync) crash();
}

// Step 2.
void SimNode::send(Ready& ready, NodeObserver& observer) {
  for (Message& message : ready.messages) observer.send(std::move(message));
  ready.messages.clear();
}

// Step 3.
void SimNode::apply(const Ready& ready, NodeObserver& observer) {
  if (ready.snapshot) {
    auto restored = StateMachine::restore(*ready.snapshot);
    if (!restored.ok()) {
      observer.on_failure(*this, "restore snapshot: " + restored.status().to_string());
    } else {
      state_machine_ = std::move(restored).value();
      observer.on_snapshot_restored(*this);
    }
  }
  for (const consensus::Entry& entry : ready.committed_entries) {
    observer.on_apply(*this, entry);
    state_machine_.apply(entry);
    observer.on_applied(*this, entry);
  }
}

// Step 4: reads wait until the state machine has caught up with their read index.
void SimNode::serve_reads(NodeObserver& observer) {
  for (auto it = waiting_reads_.begin(); it != waiting_reads_.end();) {
    if (it->second <= state_machine_.applied()) {
      std::string context = it->first;
      it = waiting_reads_.erase(it);
      observer.on_read_ready(*this, context);
    } else {
      ++it;
    }
  }
}

Status SimNode::read(const std::string& context) {
  if (!raft_) return Status::error("unavailable", "node is down");
  return raft_->read_index(context);
}

Status SimNode::take_snapshot() {
  const Index applied = state_machine_.applied();
  if (applied <= snapshot_index()) return {};
  Status status =
      storage_.create_snapshot(applied, state_machine_.conf(), state_machine_.snapshot_data());
  if (!status.ok()) return status;
  status = storage_.compact(applied);
  if (!status.ok()) return status;
  return skip_sync_ ? Status() : storage_.sync();
}

}  // namespace medtrail::sim
