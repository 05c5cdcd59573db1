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

// Handles a Ready as a driver does: writes everything, syncs only when told to.
void persist(Cluster& c, NodeId id, const Ready& rd) {
  c.persist(id, rd);
  c.raft(id).advance(rd);
}

Message heartbeat(NodeId from, NodeId to, Term term, Index commit) {
  Message m = msg(MessageType::kHeartbeat, from, to, term);
  m.commit = commit;
  return m;
}

TEST(RaftReady, ACommitIndexAloneIsWrittenUnsyncedAndLearntAgainAfterAPowerCut) {
  Cluster c({1, 2, 3});
  Message app = msg(MessageType::kAppend, 1, 2, 1);
  app.entries = {{1, 1, EntryType::kNormal, "a"}};
  ASSERT_TRUE(c.raft(2).step(app).ok());
  Ready rd = c.raft(2).ready();
  EXPECT_TRUE(rd.must_sync);  // an entry it is about to acknowledge, and a new term
  persist(c, 2, rd);

  ASSERT_TRUE(c.raft(2).step(heartbeat(1, 2, 1, 1)).ok());
  rd = c.raft(2).ready();
  ASSERT_TRUE(rd.hard_state.has_value());
  EXPECT_EQ(rd.hard_state->commit, 1u);
  EXPECT_FALSE(rd.must_sync);  // the commit index alone
  persist(c, 2, rd);
  ASSERT_TRUE(c.storage(2).has_unsynced_writes());

  c.crash(2);  // the power cut takes the commit index, not the entry
  EXPECT_EQ(c.raft(2).hard_state().commit, 0u);
  EXPECT_EQ(c.raft(2).last_index(), 1u);
  // Learnt again; until the commit index passes the log's end as found at start, any
  // configuration change among those entries is unknown, so the move is synced.
  ASSERT_TRUE(c.raft(2).step(heartbeat(1, 2, 1, 1)).ok());
  rd = c.raft(2).ready();
  ASSERT_TRUE(rd.hard_state.has_value());
  EXPECT_EQ(rd.hard_state->commit, 1u);
  EXPECT_TRUE(rd.must_sync);
}

TEST(RaftReady, ACommitIndexPassingAConfigurationChangeIsSynced) {
  Cluster c({1, 2, 3});
  Message app = msg(MessageType::kAppend, 1, 2, 1);
  app.entries = {{1, 1, EntryType::kNormal, "a"},
                 {1, 2, EntryType::kConfChange,
                  encode_conf_change(conf_change(ConfChangeType::kRemoveNode, 3))},
                 {1, 3, EntryType::kNormal, "b"}};
  ASSERT_TRUE(c.raft(2).step(app).ok());
  persist(c, 2, c.raft(2).ready());

  ASSERT_TRUE(c.raft(2).step(heartbeat(1, 2, 1, 1)).ok());
  Ready rd = c.raft(2).ready();
  EXPECT_FALSE(rd.must_sync) << "no configuration change in (0, 1]";
  persist(c, 2, rd);
  ASSERT_TRUE(c.raft(2).step(heartbeat(1, 2, 1, 2)).ok());
  rd = c.raft(2).ready();
  ASSERT_TRUE(rd.hard_state.has_value());
  EXPECT_TRUE(rd.must_sync) << "the removal of node 3 commits at 2";
  persist(c, 2, rd);
  ASSERT_TRUE(c.raft(2).step(heartbeat(1, 2, 1, 3)).ok());
  rd = c.raft(2).ready();
  EXPECT_FALSE(rd.must_sync) << "the change is behind the synced commit index";
  persist(c, 2, rd);

  c.crash(2);  // restarts with the configuration as of the synced commit index 2
  EXPECT_EQ(c.raft(2).hard_state().commit, 2u);
  EXPECT_EQ(c.raft(2).conf_state(), (ConfState{{1, 2}, {}}));
}

TEST(RaftReady, ALeadersAppendsMayGoOutBeforeItsOwnSyncAFollowersAcksMayNot) {
  Cluster c({1, 2, 3});
  c.elect(1);
  ASSERT_TRUE(c.raft(1).propose("x").ok());
  Ready rd = c.raft(1).ready();
  ASSERT_EQ(rd.entries.size(), 1u);
  EXPECT_TRUE(rd.must_sync);
  EXPECT_TRUE(rd.send_first);
  ASSERT_EQ(rd.messages.size(), 2u);
  const Index x = rd.entries[0].index;

  // The follower's acknowledgement promises its disk: it waits for its sync.
  ASSERT_TRUE(c.raft(2).step(rd.messages[0].to == 2 ? rd.messages[0] : rd.messages[1]).ok());
  Ready follower = c.raft(2).ready();
  ASSERT_EQ(follower.entries.size(), 1u);
  EXPECT_FALSE(follower.send_first);
  persist(c, 2, follower);
  ASSERT_EQ(follower.messages.size(), 1u);

  // Node 2's ack alone is no quorum while the leader's own copy is not durable...
  ASSERT_TRUE(c.raft(1).step(follower.messages[0]).ok());
  EXPECT_LT(c.raft(1).hard_state().commit, x);
  // ...and is one once the leader's write is synced and advanced.
  persist(c, 1, rd);
  EXPECT_EQ(c.raft(1).hard_state().commit, x);
}

