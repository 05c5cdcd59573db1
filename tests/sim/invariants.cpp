#include "sim/invariants.h"

#include <algorithm>
#include <set>

#include "sim/hash.h"
#include "sim/payload.h"

namespace medtrail::sim {
namespace {

using consensus::Entry;
using consensus::EntryType;
using consensus::Role;
using consensus::Term;

constexpr size_t kUnset = SIZE_MAX;

uint64_t entry_digest(const Entry& entry) {
  return fold(fnv1a(entry.data), static_cast<uint64_t>(entry.type));
}

std::string at(NodeId node, Index index) {
  return "node " + std::to_string(node) + " index " + std::to_string(index);
}

}  // namespace

void Invariants::fail(Time now, std::string invariant, std::string detail) {
  if (!violation_) violation_ = Violation{std::move(invariant), std::move(detail), now};
}

void Invariants::after_step(Time now) {
  for (const auto& [id, node] : nodes_) {
    if (!node->running()) continue;
    // Nothing in a run damages storage or exhausts terms, so a node that latched failure()
    // (an invariant the core checks after every step, a term past kMaxTerm) found a bug.
    if (const consensus::Status failure = node->raft().failure(); !failure.ok()) {
      fail(now, "node_failed", "node " + std::to_string(id) + ": " + failure.to_string());
    }
    const consensus::HardState hard = node->raft().hard_state();
    if (node->raft().soft_state().role == Role::kLeader) observe_leader(now, *node);
    Index& seen = commit_seen_[id];
    if (hard.commit < seen) {
      fail(now, "commit_regressed", at(id, hard.commit) + ": commit was " + std::to_string(seen));
    }
    seen = std::max(seen, hard.commit);
    if (hard.commit > node->raft().last_index()) {
      fail(now, "commit_regressed", at(id, hard.commit) + ": commit is past the last index " +
                                        std::to_string(node->raft().last_index()));
    }
  }
}

void Invariants::observe_leader(Time now, SimNode& node) {
  const Term term = node.raft().hard_state().term;
  auto [it, inserted] = leaders_.emplace(term, node.id());
  if (inserted) {
    check_leader_completeness(now, node);
  } else if (it->second != node.id()) {
    fail(now, "one_leader_per_term", "term " + std::to_string(term) + " has leaders " +
                                         std::to_string(it->second) + " and " +
                                         std::to_string(node.id()));
  }
}

bool Invariants::holds(const SimNode& node, Index index, Term term) const {
  if (index <= node.snapshot_index()) return true;  // the snapshot covers a committed prefix
  auto stored = node.storage().term(index);
  return stored.ok() && *stored == term;
}

void Invariants::check_leader_completeness(Time now, SimNode& leader) {
  const Term term = leader.raft().hard_state().term;
  for (Index i = 1; i <= committed_.size(); ++i) {
    const CommitRecord& record = committed_[i - 1];
    if (record.commit_term >= term || holds(leader, i, record.entry_term)) continue;
    fail(now, "leader_completeness",
         "leader of term " + std::to_string(term) + " lacks " + at(leader.id(), i) +
             " (term " + std::to_string(record.entry_term) + ", committed in term " +
             std::to_string(record.commit_term) + ")");
    return;
  }
}

void Invariants::check_logged(Time now, NodeId node, const Entry& entry,
                              std::optional<Term> previous_term) {
  auto [it, inserted] =
      logged_.emplace(std::pair{entry.index, entry.term}, Logged{entry_digest(entry), previous_term});
  if (inserted) return;
  Logged& known = it->second;
  if (known.digest != entry_digest(entry)) {
    fail(now, "log_matching", at(node, entry.index) + " term " + std::to_string(entry.term) +
                                  " holds different data than another log");
  } else if (previous_term && known.previous_term && *previous_term != *known.previous_term) {
    fail(now, "log_matching", at(node, entry.index) + " term " + std::to_string(entry.term) +
                                  " follows term " + std::to_string(*previous_term) +
                                  " but elsewhere term " + std::to_string(*known.previous_term));
  } else if (!known.previous_term) {
    known.previous_term = previous_term;
  }
}

void Invariants::on_persisted(Time now, SimNode& node, const Ready& ready) {
  const auto& storage = node.storage();
  if (!ready.entries.empty()) {
    auto before = storage.term(ready.entries.front().index - 1);
    std::optional<Term> previous;
    if (before.ok()) previous = *before;
    for (const Entry& entry : ready.entries) {
      check_logged(now, node.id(), entry, previous);
      previous = entry.term;
    }
  }
  if (ready.soft_state && ready.soft_state->role == Role::kLeader) observe_leader(now, node);
  Index& written = commit_written_[node.id()];
  // A sync makes durable every write before it, a commit index written unsynced earlier too.
  if (ready.must_sync) commit_persisted_[node.id()] = written;
  if (!ready.hard_state) return;
  const Index commit = ready.hard_state->commit;
  if (commit < written) {
    fail(now, "commit_regressed", at(node.id(), commit) + ": the commit written before was " +
                                      std::to_string(written));
    return;
  }
  if (commit > storage.last_index()) {
    fail(now, "commit_regressed", at(node.id(), commit) + ": commit is past the persisted log");
    return;
  }
  const Index previous = written;
  written = commit;
  if (ready.must_sync) commit_persisted_[node.id()] = commit;
  if (commit > previous) {
    record_commit(now, node, previous + 1, commit);
    if (node.raft().soft_state().role == Role::kLeader) check_commit_quorum(now, node, commit);
  }
}

void Invariants::record_commit(Time now, SimNode& node, Index from, Index commit) {
  const Term term_now = node.raft().hard_state().term;
  for (Index i = std::max<Index>(from, node.snapshot_index() + 1); i <= commit; ++i) {
    auto term = node.storage().term(i);
    if (!term.ok()) {
      fail(now, "commit_mismatch", at(node.id(), i) + " committed but unreadable: " +
                                       term.status().to_string());
      return;
    }
    if (i <= committed_.size()) {
      if (committed_[i - 1].entry_term != *term) {
        fail(now, "commit_mismatch", at(node.id(), i) + " committed with term " +
                                         std::to_string(*term) + ", elsewhere term " +
                                         std::to_string(committed_[i - 1].entry_term));
        return;
      }
    } else if (i == committed_.size() + 1) {
      committed_.push_back(CommitRecord{*term, term_now});
    }
  }
}

void Invariants::check_commit_quorum(Time now, SimNode& leader, Index commit) {
  auto term = leader.storage().term(commit);
  if (!term.ok()) return;  // already reported by record_commit
  const consensus::ConfState conf = leader.raft().conf_state();
  size_t durable = 0;
  for (NodeId voter : conf.voters) {
    auto it = nodes_.find(voter);
    if (it != nodes_.end() && holds(*it->second, commit, *term)) ++durable;
  }
  if (durable * 2 <= conf.voters.size()) {
    fail(now, "commit_without_majority",
         "leader " + std::to_string(leader.id()) + " committed index " + std::to_string(commit) +
             " durable on only " + std::to_string(durable) + " of " +
             std::to_string(conf.voters.size()) + " voters");
  }
}

void Invariants::on_apply(Time now, SimNode& node, const Entry& entry) {
  const Index applied = node.state_machine().applied();
  if (entry.index <= applied) {
    fail(now, "applied_twice", at(node.id(), entry.index) + " applied again (applied " +
                                   std::to_string(applied) + ")");
    return;
  }
  if (entry.index != applied + 1) {
    fail(now, "apply_gap", at(node.id(), entry.index) + " applied after " + std::to_string(applied));
    return;
  }
  if (entry.index <= global_.size()) {
    const Committed& known = global_[entry.index - 1];
    if (known.term != entry.term || known.digest != entry_digest(entry)) {
      fail(now, "state_machine_safety",
           at(node.id(), entry.index) + " applies term " + std::to_string(entry.term) +
               " but another node applied term " + std::to_string(known.term) + " there");
    }
    return;
  }
  if (entry.index != global_.size() + 1) {
    fail(now, "state_machine_safety", at(node.id(), entry.index) +
                                          " applied beyond the known sequence " +
                                          std::to_string(global_.size()));
    return;
  }
  if (entry.index <= committed_.size() && committed_[entry.index - 1].entry_term != entry.term) {
    fail(now, "commit_mismatch", at(node.id(), entry.index) + " applies term " +
                                     std::to_string(entry.term) + " but term " +
                                     std::to_string(committed_[entry.index - 1].entry_term) +
                                     " was committed");
  }
  global_.push_back(Committed{entry.term, entry_digest(entry), kUnset, 0});
  if (entry.type == EntryType::kConfChange) {
    auto change = consensus::decode_conf_change(entry.data);
    if (change.ok()) conf_changes_.push_back(*change);
  } else if (auto value = decode_append(entry.data)) {
    auto [it, inserted] = value_index_.emplace(*value, entry.index);
    if (!inserted) {
      fail(now, "duplicate_entry", "value " + std::to_string(*value) + " committed at index " +
                                       std::to_string(it->second) + " and " +
                                       std::to_string(entry.index));
    }
  }
}

void Invariants::on_applied(Time now, SimNode& node) {
  const StateMachine& sm = node.state_machine();
  if (sm.applied() == 0 || sm.applied() > global_.size()) return;
  Committed& known = global_[sm.applied() - 1];
  if (known.values == kUnset) {
    known.values = sm.values().size();
    known.state_digest = sm.digest();
  } else if (known.values != sm.values().size() || known.state_digest != sm.digest()) {
    fail(now, "state_machine_safety", at(node.id(), sm.applied()) +
                                          ": state differs from another node's at that index");
  }
}

void Invariants::on_snapshot_restored(Time now, SimNode& node) {
  const StateMachine& sm = node.state_machine();
  if (sm.applied() == 0) return;
  if (sm.applied() > global_.size()) {
    fail(now, "state_machine_safety", at(node.id(), sm.applied()) +
                                          ": snapshot is beyond anything applied anywhere");
    return;
  }
  on_applied(now, node);
}

void Invariants::on_restarted(Time now, SimNode& node) {
  const Index commit = node.raft().hard_state().commit;
  auto persisted = commit_persisted_.find(node.id());
  if (persisted != commit_persisted_.end() && commit < persisted->second) {
    fail(now, "commit_regressed", at(node.id(), commit) + ": restarted below the synced commit " +
                                      std::to_string(persisted->second));
  }
  commit_seen_[node.id()] = commit;
  commit_written_[node.id()] = commit;
  on_snapshot_restored(now, node);
  full_scan(now);
}

void Invariants::full_scan(Time now) {
  for (const auto& [id, node] : nodes_) {
    if (node->retired()) continue;
    const auto& storage = node->storage();
    const Index first = storage.first_index();
    const Index last = storage.last_index();
    if (first > last) continue;
    auto entries = storage.entries(first, last + 1, UINT64_MAX);
    if (!entries.ok()) {
      fail(now, "log_matching", at(id, first) + ": persisted log unreadable: " +
                                    entries.status().to_string());
      return;
    }
    auto before = storage.term(first - 1);
    std::optional<Term> previous;
    if (before.ok()) previous = *before;
    for (const Entry& entry : *entries) {
      check_logged(now, id, entry, previous);
      previous = entry.term;
    }
  }
}

void Invariants::check_acknowledged(Time now, const StateMachine& converged) {
  const std::set<uint64_t> present(converged.values().begin(), converged.values().end());
  for (uint64_t value : acknowledged_) {
    if (!present.contains(value)) {
      fail(now, "acknowledged_lost", "acknowledged append of value " + std::to_string(value) +
                                         " is not in the converged state");
      return;
    }
  }
}

}  // namespace medtrail::sim
