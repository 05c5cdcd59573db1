// Config::snapshot_io: images that live outside Snapshot::data (the node keeps them in files).
// The core must read every chunk through it, receive every chunk into it, hand the driver the
// reference it returns, and never hold an image itself.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "consensus/raft_test_cluster.h"
#include "medtrail/consensus/snapshot_io.h"

namespace medtrail::consensus::raft_test {
namespace {

// Images in a map, Snapshot::data a "ref:N" key into it; a stand-in for files on disk.
class FakeFiles final : public SnapshotIo {
 public:
  std::map<std::string, std::string> images;
  std::vector<std::string> discarded;
  int reads = 0;
  int failing_reads = 0;     // the next this many reads fail
  bool refuse_begin = false;  // no room for a transfer

  Result<uint64_t> size(const Snapshot& snapshot) override {
    auto it = images.find(snapshot.data);
    if (it == images.end()) return Status::error("not_found", "no image " + snapshot.data);
    return it->second.size();
  }
  Result<std::string> read(const Snapshot& snapshot, uint64_t offset, uint64_t max_bytes) override {
    ++reads;
    if (failing_reads > 0) {
      --failing_reads;
      return Status::error("io_error", "read failed");
    }
    return images.at(snapshot.data).substr(offset, max_bytes);
  }
  Status begin_receive(const SnapshotMeta&, uint64_t) override {
    if (refuse_begin) return Status::error("no_space", "no room");
    receiving = std::string();
    return Status();
  }
  Status receive(std::string_view chunk) override {
    receiving->append(chunk);
    return Status();
  }
  Result<std::string> finish_receive() override {
    std::string ref = "ref:" + std::to_string(next_ref++);
    images[ref] = std::move(*receiving);
    receiving.reset();
    return ref;
  }
  void discard(const std::string& data) override {
    discarded.push_back(data);
    images.erase(data);
  }
  void abort_receive() override { receiving.reset(); }

  std::optional<std::string> receiving;
  int next_ref = 100;
};

struct FilesCluster {
  std::map<NodeId, std::shared_ptr<FakeFiles>> files;
  Cluster c;

  explicit FilesCluster(std::function<void(Config&)> tweak = {})
      : files{{1, std::make_shared<FakeFiles>()},
              {2, std::make_shared<FakeFiles>()},
              {3, std::make_shared<FakeFiles>()}},
        c({1, 2, 3}, [this, tweak](Config& cfg) {
          cfg.snapshot_io = files.at(cfg.id);
          cfg.snapshot_chunk_bytes = 100;
          if (tweak) tweak(cfg);
        }) {}

