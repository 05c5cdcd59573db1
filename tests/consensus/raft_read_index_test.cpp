// Linearizable reads with ReadIndex (§6.4).

#include <gtest/gtest.h>

#include "consensus/raft_test_cluster.h"

namespace medtrail::consensus::raft_test {
namespace {

TEST(RaftReadIndex, SingleVoterAnswersOnceItsTermHasCommitted) {
  Cluster c({1});
  c.elect(1);
  ASSERT_TRUE(c.raft(1).read_index("r").ok());
  c.stabilize();
  ASSERT_EQ(c.node(1).reads.size(), 1u);
  EXPECT_EQ(c.node(1).reads[0], (ReadState{1, "r"}));
}

TEST(RaftReadIndex, NewLeaderWaitsForCurrentTermCommit) {
  Cluster c({1, 2, 3});
  c.elect(1);
  ASSERT_TRUE(c.raft(1).propose("a").ok());
  c.stabilize();
  // Node 2 becomes leader but its no-op cannot reach anyone yet.
  c.drop_if = [](const Message& m) { return m.type == MessageType::kAppend; };
  ASSERT_TRUE(c.raft(1).transfer_leadership(2).ok());
  c.stabilize();
  ASSERT_EQ(c.leader(), 2u);
  ASSERT_TRUE(c.raft(2).read_index("r").ok());
  c.stabilize();
  EXPECT_TRUE(c.node(2).reads.empty());
  c.heal();
  c.tick_all(2);
  ASSERT_EQ(c.node(2).reads.size(), 1u);
  EXPECT_EQ(c.node(2).reads[0].context, "r");
  EXPECT_EQ(c.node(2).reads[0].index, 3u);  // the new leader's no-op
}

TEST(RaftReadIndex, FollowerReadIsForwardedToTheLeader) {
  Cluster c({1, 2, 3});
  c.elect(1);
  ASSERT_TRUE(c.raft(1).propose("a").ok());
  c.stabilize();
  ASSERT_TRUE(c.raft(3).read_index("f").ok());
  c.stabilize();
  ASSERT_EQ(c.node(3).reads.size(), 1u);
  EXPECT_EQ(c.node(3).reads[0], (ReadState{2, "f"}));
  EXPECT_TRUE(c.node(1).reads.empty());
}

TEST(RaftReadIndex, IsolatedLeaderCannotServeReads) {
  Cluster c({1, 2, 3});
  c.elect(1);
  c.isolate(1);
  ASSERT_TRUE(c.raft(1).read_index("stale?").ok());
  c.stabilize();
  c.tick(1, 3);
  c.stabilize();
  EXPECT_TRUE(c.node(1).reads.empty());
}

TEST(RaftReadIndex, ReadsAreReleasedInOrder) {
  Cluster c({1, 2, 3});
  c.elect(1);
  ASSERT_TRUE(c.raft(1).read_index("first").ok());
  ASSERT_TRUE(c.raft(1).read_index("second").ok());
  c.stabilize();
  ASSERT_EQ(c.node(1).reads.size(), 2u);
  EXPECT_EQ(c.node(1).reads[0].context, "first");
  EXPECT_EQ(c.node(1).reads[1].context, "second");
}

TEST(RaftReadIndex, FollowerWithoutLeaderRefuses) {
  Cluster c({1, 2, 3});
  EXPECT_EQ(c.raft(2).read_index("r").code(), "not_leader");
}

}  // namespace
}  // namespace medtrail::consensus::raft_test
