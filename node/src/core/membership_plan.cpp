#include "core/membership_plan.h"

#include <algorithm>

#include "core/member_record.h"
#include "core/raft_ids.h"

namespace medtrail::node {
namespace {

bool contains(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

bool caught_up(const RaftStatus& status, const std::string& id) {
  for (const RaftStatus::Peer& p : status.progress) {
    if (p.node_id == id) return p.recently_active && p.match + kPromoteLagEntries >= status.commit_index;
  }
  return false;
}

}  // namespace

std::optional<consensus::ConfChange> next_membership_change(
    const RaftStatus& status, const std::vector<contracts::NodeChange>& governed) {
  for (const contracts::NodeChange& c : governed) {
    if (c.removed && (contains(status.voters, c.node.id) || contains(status.learners, c.node.id))) {
      return consensus::ConfChange{consensus::ConfChangeType::kRemoveNode, raft_id_of(c.node.id), ""};
    }
  }
  for (const contracts::NodeChange& c : governed) {
    if (!c.removed && !contains(status.voters, c.node.id) && !contains(status.learners, c.node.id)) {
      return consensus::ConfChange{consensus::ConfChangeType::kAddLearner, raft_id_of(c.node.id),
                                   member_to_json(c.node)};
    }
  }
  for (const contracts::NodeChange& c : governed) {
    if (!c.removed && contains(status.learners, c.node.id) && caught_up(status, c.node.id)) {
      return consensus::ConfChange{consensus::ConfChangeType::kAddVoter, raft_id_of(c.node.id), ""};
    }
  }
  return std::nullopt;
}

}  // namespace medtrail::node