  // Leader 1 takes a snapshot (its image in its files as "ref:1") while 3 is cut off.
  Index lag_and_compact(const std::string& image) {
    c.elect(1);
    c.isolate(3);
    for (int i = 0; i < 10; ++i) EXPECT_TRUE(c.raft(1).propose("v" + std::to_string(i)).ok());
    c.stabilize();
    const Index applied = c.raft(1).applied();
    files.at(1)->images["ref:1"] = image;
    EXPECT_TRUE(c.storage(1).create_snapshot(applied, c.raft(1).conf_state(), "ref:1").ok());
    return applied;
  }
};

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

TEST(RaftSnapshotIo, ImagesMoveThroughTheIoAndTheDriverGetsTheFollowersReference) {
  FilesCluster f;
  const std::string image = pattern(1050);
  const Index snap_index = f.lag_and_compact(image);
  std::vector<size_t> chunk_sizes;
  f.c.drop_if = [&](const Message& m) {
    if (m.type == MessageType::kSnapshotChunk) chunk_sizes.push_back(m.snapshot_chunk.size());
    return false;
  };
  f.c.tick_all(20);
  ASSERT_EQ(f.c.node(3).snapshots, std::vector<Index>{snap_index});
  EXPECT_EQ(chunk_sizes.size(), 11u);
  EXPECT_EQ(f.files.at(1)->reads, 11) << "one read per chunk, nothing read whole";
  auto stored = f.c.storage(3).snapshot();
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->data, "ref:100") << "the follower's own reference, not the leader's";
  EXPECT_EQ(f.files.at(3)->images.at("ref:100"), image);
  EXPECT_TRUE(f.files.at(3)->discarded.empty());
  ASSERT_TRUE(f.c.raft(1).propose("after").ok());
  f.c.stabilize();
  EXPECT_EQ(f.c.node(3).applied.back().data, "after");
}

TEST(RaftSnapshotIo, ARefusedImageIsDiscardedAndTheNextTransferSucceeds) {
  int refusals_left = 1;
  FilesCluster f([&](Config& cfg) {
    if (cfg.id == 3) cfg.accept_snapshot = [&](const Snapshot&) { return refusals_left-- <= 0; };
  });
  const Index snap_index = f.lag_and_compact(pattern(250));
  f.c.heal();
  f.c.tick_all(40);
  ASSERT_EQ(f.c.node(3).snapshots, std::vector<Index>{snap_index});
  EXPECT_EQ(f.files.at(3)->discarded, std::vector<std::string>{"ref:100"});
  EXPECT_EQ(f.c.storage(3).snapshot()->data, "ref:101");
  EXPECT_EQ(f.files.at(3)->images.count("ref:100"), 0u);
}

TEST(RaftSnapshotIo, AFailedReadIsRetriedByTheResendTimer) {
  FilesCluster f;
  const std::string image = pattern(350);
  const Index snap_index = f.lag_and_compact(image);
  f.files.at(1)->failing_reads = 2;
  f.c.heal();
  f.c.tick_all(3);
  EXPECT_TRUE(f.c.node(3).snapshots.empty()) << "nothing could be read yet";
  f.c.tick_all(40);
  ASSERT_EQ(f.c.node(3).snapshots, std::vector<Index>{snap_index});
  EXPECT_EQ(f.files.at(3)->images.at(f.c.storage(3).snapshot()->data), image);
}

TEST(RaftSnapshotIo, AFollowerWithNoRoomRefusesUntilItHasRoom) {
  FilesCluster f;
  const Index snap_index = f.lag_and_compact(pattern(150));
  f.files.at(3)->refuse_begin = true;
  f.c.heal();
  f.c.tick_all(20);
  EXPECT_TRUE(f.c.node(3).snapshots.empty());
  EXPECT_FALSE(f.files.at(3)->receiving.has_value());
  EXPECT_EQ(f.c.raft(3).counters().snapshots_refused, 0u) << "a local failure, not a bad image";
  f.files.at(3)->refuse_begin = false;
  f.c.tick_all(20);
  ASSERT_EQ(f.c.node(3).snapshots, std::vector<Index>{snap_index});
}

TEST(RaftSnapshotIo, AnUnfinishedTransferIsAbortedWhenAnotherLeaderStartsOne) {
  FilesCluster f;
  Message chunk = msg(MessageType::kSnapshotChunk, 1, 3, 2);
  chunk.snapshot = SnapshotMeta{5, 1, ConfState{{1, 2, 3}, {}}};
  chunk.snapshot_size = 20;
  chunk.snapshot_chunk = std::string(10, 'a');
  ASSERT_TRUE(f.c.raft(3).step(chunk).ok());
  EXPECT_EQ(f.files.at(3)->receiving, std::string(10, 'a'));
  Message other = chunk;  // a later leader's transfer, from the start
  other.from = 2;
  other.term = 3;
  other.snapshot_chunk = std::string(10, 'b');
  ASSERT_TRUE(f.c.raft(3).step(other).ok());
  EXPECT_EQ(f.files.at(3)->receiving, std::string(10, 'b')) << "the first transfer's bytes are gone";
}

}  // namespace
}  // namespace medtrail::consensus::raft_test
