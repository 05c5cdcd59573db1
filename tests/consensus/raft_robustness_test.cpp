// step() accepts any message a peer might send: garbage is refused or ignored, never fatal.

#include <gtest/gtest.h>

#include <random>

#include "consensus/raft_test_cluster.h"

namespace medtrail::consensus::raft_test {
namespace {

TEST(RaftRobustness, MessageForAnotherNodeIsRefused) {
  Cluster c({1, 2, 3});
  EXPECT_EQ(c.raft(1).step(msg(MessageType::kHeartbeat, 2, 9, 1)).code(), "invalid");
  EXPECT_EQ(c.raft(1).step(msg(MessageType::kHeartbeat, 1, 1, 1)).code(), "invalid");
  EXPECT_EQ(c.raft(1).step(msg(MessageType::kHeartbeat, 0, 1, 1)).code(), "invalid");
  EXPECT_EQ(c.raft(1).step(msg(static_cast<MessageType>(200), 2, 1, 1)).code(), "invalid");
}

TEST(RaftRobustness, NonContiguousEntriesAreRefused) {
  Cluster c({1, 2, 3});
  Message app = msg(MessageType::kAppend, 1, 2, 1);
  app.entries = {{1, 1, EntryType::kNormal, "a"}, {1, 3, EntryType::kNormal, "b"}};
  EXPECT_EQ(c.raft(2).step(app).code(), "invalid");
  app.entries = {{5, 1, EntryType::kNormal, "future term"}};
  EXPECT_EQ(c.raft(2).step(app).code(), "invalid");
  EXPECT_EQ(c.raft(2).last_index(), 0u);
}

TEST(RaftRobustness, StaleMessagesFromOldTermsAreIgnored) {
  Cluster c({1, 2, 3});
  c.elect(1);
  ASSERT_TRUE(c.raft(1).propose("a").ok());
  c.stabilize();
  c.isolate(1);
  c.tick_all(40);  // the term moves on without 1
  const NodeId leader = c.leader();
  ASSERT_TRUE(leader == 2 || leader == 3);
  const NodeId follower = 5 - leader;
  c.heal();
  c.tick_all(2);
  const Term term = c.raft(leader).hard_state().term;
  const Index last = c.raft(follower).last_index();
  const auto log = *c.storage(follower).entries(1, last + 1, UINT64_MAX);

  // A delayed append from the deposed leader's term, with a conflicting entry.
  Message old_append = msg(MessageType::kAppend, 1, follower, term - 1);
  old_append.index = last - 1;
  old_append.log_term = c.storage(follower).term(last - 1).value();
  old_append.entries = {{term - 1, last, EntryType::kNormal, "stale"}};
  old_append.commit = last;
  ASSERT_TRUE(c.raft(follower).step(old_append).ok());
  // A delayed vote grant and append response to the current leader, from an older term.
  ASSERT_TRUE(c.raft(leader).step(msg(MessageType::kVoteResponse, follower, leader, term - 1)).ok());
  Message old_ack = msg(MessageType::kAppendResponse, follower, leader, term - 1);
  old_ack.index = 1000;
  ASSERT_TRUE(c.raft(leader).step(old_ack).ok());
  c.stabilize();

  EXPECT_EQ(c.leader(), leader);
  EXPECT_EQ(c.raft(leader).hard_state().term, term);
  EXPECT_EQ(c.raft(follower).hard_state().term, term);
  EXPECT_EQ(*c.storage(follower).entries(1, last + 1, UINT64_MAX), log);
  for (const auto& p : c.raft(leader).progress()) EXPECT_LE(p.match, c.raft(leader).last_index());
  ASSERT_TRUE(c.raft(leader).propose("b").ok());
  c.stabilize();
  EXPECT_EQ(c.node(follower).applied.back().data, "b");
  EXPECT_EQ(c.node(1).applied.back().data, "b");
}

TEST(RaftRobustness, TornOrCorruptStoredEntryIsDetectedNotOverwritten) {
  Cluster c({1, 2, 3});
  c.elect(1);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(c.raft(1).propose("v" + std::to_string(i)).ok());
  c.stabilize();
  const Index damaged = c.storage(2).last_index();
  ASSERT_TRUE(c.storage(2).corrupt_entry(damaged).ok());
  // The next append is checked against the damaged entry (§5.3 consistency check).
  ASSERT_TRUE(c.raft(1).propose("next").ok());
  c.stabilize();
  EXPECT_EQ(c.raft(2).failure().code(), "corruption");
  EXPECT_FALSE(c.raft(2).has_ready()) << "a node on a damaged log must persist and send nothing";
  EXPECT_EQ(c.raft(2).step(msg(MessageType::kHeartbeat, 1, 2, 1)).code(), "corruption");
  EXPECT_EQ(c.storage(2).term(damaged).status().code(), "corruption") << "never repaired quietly";
  // The other two carry on.
  EXPECT_EQ(c.node(3).applied.back().data, "next");
  // Restarting on the damaged log fails loudly too: its committed entries cannot be read.
  c.storage(2).sync();
  Config cfg = c.config_for(2);
  auto reopened = RaftNode::create(cfg, c.storage(2));
  if (reopened.ok()) {
    EXPECT_EQ((*reopened)->ready().committed_entries.size(), 0u);
    EXPECT_EQ((*reopened)->failure().code(), "corruption");
  } else {
    EXPECT_EQ(reopened.status().code(), "corruption");
  }
}

TEST(RaftRobustness, CommittedEntriesAreNeverOverwritten) {
  Cluster c({1, 2, 3});
  c.elect(1);
  ASSERT_TRUE(c.raft(1).propose("a").ok());
  c.stabilize();
  Term term = c.raft(2).hard_state().term;
  Message app = msg(MessageType::kAppend, 1, 2, term);
  app.index = 1;
  app.log_term = term;
  app.commit = 1;
  app.entries = {{term, 2, EntryType::kNormal, "rewritten"}};
  c.raft(2).step(app);
  c.stabilize();
  EXPECT_EQ(c.node(2).applied.back().data, "a");
}

TEST(RaftRobustness, RandomGarbageDoesNotCrashAndClusterRecovers) {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    Cluster c({1, 2, 3});
    c.elect(1);
    std::mt19937_64 rng(seed);
    auto pick = [&](uint64_t n) { return rng() % n; };
    for (int i = 0; i < 3000; ++i) {
      Message m;
      m.type = static_cast<MessageType>(pick(14));
      m.from = pick(5);
      m.to = 1 + pick(3);
      m.term = pick(4) == 0 ? rng() : c.raft(m.to).hard_state().term + pick(3) - 1;
      m.index = pick(4) == 0 ? rng() : pick(20);
      m.log_term = pick(5);
      m.commit = pick(4) == 0 ? rng() : pick(20);
      m.reject = pick(2);
      m.reject_hint = pick(3) == 0 ? rng() : pick(20);
      m.hint_term = pick(5);
      size_t n = pick(4);
      for (size_t k = 0; k < n; ++k) {
        Index idx = pick(3) == 0 ? rng() : m.index + 1 + k;
        m.entries.push_back({pick(5), idx, static_cast<EntryType>(pick(3)), "g"});
      }
      m.snapshot.index = pick(20);
      m.snapshot.term = pick(5);
      m.snapshot.conf.voters = {1 + pick(3)};
      m.snapshot_size = pick(30);
      m.snapshot_offset = pick(30);
      m.snapshot_chunk = std::string(pick(12), 's');
      m.context = pick(2) ? "" : "ctx";
      c.raft(m.to).step(m);
      if (i % 7 == 0) c.raft(1 + pick(3)).tick();
      if (i % 5 == 0) {
        for (NodeId id : c.ids()) c.process_ready(id);
        c.queue.clear();
      }
    }
    // Once the garbage stops, the honest cluster elects a leader and makes progress again.
    c.queue.clear();
    c.tick_all(100);
    NodeId leader = c.leader();
    ASSERT_NE(leader, kNoNode) << "seed " << seed;
    ASSERT_TRUE(c.raft(leader).propose("alive").ok());
    c.tick_all(5);
    EXPECT_EQ(c.node(leader).applied.back().data, "alive") << "seed " << seed;
  }
}

}  // namespace
}  // namespace medtrail::consensus::raft_test