// Node `r` campaigns and every vote request is granted before it has persisted a thing: it wins
// a term that is on no disk. The Readies it handed out, none advanced.
std::vector<Ready> win_without_syncing(RaftNode& r) {
  for (int i = 0; i < 1000 && r.soft_state().role == Role::kFollower; ++i) r.tick();
  std::vector<Ready> campaign;
  for (int round = 0; round < 4 && r.soft_state().role != Role::kLeader; ++round) {
    campaign.push_back(r.ready());
    for (const Message& m : campaign.back().messages) {
      if (m.type != MessageType::kPreVote && m.type != MessageType::kVote) continue;
      const MessageType answer = m.type == MessageType::kPreVote ? MessageType::kPreVoteResponse
                                                                 : MessageType::kVoteResponse;
      EXPECT_TRUE(r.step(msg(answer, m.to, r.id(), m.term)).ok());
    }
  }
  return campaign;
}

// Ticks node `r` until a Ready carries messages (a leader's heartbeats); an empty Ready when
// none came within 100 ticks.
Ready tick_until_messages(RaftNode& r) {
  Ready rd;
  for (int i = 0; i < 100 && rd.messages.empty(); ++i) {
    r.tick();
    if (r.has_ready()) rd = r.ready();
  }
  return rd;
}

TEST(RaftReady, ALeaderWhoseTermIsNotSyncedYetSendsNothingFirst) {
  Cluster c({1, 2, 3});
  RaftNode& r = c.raft(1);
  std::vector<Ready> campaign = win_without_syncing(r);
  ASSERT_EQ(r.soft_state().role, Role::kLeader);
  for (const Ready& rd : campaign) EXPECT_FALSE(rd.send_first);  // not yet a leader
  Ready appends = r.ready();
  ASSERT_FALSE(appends.messages.empty());
  EXPECT_FALSE(appends.send_first) << "an append of a term the leader could lose to a power cut";

  for (const Ready& rd : campaign) persist(c, 1, rd);
  persist(c, 1, appends);
  for (const Message& m : appends.messages) c.queue.push_back(m);
  c.stabilize();  // the followers take the leader's first entry
  ASSERT_TRUE(r.propose("x").ok());
  Ready next = r.ready();
  ASSERT_FALSE(next.messages.empty());
  EXPECT_TRUE(next.send_first) << "its term and vote are synced now";
  persist(c, 1, next);
}

TEST(RaftReady, ASyncVouchesOnlyForTheHardStateOfTheReadyItEnds) {
  Cluster c({1, 2, 3});
  RaftNode& r = c.raft(1);
  Message app = msg(MessageType::kAppend, 2, 1, 1);
  app.entries = {{1, 1, EntryType::kNormal, "a"}};
  ASSERT_TRUE(r.step(app).ok());
  Ready first = r.ready();  // term 1 and an entry, taken but not yet advanced
  ASSERT_TRUE(first.must_sync);
  std::vector<Ready> campaign = win_without_syncing(r);
  ASSERT_EQ(r.soft_state().role, Role::kLeader);
  ASSERT_GT(r.hard_state().term, 1u);
  Ready appends = r.ready();

  // The first Ready's sync covered term 1, not the campaign's term handed out after it.
  persist(c, 1, first);
  Ready heartbeats = tick_until_messages(r);
  ASSERT_FALSE(heartbeats.messages.empty());
  EXPECT_FALSE(heartbeats.send_first) << "the leader's term is on no disk yet";
}

TEST(RaftReady, ALeaderCommittingAConfigurationChangeSyncsBeforeItTellsAnyone) {
  Cluster c({1, 2, 3});
  c.elect(1);
  ASSERT_TRUE(c.raft(1).propose_conf_change(conf_change(ConfChangeType::kRemoveNode, 3)).ok());
  Ready rd = c.raft(1).ready();
  ASSERT_EQ(rd.entries.size(), 1u);
  const Index removal = rd.entries[0].index;
  persist(c, 1, rd);
  std::vector<Message> acks;
  for (const Message& m : rd.messages) {
    ASSERT_TRUE(c.raft(m.to).step(m).ok());
    Ready follower = c.raft(m.to).ready();
    persist(c, m.to, follower);
    acks.insert(acks.end(), follower.messages.begin(), follower.messages.end());
  }
  for (const Message& m : acks) ASSERT_TRUE(c.raft(1).step(m).ok());
  rd = c.raft(1).ready();
  ASSERT_TRUE(rd.hard_state.has_value());
  ASSERT_GE(rd.hard_state->commit, removal);
  ASSERT_FALSE(rd.messages.empty()) << "the new commit index, for the followers";
  EXPECT_TRUE(rd.must_sync);
  EXPECT_FALSE(rd.send_first) << "a restart must not rebuild a configuration the others left";

  // Nor does a later Ready, taken before that sync, carry the commit index out first.
  Ready heartbeats = tick_until_messages(c.raft(1));
  ASSERT_FALSE(heartbeats.messages.empty());
  EXPECT_FALSE(heartbeats.send_first) << "the commit index past the removal is not synced yet";
  persist(c, 1, rd);
  persist(c, 1, heartbeats);
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
