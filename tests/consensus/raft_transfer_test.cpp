// Leadership transfer (§3.10).

#include <gtest/gtest.h>

#include "consensus/raft_test_cluster.h"

namespace medtrail::consensus::raft_test {
namespace {


TEST(RaftTransfer, TransferToUpToDateFollowerMakesItLeader) {
  Cluster c({1, 2, 3});
  c.elect(1);
  Term term = c.raft(1).hard_state().term;
  ASSERT_TRUE(c.raft(1).transfer_leadership(2).ok());
  c.stabilize();
  EXPECT_EQ(c.leader(), 2u);
  EXPECT_EQ(c.raft(2).hard_state().term, term + 1);
  EXPECT_EQ(c.raft(1).soft_state().leader, 2u);
  EXPECT_EQ(c.raft(1).soft_state().role, Role::kFollower);
}

TEST(RaftTransfer, TransferToASlowFollowerCatchesItUpFirst) {
  Cluster c({1, 2, 3});
  c.elect(1);
  c.isolate(3);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(c.raft(1).propose("p").ok());
  c.stabilize();
  c.heal();
  ASSERT_TRUE(c.raft(1).transfer_leadership(3).ok());
  c.stabilize();
  EXPECT_EQ(c.leader(), 3u);
  // The new leader's log holds every entry of the old one, plus its own no-op.
  EXPECT_EQ(c.raft(3).last_index(), 7u);
  ASSERT_TRUE(c.raft(3).propose("under 3").ok());
  c.stabilize();
  EXPECT_EQ(c.node(1).applied.back().data, "under 3");
}

TEST(RaftTransfer, ProposalsAreDroppedUntilTransferAborts) {
  Cluster c({1, 2, 3});
  c.elect(1);
  c.drop_if = [](const Message& m) { return m.type == MessageType::kTimeoutNow; };
  ASSERT_TRUE(c.raft(1).transfer_leadership(2).ok());
  c.stabilize();
  EXPECT_EQ(c.raft(1).propose("x").code(), "dropped");
  c.tick_all(10);  // an election timeout without completion aborts the transfer
  EXPECT_EQ(c.leader(), 1u);
  EXPECT_TRUE(c.raft(1).propose("x").ok());
}

TEST(RaftTransfer, TransferWithProposalsArrivingLosesNoAcceptedProposal) {
  Cluster c({1, 2, 3});
  c.elect(1);
  std::vector<std::string> accepted;
  int n = 0;
  auto offer = [&](NodeId to) {
    std::string data = "p" + std::to_string(n++);
    if (c.raft(to).propose(data).ok()) accepted.push_back(data);
  };
  for (int i = 0; i < 5; ++i) offer(1);
  c.process_ready(1);  // in flight, not yet acknowledged
  ASSERT_TRUE(c.raft(1).transfer_leadership(2).ok());
  for (int i = 0; i < 5; ++i) offer(1);  // refused while the transfer runs: clients retry
  c.stabilize();
  ASSERT_EQ(c.leader(), 2u);
  for (int i = 0; i < 5; ++i) offer(2);
  c.stabilize();
  EXPECT_EQ(accepted.size(), 10u);
  for (NodeId id : c.ids()) {
    std::vector<std::string> applied;
    for (const Entry& e : c.node(id).applied) {
      if (!e.data.empty()) applied.push_back(e.data);
    }
    EXPECT_EQ(applied, accepted) << "node " << id;
  }
}

TEST(RaftTransfer, TransferToATargetBeingRemovedIsAborted) {
  Cluster c({1, 2, 3});
  c.elect(1);
  c.drop_if = [](const Message& m) { return m.to == 3; };  // 3 is slow: the transfer waits
  ASSERT_TRUE(c.raft(1).propose_conf_change(conf_change(ConfChangeType::kRemoveNode, 3)).ok());
  c.process_ready(1);
  c.deliver_pending();
  c.process_ready(2);
  c.deliver_pending();
  // The removal is committed at the leader but not yet applied: 3 is still a voter.
  ASSERT_TRUE(c.raft(1).transfer_leadership(3).ok());
  c.stabilize();
  EXPECT_EQ(c.raft(1).conf_state(), (ConfState{{1, 2}, {}}));
  EXPECT_EQ(c.leader(), 1u);
  EXPECT_EQ(c.delivered[MessageType::kTimeoutNow], 0);
  EXPECT_TRUE(c.raft(1).propose("after").ok()) << "the aborted transfer no longer blocks";
  c.stabilize();
  EXPECT_EQ(c.node(2).applied.back().data, "after");
}

TEST(RaftTransfer, TransferToNonVoterIsInvalid) {
  Cluster c({1, 2, 3});
  c.elect(1);
  EXPECT_EQ(c.raft(1).transfer_leadership(9).code(), "invalid");
  EXPECT_EQ(c.raft(2).transfer_leadership(3).code(), "not_leader");
  EXPECT_TRUE(c.raft(1).transfer_leadership(1).ok());
}

TEST(RaftTransfer, TimeoutNowFromANonLeaderIsIgnored) {
  Cluster c({1, 2, 3});
  c.elect(1);
  Term term = c.raft(2).hard_state().term;
  ASSERT_TRUE(c.raft(2).step(msg(MessageType::kTimeoutNow, 3, 2, term)).ok());
  c.stabilize();
  EXPECT_EQ(c.leader(), 1u);
  EXPECT_EQ(c.raft(2).hard_state().term, term);
}

}  // namespace
}  // namespace medtrail::consensus::raft_test
