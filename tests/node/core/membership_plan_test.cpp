// Governance decisions become Raft configuration changes, one step at a time.
#include "core/membership_plan.h"

#include <gtest/gtest.h>

#include "core/member_record.h"
#include "core/raft_ids.h"

namespace medtrail::node {
namespace {

contracts::NodeChange governed(const std::string& id, bool removed = false) {
  contracts::NodeChange c;
  c.node.id = id;
  c.node.org = "hosp-a";
  c.node.public_key = ledger::Bytes(32, 7);
  c.node.peer_address = "127.0.0.1:7004";
  c.node.api_address = "127.0.0.1:8004";
  c.removed = removed;
  return c;
}

RaftStatus three_voters() {
  RaftStatus s;
  s.role = "leader";
  s.commit_index = 1000;
  s.voters = {"node-1", "node-2", "node-3"};
  return s;
}

TEST(MembershipPlan, NothingToDoWhenConfigurationMatches) {
  EXPECT_FALSE(next_membership_change(three_voters(), {}).has_value());
  RaftStatus s = three_voters();
  s.voters.push_back("node-4");
  EXPECT_FALSE(next_membership_change(s, {governed("node-4")}).has_value());
}

TEST(MembershipPlan, AddedNodeJoinsAsALearnerWithItsMemberRecord) {
  auto change = next_membership_change(three_voters(), {governed("node-4")});
  ASSERT_TRUE(change.has_value());
  EXPECT_EQ(change->type, consensus::ConfChangeType::kAddLearner);
  EXPECT_EQ(change->node, raft_id_of("node-4"));
  EXPECT_EQ(change->context, member_to_json(governed("node-4").node));
}

TEST(MembershipPlan, LearnerIsPromotedOnlyOnceCaughtUp) {
  RaftStatus s = three_voters();
  s.learners = {"node-4"};
  s.progress = {{"node-4", 10, 11, "replicate", true}};
  EXPECT_FALSE(next_membership_change(s, {governed("node-4")}).has_value());
  s.progress = {{"node-4", 1000 - kPromoteLagEntries, 1001, "replicate", true}};
  auto change = next_membership_change(s, {governed("node-4")});
  ASSERT_TRUE(change.has_value());
  EXPECT_EQ(change->type, consensus::ConfChangeType::kAddVoter);
  s.progress = {{"node-4", 1000, 1001, "replicate", false}};  // caught up but silent
  EXPECT_FALSE(next_membership_change(s, {governed("node-4")}).has_value());
}

TEST(MembershipPlan, RemovalComesFirstAndRemovedNodesAreNotAddedBack) {
  RaftStatus s = three_voters();
  auto change = next_membership_change(s, {governed("node-4"), governed("node-2", true)});
  ASSERT_TRUE(change.has_value());
  EXPECT_EQ(change->type, consensus::ConfChangeType::kRemoveNode);
  EXPECT_EQ(change->node, raft_id_of("node-2"));
  s.voters = {"node-1", "node-3"};
  EXPECT_FALSE(next_membership_change(s, {governed("node-2", true)}).has_value());
}

TEST(MembershipPlan, NodesOutsideGovernanceAreLeftAlone) {
  RaftStatus s = three_voters();
  s.learners = {"node-9"};  // added by an operator through the admin endpoint
  s.progress = {{"node-9", 1000, 1001, "replicate", true}};
  EXPECT_FALSE(next_membership_change(s, {}).has_value());
}

}  // namespace
}  // namespace medtrail::node
