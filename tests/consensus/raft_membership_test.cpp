// Single-server membership changes with learners (§4.1, §4.2.1), applied at apply time.

#include <gtest/gtest.h>

#include "consensus/raft_test_cluster.h"

namespace medtrail::consensus::raft_test {
namespace {

TEST(RaftMembership, ConfChangeRoundTripsThroughEncoding) {
  ConfChange cc{ConfChangeType::kAddLearner, 42, "10.0.0.1:7000"};
  auto decoded = decode_conf_change(encode_conf_change(cc));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, cc);
  std::string truncated = encode_conf_change(cc);
  truncated.pop_back();
  EXPECT_EQ(decode_conf_change(truncated).status().code(), "malformed");
  EXPECT_EQ(decode_conf_change("").status().code(), "malformed");
}

TEST(RaftMembership, AddLearnerThenPromoteToVoter) {
  Cluster c({1, 2, 3});
  c.elect(1);
  ASSERT_TRUE(c.raft(1).propose("before").ok());
  c.stabilize();
  // A joining node starts knowing the current members (the operator tells it, as with
  // etcd's initial-cluster); the conf change entries then bring it up to date.
  c.add_node(4, ConfState{{1, 2, 3}, {}});
  ASSERT_TRUE(c.raft(1).propose_conf_change(conf_change(ConfChangeType::kAddLearner, 4)).ok());
  c.stabilize();
  EXPECT_EQ(c.raft(1).conf_state(), (ConfState{{1, 2, 3}, {4}}));
  EXPECT_EQ(c.raft(4).conf_state(), (ConfState{{1, 2, 3}, {4}}));
  EXPECT_EQ(c.node(4).applied, c.node(1).applied);  // the learner received the whole log

  ASSERT_TRUE(c.raft(1).propose_conf_change(conf_change(ConfChangeType::kAddVoter, 4)).ok());
  c.stabilize();
  for (NodeId id : c.ids()) EXPECT_EQ(c.raft(id).conf_state(), (ConfState{{1, 2, 3, 4}, {}}));

  // Four voters: the leader and node 4 alone are no longer a quorum.
  c.drop_if = [](const Message& m) { return m.to == 2 || m.to == 3; };
  ASSERT_TRUE(c.raft(1).propose("needs three").ok());
  c.stabilize();
  Index last = c.raft(1).last_index();
  EXPECT_LT(c.raft(1).hard_state().commit, last);
  c.heal();
  c.tick_all(2);
  EXPECT_EQ(c.raft(1).hard_state().commit, last);
}

TEST(RaftMembership, LearnerDoesNotCountTowardQuorum) {
  Cluster c({1, 2, 3});
  c.elect(1);
  c.add_node(4);
  ASSERT_TRUE(c.raft(1).propose_conf_change(conf_change(ConfChangeType::kAddLearner, 4)).ok());
  c.stabilize();
  c.drop_if = [](const Message& m) { return m.to == 2 || m.to == 3; };
  ASSERT_TRUE(c.raft(1).propose("x").ok());
  c.stabilize();
  EXPECT_EQ(c.raft(4).last_index(), c.raft(1).last_index());
  EXPECT_LT(c.raft(1).hard_state().commit, c.raft(1).last_index());
}

TEST(RaftMembership, ElectionDuringAMembershipChange) {
  Cluster c({1, 2, 3}, [](Config& cfg) { cfg.pre_vote = false; });
  c.elect(1);
  c.add_node(4, ConfState{{1, 2, 3}, {}});
  // The change to add learner 4 reaches node 2 only; then the leader fails before committing.
  c.drop_if = [](const Message& m) { return m.from == 1 && m.to != 2; };
  ASSERT_TRUE(c.raft(1).propose_conf_change(conf_change(ConfChangeType::kAddLearner, 4)).ok());
  const Index change_index = c.raft(1).last_index();
  c.process_ready(1);
  c.deliver_pending();
  c.process_ready(2);
  c.queue.clear();  // node 2's ack is lost with the leader
  ASSERT_EQ(c.storage(2).last_index(), change_index);
  ASSERT_LT(c.raft(1).hard_state().commit, change_index);
  c.isolate(1);

  // 2 holds the longer log, so only 2 can win (§5.4.1); it commits the change with its no-op.
  for (int i = 0; i < 100 && (c.leader() == kNoNode || c.leader() == 1); ++i) c.tick_all();
  ASSERT_EQ(c.leader(), 2u);
  c.tick_all(3);
  for (NodeId id : {2, 3, 4}) EXPECT_EQ(c.raft(id).conf_state(), (ConfState{{1, 2, 3}, {4}}));
  // One change at a time holds across the election too: the next one waits until this one
  // committed, and then goes through.
  ASSERT_TRUE(c.raft(2).propose_conf_change(conf_change(ConfChangeType::kAddVoter, 4)).ok());
  c.tick_all(3);
  for (NodeId id : {2, 3, 4}) EXPECT_EQ(c.raft(id).conf_state(), (ConfState{{1, 2, 3, 4}, {}}));
  // The old leader rejoins and learns it all.
  c.heal();
  c.tick_all(20);
  EXPECT_EQ(c.raft(1).conf_state(), (ConfState{{1, 2, 3, 4}, {}}));
  EXPECT_EQ(c.node(1).applied.back().index, c.node(2).applied.back().index);
}

TEST(RaftMembership, SecondConfChangeIsRefusedWhileOneIsPending) {
  Cluster c({1, 2, 3});
  c.elect(1);
  c.add_node(4);
  c.add_node(5);
  ASSERT_TRUE(c.raft(1).propose_conf_change(conf_change(ConfChangeType::kAddLearner, 4)).ok());
  EXPECT_EQ(c.raft(1).propose_conf_change(conf_change(ConfChangeType::kAddLearner, 5)).code(),
            "dropped");
  c.stabilize();
  EXPECT_TRUE(c.raft(1).propose_conf_change(conf_change(ConfChangeType::kAddLearner, 5)).ok());
}

TEST(RaftMembership, RemovingTheLeaderMakesItStepDown) {
  Cluster c({1, 2, 3});
  c.elect(1);
  Term term = c.raft(1).hard_state().term;
  ASSERT_TRUE(c.raft(1).propose_conf_change(conf_change(ConfChangeType::kRemoveNode, 1)).ok());
  c.stabilize();
  EXPECT_EQ(c.raft(1).soft_state().role, Role::kFollower);
  EXPECT_EQ(c.raft(1).conf_state(), (ConfState{{2, 3}, {}}));
  c.tick_all(40);
  NodeId leader = c.leader();
  ASSERT_TRUE(leader == 2 || leader == 3);
  EXPECT_GT(c.raft(leader).hard_state().term, term);
  EXPECT_EQ(c.raft(leader).conf_state(), (ConfState{{2, 3}, {}}));
  EXPECT_NE(c.raft(1).soft_state().role, Role::kLeader);
}

TEST(RaftMembership, RemovedLeaderStaysUntilTheSurvivorKnowsItsRemovalCommitted) {
  // Two voters: the survivor must learn that the removal committed, or it would keep counting
  // the removed leader and wait for its vote forever (found by the simulator, seed 70299).
  Cluster c({1, 2});
  c.elect(1);
  ASSERT_TRUE(c.raft(1).propose_conf_change(conf_change(ConfChangeType::kRemoveNode, 1)).ok());
  // Everything that would tell node 2 that the removal committed is lost for now.
  const Index removal = c.raft(1).last_index();
  c.drop_if = [removal](const Message& m) {
    return m.from == 1 && m.to == 2 && m.commit >= removal;
  };
  c.stabilize();
  c.tick_all(40);  // longer than an election timeout: check-quorum must not depose it
  EXPECT_EQ(c.raft(1).conf_state(), (ConfState{{2}, {}}));
  EXPECT_EQ(c.raft(1).soft_state().role, Role::kLeader) << "lame duck hands over first";
  EXPECT_EQ(c.raft(1).propose("x").code(), "dropped");
  EXPECT_EQ(c.raft(1).read_index("r").code(), "dropped");

  c.heal();
  c.tick_all(5);
  c.stabilize();
  EXPECT_NE(c.raft(1).soft_state().role, Role::kLeader);
  c.tick_all(40);
  c.stabilize();
  EXPECT_EQ(c.leader(), 2u);
  EXPECT_EQ(c.raft(2).conf_state(), (ConfState{{2}, {}}));
  ASSERT_TRUE(c.raft(2).propose("after").ok());
  c.stabilize();
  EXPECT_EQ(c.raft(2).hard_state().commit, c.raft(2).last_index());
}

TEST(RaftMembership, TheSurvivorOfARemovalKeepsItsConfigurationThroughAPowerCut) {
  // The removed leader steps down on the survivor's report that the removal committed; had the
  // survivor not synced that commit index, a power cut would bring back the configuration that
  // needs the departed leader's vote, and node 2 could never be elected.
  Cluster c({1, 2});
  c.elect(1);
  ASSERT_TRUE(c.raft(1).propose_conf_change(conf_change(ConfChangeType::kRemoveNode, 1)).ok());
  c.stabilize();
  ASSERT_NE(c.raft(1).soft_state().role, Role::kLeader);
  c.isolate(1);  // it has left

  c.crash(2);
  EXPECT_EQ(c.raft(2).conf_state(), (ConfState{{2}, {}}));
  c.tick_all(40);
  EXPECT_EQ(c.leader(), 2u);
  ASSERT_TRUE(c.raft(2).propose("after").ok());
  c.stabilize();
  EXPECT_EQ(c.raft(2).hard_state().commit, c.raft(2).last_index());
}

TEST(RaftMembership, RemovedNodeDoesNotDisruptTheCluster) {
  Cluster c({1, 2, 3});
  c.elect(1);
  ASSERT_TRUE(c.raft(1).propose_conf_change(conf_change(ConfChangeType::kRemoveNode, 3)).ok());
  c.stabilize();
  Term term = c.raft(1).hard_state().term;
  c.tick_all(60);
  EXPECT_EQ(c.leader(), 1u);
  EXPECT_EQ(c.raft(1).hard_state().term, term);
  EXPECT_EQ(c.raft(3).soft_state().role, Role::kFollower);
  ASSERT_TRUE(c.raft(1).propose("after").ok());
  c.stabilize();
  EXPECT_EQ(c.raft(1).hard_state().commit, c.raft(1).last_index());
}

TEST(RaftMembership, ConfChangeOnFollowerIsRedirected) {
  Cluster c({1, 2, 3});
  c.elect(1);
  EXPECT_EQ(c.raft(2).propose_conf_change(conf_change(ConfChangeType::kAddLearner, 4)).code(),
            "not_leader");
  EXPECT_EQ(c.raft(1).propose_conf_change(conf_change(ConfChangeType::kAddLearner, 0)).code(),
            "invalid");
}

}  // namespace
}  // namespace medtrail::consensus::raft_test

