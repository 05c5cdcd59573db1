// Elections: randomized timeouts, vote rules, pre-vote and check-quorum.

#include <gtest/gtest.h>

#include "consensus/raft_test_cluster.h"

namespace medtrail::consensus::raft_test {
namespace {

TEST(RaftElection, SingleNodeElectsItselfAndCommits) {
  Cluster c({1});
  c.elect(1);
  ASSERT_EQ(c.raft(1).soft_state().role, Role::kLeader);
  ASSERT_TRUE(c.raft(1).propose("x").ok());
  c.stabilize();
  ASSERT_EQ(c.node(1).applied.size(), 2u);  // the no-op, then "x"
  EXPECT_EQ(c.node(1).applied[0].data, "");
  EXPECT_EQ(c.node(1).applied[1].data, "x");
  EXPECT_EQ(c.raft(1).hard_state().commit, 2u);
  EXPECT_EQ(stored_hard_state(c.storage(1)).commit, 2u);
}

TEST(RaftElection, ThreeNodesElectExactlyOneLeader) {
  Cluster c({1, 2, 3});
  c.tick_all(40);
  NodeId leader = c.leader();
  ASSERT_NE(leader, kNoNode);
  int leaders = 0;
  for (NodeId id : c.ids()) {
    if (c.raft(id).soft_state().role == Role::kLeader) ++leaders;
    EXPECT_EQ(c.raft(id).soft_state().leader, leader);
    EXPECT_EQ(c.raft(id).hard_state().term, c.raft(leader).hard_state().term);
  }
  EXPECT_EQ(leaders, 1);
}

TEST(RaftElection, ElectionTimeoutIsRandomizedWithinRange) {
  Cluster c({1, 2, 3}, [](Config& cfg) { cfg.pre_vote = false; });
  int ticks = 0;
  while (c.raft(1).soft_state().role == Role::kFollower) {
    c.raft(1).tick();
    ++ticks;
  }
  EXPECT_GE(ticks, 10);
  EXPECT_LT(ticks, 20);
}

TEST(RaftElection, VoteIsPersistedInTheSameReadyAsItsResponse) {
  Cluster c({1, 2, 3}, [](Config& cfg) { cfg.pre_vote = false; });
  Message vote = msg(MessageType::kVote, 1, 2, 5);
  vote.index = 0;
  vote.log_term = 0;
  ASSERT_TRUE(c.raft(2).step(vote).ok());
  Ready rd = c.raft(2).ready();
  ASSERT_EQ(rd.messages.size(), 1u);
  EXPECT_EQ(rd.messages[0].type, MessageType::kVoteResponse);
  EXPECT_FALSE(rd.messages[0].reject);
  ASSERT_TRUE(rd.hard_state.has_value());
  EXPECT_EQ(rd.hard_state->vote, 1u);
  EXPECT_EQ(rd.hard_state->term, 5u);
  c.raft(2).advance(rd);
}

TEST(RaftElection, NeverVotesTwiceInOneTerm) {
  Cluster c({1, 2, 3}, [](Config& cfg) { cfg.pre_vote = false; });
  Message vote1 = msg(MessageType::kVote, 1, 2, 5);
  Message vote3 = msg(MessageType::kVote, 3, 2, 5);
  ASSERT_TRUE(c.raft(2).step(vote1).ok());
  ASSERT_TRUE(c.raft(2).step(vote3).ok());
  ASSERT_TRUE(c.raft(2).step(vote1).ok());  // a retransmission is granted again
  Ready rd = c.raft(2).ready();
  ASSERT_EQ(rd.messages.size(), 3u);
  EXPECT_FALSE(rd.messages[0].reject);
  EXPECT_TRUE(rd.messages[1].reject);
  EXPECT_FALSE(rd.messages[2].reject);
  c.raft(2).advance(rd);
  // The vote survives a restart.
  c.storage(2).set_hard_state(*rd.hard_state);
  c.restart(2, 0);
  ASSERT_TRUE(c.raft(2).step(vote3).ok());
  rd = c.raft(2).ready();
  ASSERT_EQ(rd.messages.size(), 1u);
  EXPECT_TRUE(rd.messages[0].reject);
}

TEST(RaftElection, SplitVoteResolves) {
  Cluster c({1, 2, 3, 4}, [](Config& cfg) { cfg.pre_vote = false; });
  // 1 and 2 campaign in the same term; 3 hears only 1 and 4 hears only 2: two votes each,
  // three needed.
  for (int i = 0; i < 1000 && c.raft(1).soft_state().role != Role::kCandidate; ++i) c.tick(1);
  for (int i = 0; i < 1000 && c.raft(2).soft_state().role != Role::kCandidate; ++i) c.tick(2);
  c.process_ready(1);
  c.process_ready(2);
  const Term split_term = c.raft(1).hard_state().term;
  ASSERT_EQ(c.raft(2).hard_state().term, split_term);
  c.drop_if = [](const Message& m) {
    return (m.from == 1 && m.to == 4) || (m.from == 2 && m.to == 3) || (m.from == 1 && m.to == 2) ||
           (m.from == 2 && m.to == 1);
  };
  c.stabilize();
  ASSERT_EQ(c.leader(), kNoNode) << "the vote was meant to split";
  EXPECT_EQ(c.raft(1).soft_state().role, Role::kCandidate);
  EXPECT_EQ(c.raft(2).soft_state().role, Role::kCandidate);
  // Randomized timeouts (§5.2) make one candidate time out first and win the next term.
  c.heal();
  for (int i = 0; i < 200 && c.leader() == kNoNode; ++i) c.tick_all();
  const NodeId leader = c.leader();
  ASSERT_NE(leader, kNoNode);
  EXPECT_GT(c.raft(leader).hard_state().term, split_term);
  for (NodeId id : c.ids()) {
    if (id == leader) continue;
    EXPECT_NE(c.raft(id).soft_state().role, Role::kLeader);
  }
}

TEST(RaftElection, CrashAndRestartNeverVotesTwiceInATerm) {
  Cluster c({1, 2, 3}, [](Config& cfg) { cfg.pre_vote = false; });
  Message vote1 = msg(MessageType::kVote, 1, 2, 5);
  ASSERT_TRUE(c.raft(2).step(vote1).ok());
  ASSERT_TRUE(c.process_ready(2));  // the grant leaves only after the vote is durable
  ASSERT_EQ(c.queue.size(), 1u);
  EXPECT_FALSE(c.queue.front().reject);
  c.queue.clear();
  c.crash(2);
  ASSERT_TRUE(c.raft(2).step(msg(MessageType::kVote, 3, 2, 5)).ok());
  Ready rd = c.raft(2).ready();
  ASSERT_EQ(rd.messages.size(), 1u);
  EXPECT_TRUE(rd.messages[0].reject) << "voted for 1 in term 5 before the crash";
  c.raft(2).advance(rd);
}

TEST(RaftElection, VoteLostBeforeSyncWasNeverSent) {
  Cluster c({1, 2, 3}, [](Config& cfg) { cfg.pre_vote = false; });
  ASSERT_TRUE(c.raft(2).step(msg(MessageType::kVote, 1, 2, 5)).ok());
  Ready rd = c.raft(2).ready();
  ASSERT_EQ(rd.messages.size(), 1u);
  c.storage(2).set_hard_state(*rd.hard_state);  // written, but the power fails before sync
  c.crash(2);
  // The grant was never sent, so voting for 3 in term 5 breaks no promise.
  ASSERT_TRUE(c.raft(2).step(msg(MessageType::kVote, 3, 2, 5)).ok());
  rd = c.raft(2).ready();
  ASSERT_EQ(rd.messages.size(), 1u);
  EXPECT_FALSE(rd.messages[0].reject);
  c.raft(2).advance(rd);
}

TEST(RaftElection, RejectsCandidateWithStaleLog) {
  Cluster c({1, 2, 3}, [](Config& cfg) {
    cfg.pre_vote = false;
    cfg.check_quorum = false;  // no lease: the vote is judged on the log alone
  });
  c.elect(1);
  ASSERT_TRUE(c.raft(1).propose("a").ok());
  c.stabilize();
  Message vote = msg(MessageType::kVote, 3, 2, c.raft(2).hard_state().term + 1);
  vote.index = 1;  // node 3's log ends before ours
  vote.log_term = 1;
  ASSERT_TRUE(c.raft(2).step(vote).ok());
  Ready rd = c.raft(2).ready();
  ASSERT_EQ(rd.messages.size(), 1u);
  EXPECT_TRUE(rd.messages[0].reject);
  c.raft(2).advance(rd);
}

TEST(RaftElection, PreVoteDoesNotBumpTerms) {
  Cluster c({1, 2, 3});
  c.elect(1);
  Term term = c.raft(1).hard_state().term;
  c.isolate(3);
  for (int i = 0; i < 100; ++i) {
    c.raft(3).tick();
    c.stabilize();
  }
  // Node 3 kept pre-campaigning, but nobody's term moved, not even its own.
  EXPECT_EQ(c.raft(3).hard_state().term, term);
  EXPECT_EQ(c.raft(3).soft_state().role, Role::kPreCandidate);
  EXPECT_EQ(c.raft(2).hard_state().term, term);
}

TEST(RaftElection, PreVoteGrantFromAnEarlierRoundIsNotCounted) {
  Cluster c({1, 2, 3}, [](Config& cfg) { cfg.check_quorum = false; });
  c.elect(2);  // node 1 follows 2 in term 1; then 2 falls silent
  c.isolate(2);
  c.tick(1, 40);  // pre-campaigns for term 2; nobody answers yet
  ASSERT_EQ(c.raft(1).soft_state().role, Role::kPreCandidate);
  const Term term = c.raft(1).hard_state().term;
  // A grant naming the current term answers an earlier round (for this term), not this one.
  Message stale = msg(MessageType::kPreVoteResponse, 3, 1, term);
  ASSERT_TRUE(c.raft(1).step(stale).ok());
  EXPECT_EQ(c.raft(1).soft_state().role, Role::kPreCandidate);
  EXPECT_EQ(c.raft(1).hard_state().term, term);
  ASSERT_TRUE(c.raft(1).step(msg(MessageType::kPreVoteResponse, 3, 1, term + 1)).ok());
  EXPECT_EQ(c.raft(1).soft_state().role, Role::kCandidate) << "the round's own grant counts";
}

TEST(RaftElection, PartitionedNodeRejoiningDoesNotDisruptLeader) {
  Cluster c({1, 2, 3});
  c.elect(1);
  Term term = c.raft(1).hard_state().term;
  c.isolate(3);
  for (int i = 0; i < 50; ++i) {
    c.tick_all();
    ASSERT_TRUE(c.raft(1).propose("p" + std::to_string(i)).ok());
    c.stabilize();
  }
  c.heal();
  c.tick_all(50);
  EXPECT_EQ(c.leader(), 1u);
  EXPECT_EQ(c.raft(1).hard_state().term, term);
  EXPECT_EQ(c.raft(3).soft_state().leader, 1u);
  EXPECT_EQ(c.raft(3).hard_state().commit, c.raft(1).hard_state().commit);
}

TEST(RaftElection, WithoutPreVoteAPartitionedNodeBumpsItsTerm) {
  Cluster c({1, 2, 3}, [](Config& cfg) { cfg.pre_vote = false; });
  c.elect(1);
  Term term = c.raft(1).hard_state().term;
  c.isolate(3);
  c.tick(3, 100);
  c.stabilize();
  EXPECT_GT(c.raft(3).hard_state().term, term);
}

TEST(RaftElection, CheckQuorumLeaderStepsDownWhenIsolated) {
  Cluster c({1, 2, 3});
  c.elect(1);
  c.isolate(1);
  for (int i = 0; i < 30 && c.raft(1).soft_state().role == Role::kLeader; ++i) {
    c.tick(1);
    c.stabilize();
  }
  EXPECT_EQ(c.raft(1).soft_state().role, Role::kFollower);
  EXPECT_EQ(c.raft(1).soft_state().leader, kNoNode);
}

TEST(RaftElection, LeaderWithQuorumStaysLeader) {
  Cluster c({1, 2, 3});
  c.elect(1);
  c.drop_if = [](const Message& m) { return m.to == 3 || m.from == 3; };
  c.tick_all(100);
  EXPECT_EQ(c.leader(), 1u);
}

TEST(RaftElection, FollowerInLeaseIgnoresVotes) {
  Cluster c({1, 2, 3}, [](Config& cfg) { cfg.pre_vote = false; });
  c.elect(1);
  Term term = c.raft(2).hard_state().term;
  Message vote = msg(MessageType::kVote, 3, 2, term + 1);
  vote.index = 100;
  vote.log_term = term;
  ASSERT_TRUE(c.raft(2).step(vote).ok());
  EXPECT_EQ(c.raft(2).hard_state().term, term);
  EXPECT_EQ(c.raft(2).soft_state().leader, 1u);
}

TEST(RaftElection, NewLeaderIsElectedAfterLeaderFails) {
  Cluster c({1, 2, 3});
  c.elect(1);
  c.isolate(1);
  c.tick_all(60);
  NodeId leader = kNoNode;
  for (NodeId id : {2, 3}) {
    if (c.raft(id).soft_state().role == Role::kLeader) leader = id;
  }
  ASSERT_NE(leader, kNoNode);
  EXPECT_GT(c.raft(leader).hard_state().term, c.raft(1).hard_state().term - 1);
}

TEST(RaftElection, LearnerNeverCampaigns) {
  Cluster c({1, 2});
  c.add_node(3, ConfState{{1, 2}, {3}});
  c.tick(3, 100);
  c.stabilize();
  EXPECT_EQ(c.raft(3).soft_state().role, Role::kFollower);
  EXPECT_EQ(c.raft(3).hard_state().term, 0u);
}

}  // namespace
}  // namespace medtrail::consensus::raft_test
