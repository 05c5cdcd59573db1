// Snapshot transfer in bounded, resumable chunks.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "consensus/raft_test_cluster.h"

namespace medtrail::consensus::raft_test {
namespace {

// Leader 1 with node 3 far behind a compacted log.
void lag_and_compact(Cluster& c, const std::string& image) {
  c.elect(1);
  c.isolate(3);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(c.raft(1).propose("v" + std::to_string(i)).ok());
  c.stabilize();
  Index applied = c.raft(1).applied();
  ASSERT_TRUE(c.storage(1).create_snapshot(applied, c.raft(1).conf_state(), image).ok());
  c.node(3).applied.clear();  // from here on, only what the snapshot does not cover
}

TEST(RaftSnapshot, LaggingFollowerCatchesUpThroughChunksDespiteALostChunk) {
  Cluster c({1, 2, 3}, [](Config& cfg) { cfg.snapshot_chunk_bytes = 100; });
  std::string image(1050, 'i');
  for (size_t i = 0; i < image.size(); ++i) image[i] = static_cast<char>('a' + i % 26);
  lag_and_compact(c, image);
  Index snap_index = c.raft(1).applied();

  int chunks = 0;
  bool dropped = false;
  c.drop_if = [&](const Message& m) {
    if (m.type != MessageType::kSnapshotChunk) return false;
    ++chunks;
    if (m.snapshot_offset == 300 && !dropped) return dropped = true;  // lose one chunk once
    return false;
  };
  c.tick_all(40);
  EXPECT_TRUE(dropped);
  EXPECT_GE(chunks, 12);  // 11 chunks plus at least the resent one
  EXPECT_EQ(c.node(3).snapshot_applied, snap_index);
  auto snap = c.storage(3).snapshot();
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->data, image);
  EXPECT_EQ(snap->meta.index, snap_index);
  ASSERT_TRUE(c.raft(1).propose("after").ok());
  c.stabilize();
  EXPECT_EQ(c.raft(3).hard_state().commit, c.raft(1).hard_state().commit);
  ASSERT_FALSE(c.node(3).applied.empty());
  EXPECT_EQ(c.node(3).applied.front().index, snap_index + 1);  // nothing before the snapshot
  EXPECT_EQ(c.node(3).applied.back().data, "after");
}

TEST(RaftSnapshot, CompactionWhileFollowerIsSlowForcesSnapshot) {
  Cluster c({1, 2, 3});
  lag_and_compact(c, "image");
  const Index snap_index = c.raft(1).applied();
  ASSERT_GT(snap_index, c.storage(3).last_index()) << "the entries 3 needs are compacted away";
  c.heal();
  c.tick_all(3);
  ASSERT_EQ(c.node(3).snapshots, std::vector<Index>{snap_index});
  EXPECT_GT(c.delivered[MessageType::kSnapshotChunk], 0);
  EXPECT_EQ(c.storage(3).snapshot()->data, "image");
  ASSERT_TRUE(c.raft(1).propose("after").ok());
  c.stabilize();
  EXPECT_EQ(c.node(3).applied.back().data, "after");
  EXPECT_EQ(c.storage(3).last_index(), c.storage(1).last_index());
}

TEST(RaftSnapshot, OutOfOrderChunkAsksToResumeFromHeldBytes) {
  Cluster c({1, 2, 3});
  Message chunk = msg(MessageType::kSnapshotChunk, 1, 2, 1);
  chunk.snapshot = SnapshotMeta{5, 1, ConfState{{1, 2, 3}, {}}};
  chunk.snapshot_size = 10;
  chunk.snapshot_offset = 0;
  chunk.snapshot_chunk = "01234";
  ASSERT_TRUE(c.raft(2).step(chunk).ok());
  chunk.snapshot_offset = 7;  // bytes 5..6 went missing
  chunk.snapshot_chunk = "789";
  ASSERT_TRUE(c.raft(2).step(chunk).ok());
  Ready rd = c.raft(2).ready();
  ASSERT_EQ(rd.messages.size(), 2u);
  EXPECT_FALSE(rd.messages[0].reject);
  EXPECT_EQ(rd.messages[0].snapshot_offset, 5u);
  EXPECT_TRUE(rd.messages[1].reject);
  EXPECT_EQ(rd.messages[1].snapshot_offset, 5u);
  EXPECT_FALSE(rd.snapshot.has_value());
  c.raft(2).advance(rd);

  chunk.snapshot_offset = 5;
  chunk.snapshot_chunk = "56789";
  ASSERT_TRUE(c.raft(2).step(chunk).ok());
  rd = c.raft(2).ready();
  ASSERT_TRUE(rd.snapshot.has_value());
  EXPECT_EQ(rd.snapshot->data, "0123456789");
  EXPECT_TRUE(rd.entries.empty());
  ASSERT_EQ(rd.messages.size(), 1u);
  EXPECT_EQ(rd.messages[0].snapshot_offset, 10u);
  EXPECT_EQ(rd.messages[0].index, 5u);
  c.raft(2).advance(rd);
  EXPECT_EQ(c.raft(2).applied(), 5u);
  EXPECT_EQ(c.raft(2).hard_state().commit, 5u);
}

TEST(RaftSnapshot, EntriesAfterASnapshotWaitForTheNextReady) {
  Cluster c({1, 2, 3});
  Message chunk = msg(MessageType::kSnapshotChunk, 1, 2, 2);
  chunk.snapshot = SnapshotMeta{5, 2, ConfState{{1, 2, 3}, {}}};
  chunk.snapshot_size = 3;
  chunk.snapshot_chunk = "abc";
  ASSERT_TRUE(c.raft(2).step(chunk).ok());
  Message app = msg(MessageType::kAppend, 1, 2, 2);
  app.index = 5;
  app.log_term = 2;
  app.commit = 7;
  app.entries = {{2, 6, EntryType::kNormal, "f"}, {2, 7, EntryType::kNormal, "g"}};
  ASSERT_TRUE(c.raft(2).step(app).ok());
  EXPECT_EQ(c.raft(2).hard_state().commit, 7u);
  Ready first = c.raft(2).ready();
  ASSERT_TRUE(first.snapshot.has_value());
  EXPECT_TRUE(first.entries.empty());
  ASSERT_TRUE(first.hard_state.has_value());
  EXPECT_EQ(first.hard_state->commit, 5u);  // never beyond what this Ready makes durable
  EXPECT_TRUE(first.messages.empty());      // the append ack waits for its entries
  EXPECT_FALSE(c.raft(2).has_ready());      // nothing more until the snapshot is durable
  c.storage(2).set_hard_state(*first.hard_state);
  c.storage(2).apply_snapshot(*first.snapshot);
  c.raft(2).advance(first);
  EXPECT_TRUE(c.raft(2).has_ready());
  c.process_ready(2);
  const Ready& second = c.node(2).readies.back();
  ASSERT_EQ(second.entries.size(), 2u);
  ASSERT_EQ(second.messages.size(), 2u);
  EXPECT_EQ(second.messages[1].index, 7u);
  ASSERT_TRUE(second.hard_state.has_value());
  EXPECT_EQ(second.hard_state->commit, 7u);
  c.stabilize();
  ASSERT_EQ(c.node(2).applied.size(), 2u);
  EXPECT_EQ(c.node(2).applied[0].index, 6u);
}

TEST(RaftSnapshot, MalformedChunkIsRefused) {
  Cluster c({1, 2, 3});
  Message chunk = msg(MessageType::kSnapshotChunk, 1, 2, 1);
  chunk.snapshot = SnapshotMeta{5, 1, ConfState{{1, 2, 3}, {}}};
  chunk.snapshot_size = 3;
  chunk.snapshot_chunk = "too long";
  EXPECT_EQ(c.raft(2).step(chunk).code(), "invalid");
  chunk.snapshot_chunk = "abc";
  chunk.snapshot.conf = ConfState{{3, 1}, {}};
  EXPECT_EQ(c.raft(2).step(chunk).code(), "invalid");
}

TEST(RaftSnapshot, NewLeaderRestartsTheTransfer) {
  Cluster c({1, 2, 3}, [](Config& cfg) { cfg.snapshot_chunk_bytes = 10; });
  Message chunk = msg(MessageType::kSnapshotChunk, 1, 3, 2);
  chunk.snapshot = SnapshotMeta{5, 1, ConfState{{1, 2, 3}, {}}};
  chunk.snapshot_size = 20;
  chunk.snapshot_chunk = std::string(10, 'a');
  ASSERT_TRUE(c.raft(3).step(chunk).ok());
  Message other = chunk;  // another leader, later term, continuing at offset 10
  other.from = 2;
  other.term = 3;
  other.snapshot_offset = 10;
  ASSERT_TRUE(c.raft(3).step(other).ok());
  Ready rd = c.raft(3).ready();
  ASSERT_EQ(rd.messages.size(), 2u);
  EXPECT_TRUE(rd.messages[1].reject);
  EXPECT_EQ(rd.messages[1].snapshot_offset, 0u);
  c.raft(3).advance(rd);
}

// Config::accept_snapshot: the state machine's say before a snapshot replaces the log.

Message whole_snapshot(NodeId to, std::string image) {
  Message chunk = msg(MessageType::kSnapshotChunk, 1, to, 1);
  chunk.snapshot = SnapshotMeta{5, 1, ConfState{{1, 2, 3}, {}}};
  chunk.snapshot_size = image.size();
  chunk.snapshot_chunk = std::move(image);
  return chunk;
}

TEST(RaftSnapshot, RefusedSnapshotLeavesTheLogUntouchedAndAsksTheLeaderToStartOver) {
  std::vector<Snapshot> offered;
  Cluster c({1, 2, 3}, [&](Config& cfg) {
    cfg.accept_snapshot = [&offered](const Snapshot& s) {
      offered.push_back(s);
      return s.data != "bad image";
    };
  });
  EXPECT_EQ(c.raft(2).step(whole_snapshot(2, "bad image")).code(), "invalid");
  ASSERT_EQ(offered.size(), 1u);
  EXPECT_EQ(offered[0].data, "bad image") << "offered whole, once every chunk is in";
  EXPECT_EQ(offered[0].meta.index, 5u);
  EXPECT_EQ(c.raft(2).counters().snapshots_refused, 1u);
  Ready rd = c.raft(2).ready();
  EXPECT_FALSE(rd.snapshot.has_value());
  ASSERT_EQ(rd.messages.size(), 1u);
  EXPECT_EQ(rd.messages[0].type, MessageType::kSnapshotResponse);
  EXPECT_TRUE(rd.messages[0].reject);
  EXPECT_EQ(rd.messages[0].snapshot_offset, 0u);
  c.raft(2).advance(rd);
  EXPECT_EQ(c.raft(2).last_index(), 0u);
  EXPECT_EQ(c.raft(2).hard_state().commit, 0u);

  // The same transfer again, with an image the state machine accepts.
  ASSERT_TRUE(c.raft(2).step(whole_snapshot(2, "good image")).ok());
  rd = c.raft(2).ready();
  ASSERT_TRUE(rd.snapshot.has_value());
  EXPECT_EQ(rd.snapshot->data, "good image");
  c.raft(2).advance(rd);
  EXPECT_EQ(c.raft(2).hard_state().commit, 5u);
}

TEST(RaftSnapshot, LeaderResendsARefusedSnapshotOnlyAfterItsResendTimeout) {
  int refusals_left = 2;
  std::vector<int> chunk_ticks;  // when each first chunk of a transfer was sent
  int ticks = 0;
  Cluster c({1, 2, 3}, [&](Config& cfg) {
    if (cfg.id == 3) {
      cfg.accept_snapshot = [&refusals_left](const Snapshot&) { return refusals_left-- <= 0; };
    }
  });
  lag_and_compact(c, "image");
  const Index snap_index = c.raft(1).applied();
  c.heal();
  c.drop_if = [&](const Message& m) {
    if (m.type == MessageType::kSnapshotChunk && m.snapshot_offset == 0) {
      chunk_ticks.push_back(ticks);
    }
    return false;
  };
  for (; ticks < 60 && c.node(3).snapshots.empty(); ++ticks) c.tick_all(1);
  ASSERT_EQ(c.node(3).snapshots, std::vector<Index>{snap_index});
  EXPECT_EQ(c.raft(3).counters().snapshots_refused, 2u);
  ASSERT_EQ(chunk_ticks.size(), 3u) << "two refused transfers, then the accepted one";
  const int resend_after = std::max(2 * 1, 10 / 2);
  for (size_t i = 1; i < chunk_ticks.size(); ++i) {
    EXPECT_GE(chunk_ticks[i] - chunk_ticks[i - 1], resend_after - 1)
        << "a refused image is not streamed back to back";
  }
  ASSERT_TRUE(c.raft(1).propose("after").ok());
  c.stabilize();
  EXPECT_EQ(c.node(3).applied.back().data, "after");
}

}  // namespace
}  // namespace medtrail::consensus::raft_test
