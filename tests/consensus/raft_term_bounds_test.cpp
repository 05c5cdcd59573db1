// The term rule (docs/raft-safety.md): no term above kMaxTerm, no move of more than
// kMaxTermJump per message, at most one raise of more than one per election timeout; and a
// node lagging by any amount still catches up.

#include <gtest/gtest.h>

#include "consensus/raft_test_cluster.h"

namespace medtrail::consensus::raft_test {
namespace {

// Restarts `id` with its stored term set to `term` (as if it had been through that many).
void set_stored_term(Cluster& c, NodeId id, Term term) {
  HardState hs = stored_hard_state(c.storage(id));
  hs.term = term;
  hs.vote = kNoNode;
  ASSERT_TRUE(c.storage(id).set_hard_state(hs).ok());
  ASSERT_TRUE(c.storage(id).sync().ok());
  c.restart(id, c.raft(id).applied());
}

TEST(RaftTermBounds, MessageBeyondTheMarginMovesTheTermByExactlyTheMargin) {
  Cluster c({1, 2, 3});
  c.elect(1);
  const Term term = c.raft(3).hard_state().term;
  Message heartbeat = msg(MessageType::kHeartbeat, 2, 3, term + kMaxTermJump + 1);
  heartbeat.commit = 1;
  EXPECT_EQ(c.raft(3).step(heartbeat).code(), "invalid");
  EXPECT_EQ(c.raft(3).hard_state().term, term + kMaxTermJump);
  EXPECT_EQ(c.raft(3).soft_state(), (SoftState{kNoNode, Role::kFollower}))
      << "the message itself is dropped: its sender is not followed";
  EXPECT_EQ(c.raft(3).counters().implausible_term, 1u);
}

TEST(RaftTermBounds, TermAboveMaxTermIsNeverAdoptedNorApproached) {
  Cluster c({1, 2, 3});
  c.elect(1);
  const Term term = c.raft(3).hard_state().term;
  for (Term lie : {kMaxTerm + 1, Term{UINT64_MAX}}) {
    EXPECT_EQ(c.raft(3).step(msg(MessageType::kAppendResponse, 2, 3, lie)).code(), "invalid");
    EXPECT_EQ(c.raft(3).hard_state().term, term);
  }
  EXPECT_EQ(c.raft(3).counters().implausible_term, 2u);
}

TEST(RaftTermBounds, SecondLargeTermRaiseWithinAnElectionTimeoutIsDeferred) {
  Cluster c({1, 2, 3}, [](Config& cfg) { cfg.check_quorum = false; });
  ASSERT_TRUE(c.raft(3).step(msg(MessageType::kHeartbeat, 1, 3, 5)).ok());
  EXPECT_EQ(c.raft(3).hard_state().term, 5u);
  // A raise by one is an ordinary election: never deferred.
  ASSERT_TRUE(c.raft(3).step(msg(MessageType::kHeartbeat, 2, 3, 6)).ok());
  EXPECT_EQ(c.raft(3).hard_state().term, 6u);
  EXPECT_EQ(c.raft(3).step(msg(MessageType::kHeartbeat, 1, 3, 9)).code(), "dropped");
  EXPECT_EQ(c.raft(3).hard_state().term, 6u);
  EXPECT_EQ(c.raft(3).counters().term_jumps_deferred, 1u);
  c.tick(3, c.config_for(3).election_ticks);
  ASSERT_TRUE(c.raft(3).step(msg(MessageType::kHeartbeat, 1, 3, 9)).ok()) << "the retry is taken";
  EXPECT_EQ(c.raft(3).hard_state().term, 9u);
  EXPECT_EQ(c.raft(3).soft_state().leader, 1u);
}

TEST(RaftTermBounds, RepeatedMarginStepsRaiseTheTermAtMostOneMarginPerElectionTimeout) {
  Cluster c({1, 2, 3}, [](Config& cfg) { cfg.check_quorum = false; });
  const int timeout = c.config_for(3).election_ticks;
  for (int round = 0; round < 5; ++round) {
    // The liar sends margin-sized raises as fast as it can, ticking in between.
    for (int i = 0; i < timeout; ++i) {
      const Term term = c.raft(3).hard_state().term;
      c.raft(3).step(msg(MessageType::kHeartbeat, 2, 3, term + kMaxTermJump));
      c.raft(3).step(msg(MessageType::kHeartbeat, 2, 3, term + 3 * kMaxTermJump));
      c.raft(3).tick();
    }
    EXPECT_EQ(c.raft(3).hard_state().term, (round + 1) * kMaxTermJump);
  }
}

TEST(RaftTermBounds, NodeLaggingFarBehindTheClusterCatchesUpInSteps) {
  // Nodes 1 and 2 went through 3.5 margins of elections while node 3 was away (unrealistic for
  // an honest cluster, but what a liar can arrange for part of it): 3 must still rejoin.
  Cluster c({1, 2, 3});
  const Term far = 3 * kMaxTermJump + kMaxTermJump / 2;
  set_stored_term(c, 1, far);
  set_stored_term(c, 2, far);
  c.isolate(3);
  c.elect(1);
  ASSERT_EQ(c.leader(), 1u);
  ASSERT_TRUE(c.raft(1).propose("while away").ok());
  c.stabilize();
  c.heal();
  EXPECT_EQ(c.keeps_electing_and_committing("rejoined"), "");
  EXPECT_GE(c.raft(3).counters().implausible_term, 3u) << "three steps of one margin";
  EXPECT_GT(c.raft(3).hard_state().term, far);
}

TEST(RaftTermBounds, StoredTermAtOrAboveMaxTermRefusesToStart) {
  for (Term term : {kMaxTerm, kMaxTerm + 1, Term{UINT64_MAX}}) {
    auto storage = make_storage(ConfState{{1, 2, 3}, {}});
    ASSERT_TRUE(storage->set_hard_state({term, 2, 0}).ok());
    ASSERT_TRUE(storage->sync().ok());
    Config config;
    config.id = 1;
    auto node = RaftNode::create(config, *storage);
    ASSERT_FALSE(node.ok());
    EXPECT_EQ(node.status().code(), "term_exhausted");
    EXPECT_NE(node.status().message().find("docs/raft-safety.md"), std::string::npos)
        << "names the recovery";
  }
}

TEST(RaftTermBounds, NodeAtMaxTermStopsInsteadOfCampaigningPastIt) {
  Cluster c({1, 2, 3});
  for (NodeId id : c.ids()) set_stored_term(c, id, kMaxTerm - 1);
  c.elect(1);
  ASSERT_EQ(c.leader(), 1u) << "the last term is usable";
  EXPECT_EQ(c.raft(1).hard_state().term, kMaxTerm);
  ASSERT_TRUE(c.raft(1).propose("last").ok());
  c.stabilize();
  EXPECT_EQ(c.node(3).applied.back().data, "last");
  // The leader goes away and no term is left to campaign for: rather than sit leaderless for
  // ever, each node that would campaign stops loudly, and will not start again as it is.
  c.isolate(1);
  c.tick_all(40);
  for (NodeId id : {2, 3}) {
    EXPECT_EQ(c.raft(id).failure().code(), "term_exhausted") << "node " << id;
    EXPECT_FALSE(c.raft(id).has_ready());
    auto reopened = RaftNode::create(c.config_for(id), c.storage(id));
    ASSERT_FALSE(reopened.ok());
    EXPECT_EQ(reopened.status().code(), "term_exhausted");
  }
}

}  // namespace
}  // namespace medtrail::consensus::raft_test
