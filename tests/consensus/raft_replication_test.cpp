// Log replication and the commit rules.

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>

#include "consensus/raft_test_cluster.h"

namespace medtrail::consensus::raft_test {
namespace {

std::vector<Term> repeat(Term term, size_t n, std::vector<Term> prefix = {}) {
  prefix.insert(prefix.end(), n, term);
  return prefix;
}

TEST(RaftReplication, ReplicatesAndCommitsAcrossThreeNodes) {
  Cluster c({1, 2, 3});
  c.elect(1);
  for (std::string d : {"a", "b", "c"}) ASSERT_TRUE(c.raft(1).propose(d).ok());
  c.stabilize();
  for (NodeId id : c.ids()) {
    ASSERT_EQ(c.node(id).applied.size(), 4u) << "node " << id;
    EXPECT_EQ(c.node(id).applied[3].data, "c");
    EXPECT_EQ(c.raft(id).hard_state().commit, 4u);
  }
  EXPECT_EQ(c.raft(2).propose("x").code(), "not_leader");
}

TEST(RaftReplication, OldTermEntryIsNotCommittedByCounting) {
  // Raft §5.4.2, Figure 8: entry 2 (term 2) on a majority does not commit until an entry of
  // the leader's own term does.
  Cluster c({1, 2, 3}, [](Config& cfg) { cfg.pre_vote = false; });
  write_log(c.storage(1), {1, 2}, 2, 1);
  write_log(c.storage(2), {1}, 2, 1);
  write_log(c.storage(3), {1}, 2, 1);
  for (NodeId id : c.ids()) c.restart(id, 0);
  c.drop_if = [](const Message& m) { return m.to == 3 || m.type == MessageType::kAppend; };
  c.elect(1);
  ASSERT_EQ(c.raft(1).soft_state().role, Role::kLeader);
  Term term = c.raft(1).hard_state().term;
  c.queue.clear();

  Message ack = msg(MessageType::kAppendResponse, 2, 1, term);
  ack.index = 2;  // node 2 now holds entry 2 (term 2): on a majority with the leader
  ASSERT_TRUE(c.raft(1).step(ack).ok());
  EXPECT_EQ(c.raft(1).hard_state().commit, 1u);
  ack.index = 3;  // and the leader's no-op of the current term
  ASSERT_TRUE(c.raft(1).step(ack).ok());
  EXPECT_EQ(c.raft(1).hard_state().commit, 3u);
}

TEST(RaftReplication, LeaderCountsOnlyItsDurableEntries) {
  Cluster c({1, 2, 3});
  c.elect(1);
  ASSERT_TRUE(c.raft(1).propose("x").ok());
  Index last = c.raft(1).last_index();
  Message ack = msg(MessageType::kAppendResponse, 2, 1, c.raft(1).hard_state().term);
  ack.index = last;
  ASSERT_TRUE(c.raft(1).step(ack).ok());
  EXPECT_LT(c.raft(1).hard_state().commit, last);  // "x" is not yet on the leader's disk
  c.process_ready(1);
  EXPECT_EQ(c.raft(1).hard_state().commit, last);
}

TEST(RaftReplication, FollowerWithConflictingSuffixIsRepaired) {
  Cluster c({1, 2, 3}, [](Config& cfg) { cfg.pre_vote = false; });
  write_log(c.storage(1), {1, 1, 3, 3}, 3, 2);
  write_log(c.storage(2), {1, 1, 3, 3}, 3, 2);
  write_log(c.storage(3), {1, 1, 2, 2, 2, 2}, 2, 2);
  for (NodeId id : c.ids()) c.restart(id, 0);
  c.elect(1);
  ASSERT_EQ(c.leader(), 1u);
  ASSERT_TRUE(c.raft(1).propose("new").ok());
  c.stabilize();
  ASSERT_EQ(c.storage(3).last_index(), c.storage(1).last_index());
  auto leader_log = c.storage(1).entries(1, c.storage(1).last_index() + 1, UINT64_MAX);
  auto follower_log = c.storage(3).entries(1, c.storage(3).last_index() + 1, UINT64_MAX);
  ASSERT_TRUE(leader_log.ok() && follower_log.ok());
  EXPECT_EQ(*leader_log, *follower_log);
  EXPECT_EQ(c.raft(3).hard_state().commit, c.raft(1).hard_state().commit);
}

TEST(RaftReplication, FastBacktrackingReducesRoundTrips) {
  Cluster c({1, 2, 3}, [](Config& cfg) { cfg.pre_vote = false; });
  write_log(c.storage(1), repeat(3, 50, {1}), 3, 1);
  write_log(c.storage(2), repeat(3, 50, {1}), 3, 1);
  write_log(c.storage(3), repeat(2, 100, {1}), 2, 1);
  for (NodeId id : c.ids()) c.restart(id, 0);
  int rejections = 0;
  c.drop_if = [&](const Message& m) {
    if (m.type == MessageType::kAppendResponse && m.reject && m.from == 3) ++rejections;
    return false;
  };
  c.elect(1);
  ASSERT_EQ(c.leader(), 1u);
  EXPECT_EQ(c.storage(3).last_index(), c.storage(1).last_index());
  EXPECT_EQ(c.storage(3).term(51).value(), 3u);
  // One entry at a time would take ~100 rejections; the term hints need a couple.
  EXPECT_LE(rejections, 3);
}

TEST(RaftReplication, CommittedEntriesAreDeliveredOnceAndInOrder) {
  Cluster c({1, 2, 3});
  c.elect(1);
  for (int round = 0; round < 20; ++round) {
    if (round == 5) c.isolate(3);
    if (round == 12) c.heal();
    ASSERT_TRUE(c.raft(1).propose("r" + std::to_string(round)).ok());
    c.tick_all();
  }
  c.tick_all(5);
  for (NodeId id : c.ids()) {
    const auto& applied = c.node(id).applied;
    ASSERT_EQ(applied.size(), 21u) << "node " << id;
    for (size_t i = 0; i < applied.size(); ++i) {
      EXPECT_EQ(applied[i].index, i + 1);
      EXPECT_EQ(applied[i], c.node(1).applied[i]);
    }
  }
}

TEST(RaftReplication, RestartWithAppliedSkipsAppliedEntries) {
  Cluster c({1, 2, 3});
  c.elect(1);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(c.raft(1).propose("v" + std::to_string(i)).ok());
  c.stabilize();
  ASSERT_EQ(c.raft(2).hard_state().commit, 6u);
  c.restart(2, 3);
  c.tick_all(3);
  const auto& applied = c.node(2).applied;
  ASSERT_EQ(applied.size(), 3u);
  EXPECT_EQ(applied.front().index, 4u);
  EXPECT_EQ(applied.back().index, 6u);
  EXPECT_EQ(c.raft(2).applied(), 6u);
}

TEST(RaftReplication, RestartRejectsAppliedBeyondCommit) {
  auto storage = make_storage(ConfState{{1}, {}});
  Config cfg;
  cfg.id = 1;
  cfg.applied = 5;
  EXPECT_EQ(RaftNode::create(cfg, *storage).status().code(), "invalid");
}

TEST(RaftReplication, UncommittedBytesLimitDropsProposals) {
  Cluster c({1, 2, 3}, [](Config& cfg) { cfg.max_uncommitted_bytes = 100; });
  c.elect(1);
  c.drop_if = [](const Message& m) { return m.from != 1 && m.to == 1; };
  EXPECT_TRUE(c.raft(1).propose(std::string(60, 'a')).ok());
  EXPECT_EQ(c.raft(1).propose(std::string(60, 'b')).code(), "dropped");
  EXPECT_TRUE(c.raft(1).propose(std::string(40, 'c')).ok());
  c.stabilize();
  c.heal();
  c.tick_all(2);
  EXPECT_EQ(c.raft(1).hard_state().commit, c.raft(1).last_index());
  EXPECT_TRUE(c.raft(1).propose(std::string(90, 'd')).ok());
}

TEST(RaftReplication, AppendsRespectMaxMessageBytes) {
  Cluster c({1, 2, 3}, [](Config& cfg) { cfg.max_message_bytes = 10; });
  c.elect(1);
  c.isolate(2);
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(c.raft(1).propose("123456").ok());
  c.stabilize();
  c.heal();
  c.node(1).readies.clear();
  c.tick_all(10);
  int appends = 0;
  for (const Ready& rd : c.node(1).readies) {
    for (const Message& m : rd.messages) {
      if (m.type != MessageType::kAppend || m.entries.size() < 2) continue;
      uint64_t bytes = 0;
      for (const Entry& e : m.entries) bytes += e.data.size();
      EXPECT_LE(bytes, 10u);
      ++appends;
    }
  }
  EXPECT_EQ(c.storage(2).last_index(), c.storage(1).last_index());
}

TEST(RaftReplication, InflightWindowBoundsPipelining) {
  Cluster c({1, 2, 3}, [](Config& cfg) { cfg.max_inflight_messages = 2; });
  c.elect(1);
  c.drop_if = [](const Message& m) { return m.from == 2; };  // 2's acks are lost
  int sent_to_2 = 0;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(c.raft(1).propose("x").ok());
    c.process_ready(1);
    for (const Message& m : c.queue) {
      if (m.to == 2 && m.type == MessageType::kAppend && !m.entries.empty()) ++sent_to_2;
    }
    c.queue.clear();
  }
  EXPECT_EQ(sent_to_2, 2);
}

TEST(RaftReplication, FollowerWithMissingSuffixIsRepaired) {
  Cluster c({1, 2, 3}, [](Config& cfg) { cfg.pre_vote = false; });
  write_log(c.storage(1), {1, 1, 2, 2, 2}, 2, 2);
  write_log(c.storage(2), {1, 1, 2, 2, 2}, 2, 2);
  write_log(c.storage(3), {1, 1}, 2, 2);
  for (NodeId id : c.ids()) c.restart(id, 0);
  c.elect(1);
  ASSERT_EQ(c.leader(), 1u);
  c.stabilize();
  EXPECT_EQ(c.storage(3).last_index(), c.storage(1).last_index());
  EXPECT_EQ(*c.storage(3).entries(1, 7, UINT64_MAX), *c.storage(1).entries(1, 7, UINT64_MAX));
}

TEST(RaftReplication, FollowerWithExtraSuffixIsRepaired) {
  // Node 3 led term 2 and appended entries nobody else has; they were never committed.
  Cluster c({1, 2, 3}, [](Config& cfg) { cfg.pre_vote = false; });
  write_log(c.storage(1), {1, 1, 3}, 3, 2);
  write_log(c.storage(2), {1, 1, 3}, 3, 2);
  write_log(c.storage(3), {1, 1, 2, 2, 2, 2, 2, 2}, 2, 2);
  for (NodeId id : c.ids()) c.restart(id, 0);
  c.elect(1);
  ASSERT_EQ(c.leader(), 1u);
  c.stabilize();
  ASSERT_EQ(c.storage(3).last_index(), c.storage(1).last_index());
  EXPECT_EQ(c.storage(3).last_index(), 4u);  // 1, 1, 3, and the new leader's no-op
  EXPECT_EQ(*c.storage(3).entries(1, 5, UINT64_MAX), *c.storage(1).entries(1, 5, UINT64_MAX));
  for (const Entry& e : c.node(3).applied) EXPECT_NE(e.term, 2u) << "applied a dead entry";
}

TEST(RaftReplication, UnsyncedTailLostOnCrashWasNeverAcknowledged) {
  Cluster c({1, 2, 3});
  c.elect(1);
  c.isolate(3);  // node 2 alone makes the majority with the leader
  ASSERT_TRUE(c.raft(1).propose("x").ok());
  const Index x = c.raft(1).last_index();
  c.process_ready(1);
  c.deliver_pending();
  // Node 2 writes "x" but loses power before the sync that would precede its ack.
  Ready rd = c.raft(2).ready();
  ASSERT_FALSE(rd.entries.empty());
  c.storage(2).append(rd.entries);
  c.crash(2);
  EXPECT_LT(c.storage(2).last_index(), x);
  EXPECT_LT(c.raft(1).hard_state().commit, x) << "committed on the strength of a lost write";
  // Once node 2 stores "x" durably and says so, "x" commits; node 2 has it on disk.
  c.tick_all(3);
  EXPECT_GE(c.raft(1).hard_state().commit, x);
  EXPECT_GE(c.storage(2).last_index(), x);
  // Synced, not merely written: what it acknowledged survives a second power cut (the commit
  // index it learnt after may not, and need not).
  c.crash(2);
  EXPECT_GE(c.storage(2).last_index(), x);
}

TEST(RaftReplication, FlowControlPausesAndResumes) {
  Cluster c({1, 2, 3}, [](Config& cfg) { cfg.max_inflight_messages = 2; });
  c.elect(1);
  std::deque<Message> held;  // node 2's acks, held back to make it look slow
  c.drop_if = [&](const Message& m) {
    if (m.from != 2 || m.type != MessageType::kAppendResponse) return false;
    held.push_back(m);
    return true;
  };
  int sent = 0;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(c.raft(1).propose("p" + std::to_string(i)).ok());
    c.process_ready(1);
    for (const Message& m : c.queue) sent += m.to == 2 && m.type == MessageType::kAppend;
    c.stabilize();
  }
  EXPECT_EQ(sent, 2) << "the window of two was full: further appends to 2 pause";
  EXPECT_LT(c.storage(2).last_index(), c.raft(1).last_index());
  // The acks arrive: the window opens and the rest flows.
  c.heal();
  for (Message& m : held) c.queue.push_back(std::move(m));
  c.stabilize();
  c.tick_all(2);
  EXPECT_EQ(c.storage(2).last_index(), c.raft(1).last_index());
  EXPECT_EQ(c.node(2).applied.back().data, "p9");
}