namespace medtrail::consensus::raft_test {
namespace {

TEST(RaftMembership, NodeWithPendingSelfRemovalNeverCampaignsOrWins) {
  Cluster c({1, 2, 3}, [](Config& cfg) { cfg.pre_vote = false; });
  // Node 1 holds a committed but unapplied entry removing itself, then campaigns.
  Message app = msg(MessageType::kAppend, 2, 1, 1);
  app.entries = {
      {1, 1, EntryType::kConfChange, encode_conf_change(conf_change(ConfChangeType::kRemoveNode, 1))}};
  app.commit = 1;
  ASSERT_TRUE(c.raft(1).step(app).ok());
  c.queue.clear();
  Ready rd = c.raft(1).ready();
  c.storage(1).append(rd.entries);
  c.raft(1).advance(rd);
  // The removal is durable and committed but not applied: campaigning is refused meanwhile.
  c.tick(1, 100);
  EXPECT_EQ(c.raft(1).soft_state().role, Role::kFollower);
  rd = c.raft(1).ready();
  ASSERT_EQ(rd.committed_entries.size(), 1u);
  c.raft(1).advance(rd);
  EXPECT_EQ(c.raft(1).conf_state(), (ConfState{{2, 3}, {}}));
  c.tick(1, 100);
  EXPECT_EQ(c.raft(1).soft_state().role, Role::kFollower);
  Message grant = msg(MessageType::kVoteResponse, 2, 1, c.raft(1).hard_state().term);
  ASSERT_TRUE(c.raft(1).step(grant).ok());
  EXPECT_EQ(c.raft(1).soft_state().role, Role::kFollower);
}

}  // namespace
}  // namespace medtrail::consensus::raft_test
