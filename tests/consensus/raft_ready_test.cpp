// The Ready contract (types.h): what a Ready carries, and when.

#include <gtest/gtest.h>

#include "consensus/raft_test_cluster.h"

namespace medtrail::consensus::raft_test {
namespace {

TEST(RaftReady, FreshNodeHasNothingToDo) {
  Cluster c({1, 2, 3});
  EXPECT_FALSE(c.raft(1).has_ready());
}

TEST(RaftReady, CommittedEntriesAreDeliveredOnlyOnceDurable) {
  Cluster c({1, 2, 3});
  Message app = msg(MessageType::kAppend, 1, 2, 1);
  app.entries = {{1, 1, EntryType::kNormal, "a"}};
  app.commit = 1;
  ASSERT_TRUE(c.raft(2).step(app).ok());
  Ready rd = c.raft(2).ready();
  ASSERT_EQ(rd.entries.size(), 1u);
  EXPECT_TRUE(rd.committed_entries.empty());  // "a" is committed but not yet on our disk
  ASSERT_TRUE(rd.hard_state.has_value());
  EXPECT_EQ(rd.hard_state->commit, 1u);
  c.storage(2).append(rd.entries);
  c.raft(2).advance(rd);
  rd = c.raft(2).ready();
  ASSERT_EQ(rd.committed_entries.size(), 1u);
  EXPECT_EQ(rd.committed_entries[0].data, "a");
  c.raft(2).advance(rd);
  EXPECT_EQ(c.raft(2).applied(), 1u);
  EXPECT_FALSE(c.raft(2).has_ready());
}

TEST(RaftReady, NothingIsHandedOutTwiceBeforeAdvance) {
  Cluster c({1});
  c.elect(1);
  ASSERT_TRUE(c.raft(1).propose("x").ok());
  Ready rd = c.raft(1).ready();
  EXPECT_EQ(rd.entries.size(), 1u);
  EXPECT_FALSE(c.raft(1).has_ready());
  c.storage(1).append(rd.entries);
  c.raft(1).advance(rd);
  rd = c.raft(1).ready();
  ASSERT_EQ(rd.committed_entries.size(), 1u);
  EXPECT_FALSE(c.raft(1).has_ready());
  c.raft(1).advance(rd);
}

TEST(RaftReady, SoftStateIsReportedWhenItChanges) {
  Cluster c({1});
  for (int i = 0; i < 30 && c.raft(1).soft_state().role != Role::kLeader; ++i) c.raft(1).tick();
  Ready rd = c.raft(1).ready();
  ASSERT_TRUE(rd.soft_state.has_value());
  EXPECT_EQ(*rd.soft_state, (SoftState{1, Role::kLeader}));
  ASSERT_TRUE(rd.hard_state.has_value());
  EXPECT_EQ(rd.hard_state->vote, 1u);
  c.storage(1).append(rd.entries);
  c.raft(1).advance(rd);
  rd = c.raft(1).ready();
  EXPECT_FALSE(rd.soft_state.has_value());
  c.raft(1).advance(rd);
}

}  // namespace
}  // namespace medtrail::consensus::raft_test