TEST(RaftReplication, CommittedEntriesPerReadyAreBounded) {
  Cluster c({1}, [](Config& cfg) { cfg.max_committed_bytes_per_ready = 250; });
  c.elect(1);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(c.raft(1).propose(std::string(100, 'a' + i)).ok());
  c.stabilize();
  ASSERT_EQ(c.node(1).applied.size(), 11u);
  size_t max_batch = 0;
  for (const Ready& rd : c.node(1).readies) {
    uint64_t bytes = 0;
    for (const Entry& e : rd.committed_entries) bytes += e.data.size();
    if (rd.committed_entries.size() > 1) {
      EXPECT_LE(bytes, 250u);
    }
    max_batch = std::max(max_batch, rd.committed_entries.size());
  }
  EXPECT_GE(max_batch, 2u);  // batched up to the bound, not one by one
}

TEST(RaftReplication, FollowerCommitIsBoundedByLastNewEntry) {
  Cluster c({1, 2, 3});
  Message app = msg(MessageType::kAppend, 1, 2, 1);
  app.entries = {{1, 1, EntryType::kNormal, "a"}, {1, 2, EntryType::kNormal, "b"}};
  app.commit = 50;
  ASSERT_TRUE(c.raft(2).step(app).ok());
  EXPECT_EQ(c.raft(2).hard_state().commit, 2u);
}

}  // namespace
}  // namespace medtrail::consensus::raft_test
