// The Raft driver's membership: the directory of nodes (genesis' and those added later),
// applying configuration changes, and following what governance decided on the chain.
#include <spdlog/spdlog.h>

#include <rocksdb/write_batch.h>

#include <algorithm>

#include "core/member_record.h"
#include "core/membership_plan.h"
#include "core/raft_driver.h"
#include "core/raft_driver_internal.h"
#include "core/raft_ids.h"
#include "core/store_state_view.h"

namespace medtrail::node {

using driver_internal::from_raft;
using Clock = std::chrono::steady_clock;

Status RaftDriver::load_directory() {
  std::lock_guard lock(directory_mu_);
  directory_.clear();
  for (const ledger::GenesisNode& n : options_.genesis_nodes) directory_[n.id] = n;
  auto members = load_members(store_);
  if (!members.ok()) return members.status();
  for (ledger::GenesisNode& n : *members) directory_[n.id] = std::move(n);
  for (const auto& [id, node] : directory_) names_[raft_id_of(id)] = id;
  return Status();
}

Status RaftDriver::apply_conf_change(const consensus::Entry& entry) {
  membership_changed_ = true;
  auto change = consensus::decode_conf_change(entry.data);
  if (!change.ok() || change->context.empty()) return applier_.skip(entry.index);
  // The leader checked the record before proposing; a node that cannot read it still applies
  // the change (Raft already did) and simply cannot reach that member.
  auto node = member_from_json(change->context, store_.suite());
  if (!node.ok() || raft_id_of(node->id) != change->node) {
    spdlog::warn("raft: membership change {} carries an unusable member record", entry.index);
    return applier_.skip(entry.index);
  }
  rocksdb::WriteBatch batch;
  batch.Put(store_.column_family(ledger::ColumnFamily::kMeta), member_key(node->id),
            member_to_json(*node));
  MEDTRAIL_RETURN_IF_ERROR(applier_.skip(entry.index, &batch));
  names_[change->node] = node->id;
  std::lock_guard lock(directory_mu_);
  directory_[node->id] = std::move(*node);
  return Status();
}

void RaftDriver::publish_membership() {
  membership_changed_ = false;
  const consensus::ConfState conf = raft_->conf_state();
  auto in_conf = [&](consensus::NodeId rid) {
    return std::binary_search(conf.voters.begin(), conf.voters.end(), rid) ||
           std::binary_search(conf.learners.begin(), conf.learners.end(), rid);
  };
  const bool self_is_member = in_conf(raft_id_of(options_.self));
  std::vector<ledger::GenesisNode> members;  // those with a known record (addresses, pins)
  {
    std::lock_guard lock(directory_mu_);
    for (const auto& [id, node] : directory_) {
      if (in_conf(raft_id_of(id))) members.push_back(node);
    }
    members_ = members;
  }
  if (!self_is_member) spdlog::warn("raft: this node is not in the configuration");
  if (on_membership_) on_membership_(members, self_is_member);
}

void RaftDriver::propose_conf_change(consensus::ConfChange change, std::function<void(Status)> done) {
  {
    std::lock_guard lock(inbox_mu_);
    inbox_conf_changes_.emplace_back(std::move(change), std::move(done));
    woken_ = true;
  }
  inbox_cv_.notify_one();
}

std::vector<ledger::GenesisNode> RaftDriver::members() const {
  std::lock_guard lock(directory_mu_);
  return members_;
}

std::optional<ledger::GenesisNode> RaftDriver::find_node(const std::string& node_id) const {
  std::lock_guard lock(directory_mu_);
  auto it = directory_.find(node_id);
  if (it == directory_.end()) return std::nullopt;
  return it->second;
}

void RaftDriver::follow_governance(Clock::time_point now) {
  constexpr auto kEvery = std::chrono::seconds(1);
  constexpr auto kInFlight = std::chrono::seconds(5);
  next_governance_check_ = now + kEvery;
  if (raft_->soft_state().role != consensus::Role::kLeader) return;
  StoreStateView state(store_);
  auto governed = contracts::governed_nodes(state, applier_.signers().chain_params());
  if (state.failed()) return;  // try again next time; the decision stays on the chain
  std::optional<consensus::ConfChange> change = next_membership_change(status(), governed);
  if (!change) return;
  if (last_governed_change_ == change && now < last_governed_change_at_ + kInFlight) return;
  last_governed_change_ = change;
  last_governed_change_at_ = now;
  Status s = from_raft(raft_->propose_conf_change(*change));
  spdlog::info("governance: proposed membership change {} for raft id {:016x}: {}",
               static_cast<int>(change->type), change->node, s.ok() ? "ok" : s.to_string());
}

}  // namespace medtrail::node
