// The Raft driver with the real apply step and RocksDB log: records submitted on any node end
// in the same blocks on every node, and a node resumes from its own disk.

#include "core/raft_driver.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "medtrail/ledger/ledger_image.h"

#include "node_stack.h"
#include "support/poll.h"

namespace medtrail::node {
namespace {

using namespace std::chrono_literals;
using medtrail::testing::wait_until;
using testing::LocalNet;
using testing::NodeStack;
using TempDir = medtrail::testing::TempDir;

class RaftDriverTest : public ::testing::Test {
 protected:
  RaftDriverTest() : suite_(ledger::ed25519_sha256()), admin_(*suite_.generate_keypair()) {
    genesis_.organisations.push_back({"hosp-a", "Hospital A", {"hospital"}, admin_.public_key});
  }

  ledger::Envelope record(uint64_t nonce) {
    return medtrail::testing::make_admin_record(admin_, "hosp-a", nonce);
  }
  std::vector<ledger::Envelope> records(uint64_t first, size_t n) {
    return testing::admin_records(admin_, first, n);
  }

  std::unique_ptr<NodeStack> open(const std::string& id, const std::vector<std::string>& voters,
                                  testing::StackOptions options = {}) {
    if (!dirs_.count(id)) dirs_[id] = std::make_unique<TempDir>();
    return std::make_unique<NodeStack>((dirs_[id]->path() / "db").string(), id, voters, genesis_,
                                       net_, options);
  }

  // Three nodes that compact every 3 entries (in `nodes`, named `ids`). One, `down`, is stopped
  // while the leader commits 160 records and takes a snapshot, then started again: the entries
  // it lacks are gone from every log, so only the leader's image can catch it up.
  void restart_behind_a_snapshot(size_t& down) {
    options_.snapshot_every = 3;
    for (const auto& id : ids_) nodes_.push_back(open(id, ids_, options_));
    ASSERT_TRUE(wait_until([&] { return leader_of(nodes_) != nullptr; }, 10s));
    down = 0;
    while (nodes_[down]->driver->is_leader()) ++down;
    nodes_[down].reset();
    NodeStack* leader = leader_of(nodes_);
    ASSERT_NE(leader, nullptr);
    for (int i = 0; i < 8; ++i) leader->submit(records(100 * i, 20), true);
    // Images are exported off the driver thread: taken a moment after the entries apply.
    ASSERT_TRUE(wait_until([&] { return leader->driver->stats().snapshots_taken >= 1; }, 10s));
    nodes_[down] = open(ids_[down], ids_, options_);
  }

  // The files in node `id`'s snapshot directory.
  std::vector<std::filesystem::path> image_files(const std::string& id) {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dirs_.at(id)->path() / "db-snapshots")) {
      files.push_back(e.path());
    }
    return files;
  }

  NodeStack* leader_of(const std::vector<std::unique_ptr<NodeStack>>& nodes) {
    for (auto& n : nodes) {
      if (n && n->driver->is_leader()) return n.get();
    }
    return nullptr;
  }

  const ledger::CryptoSuite& suite_;
  ledger::KeyPair admin_;
  ledger::Genesis genesis_;
  LocalNet net_;
  std::map<std::string, std::unique_ptr<TempDir>> dirs_;
  // restart_behind_a_snapshot's cluster.
  const std::vector<std::string> ids_{"n1", "n2", "n3"};
  testing::StackOptions options_;
  std::vector<std::unique_ptr<NodeStack>> nodes_;
};

TEST_F(RaftDriverTest, SingleNodeElectsItselfAndCommitsWhatItAdmits) {
  auto node = open("n1", {"n1"});
  ASSERT_TRUE(wait_until([&] { return node->driver->is_leader(); }, 10s));
  auto statuses = node->submit(records(1, 3), /*wait=*/true);
  ASSERT_EQ(statuses.size(), 3u);
  for (const RecordStatus& s : statuses) {
    EXPECT_EQ(s.state, RecordState::kCommitted) << s.code << " " << s.message;
    EXPECT_GE(s.height, 1u);
  }
  EXPECT_EQ(node->store->tree_size(), 3u);
  EXPECT_EQ(node->driver->status().role, "leader");
  EXPECT_EQ(node->tracker.pending(), 0u);
}

TEST_F(RaftDriverTest, ThreeNodesBuildIdenticalChainsWhereverRecordsAreSubmitted) {
  std::vector<std::string> ids{"n1", "n2", "n3"};
  std::vector<std::unique_ptr<NodeStack>> nodes;
  for (const auto& id : ids) nodes.push_back(open(id, ids));
  ASSERT_TRUE(wait_until([&] { return leader_of(nodes) != nullptr; }, 10s));
  NodeStack* leader = leader_of(nodes);
  // Followers forward to the leader; every submitting node waits for its own apply.
  for (size_t round = 0; round < 3; ++round) {
    for (size_t i = 0; i < nodes.size(); ++i) {
      auto statuses = nodes[i]->submit(records(1000 * round + 100 * i, 50), true);
      for (const RecordStatus& s : statuses) {
        ASSERT_EQ(s.state, RecordState::kCommitted) << nodes[i]->id << ": " << s.message;
      }
    }
  }
  ASSERT_TRUE(wait_until([&] {
    for (auto& n : nodes) {
      if (n->store->tree_size() != 450) return false;
    }
    return true;
  }, 10s));
  for (auto& n : nodes) {
    EXPECT_EQ(n->store->height(), leader->store->height()) << n->id;
    EXPECT_EQ(n->store->tree_root(), leader->store->tree_root()) << n->id;
    EXPECT_EQ(n->store->last_block_hash(), leader->store->last_block_hash()) << n->id;
  }
}

// A sync costs milliseconds on the commit path: each node syncs a new entry once, and the
// commit index that follows it is written without another (it once cost every node a second).
TEST_F(RaftDriverTest, EachNodeSyncsAnEntryOnceAndItsCommitIndexNotAgain) {
  std::vector<std::string> ids{"n1", "n2", "n3"};
  std::vector<std::unique_ptr<NodeStack>> nodes;
  for (const auto& id : ids) nodes.push_back(open(id, ids));
  ASSERT_TRUE(wait_until([&] { return leader_of(nodes) != nullptr; }, 10s));
  auto all_applied = [&] {
    NodeStack* leader = leader_of(nodes);
    if (leader == nullptr) return false;
    const uint64_t last = leader->driver->status().last_index;
    for (auto& n : nodes) {
      if (n->driver->status().applied_index != last) return false;
    }
    return true;
  };
  auto terms = [&] {
    std::vector<uint64_t> t;
    for (auto& n : nodes) t.push_back(n->driver->status().term);
    return t;
  };
  // The nodes tick on the wall clock: an election on a loaded machine adds syncs of its own
  // (a new term, its first entry), so a round that saw one is measured again.
  uint64_t nonce = 1;
  for (int round = 0; round < 5; ++round) {
    NodeStack* leader = leader_of(nodes);
    ASSERT_NE(leader, nullptr);
    ASSERT_EQ(leader->submit(records(nonce++, 1), true)[0].state, RecordState::kCommitted);
    ASSERT_TRUE(wait_until(all_applied, 10s));  // settles the term: its first entry committed
    const std::vector<uint64_t> term = terms();
    std::vector<uint64_t> before;
    for (auto& n : nodes) before.push_back(n->driver->stats().syncs);
    const uint64_t last = leader->driver->status().last_index;

    ASSERT_EQ(leader->submit(records(nonce++, 1), true)[0].state, RecordState::kCommitted);
    ASSERT_TRUE(wait_until(all_applied, 10s));
    if (terms() != term) continue;
    ASSERT_EQ(leader->driver->status().last_index, last + 1);  // one entry
    for (size_t i = 0; i < nodes.size(); ++i) {
      EXPECT_EQ(nodes[i]->driver->stats().syncs - before[i], 1u) << nodes[i]->id;
    }
    return;
  }
  FAIL() << "an election in every one of 5 rounds";
}

// The commit index is written unsynced and the blocks applied under it after it in the same
// WAL; should a recovery keep a block but lose the commit index before it, the node starts
// with the commit index raised to what it applied (Raft refuses an applied index past commit).
TEST_F(RaftDriverTest, ACommitIndexBelowTheAppliedIndexIsRaisedToItAtStart) {
  std::vector<std::string> ids{"n1"};
  auto node = open("n1", ids);
  ASSERT_TRUE(wait_until([&] { return node->driver->is_leader(); }, 10s));
  ASSERT_EQ(node->submit(records(1, 5), true)[0].state, RecordState::kCommitted);
  const uint64_t applied = node->driver->status().applied_index;
  const uint64_t height = node->store->height();
  ASSERT_GT(applied, 1u);
  node.reset();
  {
    auto store = testing::open_test_store((dirs_["n1"]->path() / "db").string());
    auto storage = consensus::RocksDbLogStorage::open(
        store->db(), store->column_family(ledger::ColumnFamily::kRaftLog),
        store->column_family(ledger::ColumnFamily::kRaftState));
    ASSERT_TRUE(storage.ok());
    auto initial = (*storage)->initial_state();
    ASSERT_TRUE(initial.ok());
    consensus::HardState lost = initial->hard_state;
    ASSERT_GE(lost.commit, applied);
    lost.commit = 1;
    ASSERT_TRUE((*storage)->set_hard_state(lost).ok());
    ASSERT_TRUE((*storage)->sync().ok());
  }

  node = open("n1", ids);
  EXPECT_GE(node->driver->status().applied_index, applied);
  EXPECT_EQ(node->driver->status().commit_index, node->driver->status().applied_index);
  EXPECT_GE(node->store->height(), height);
  ASSERT_TRUE(wait_until([&] { return node->driver->is_leader(); }, 10s));
  EXPECT_EQ(node->submit(records(100, 1), true)[0].state, RecordState::kCommitted);
}

TEST_F(RaftDriverTest, ResubmittingACommittedRecordAnswersTheExistingLeaf) {
  auto node = open("n1", {"n1"});
  ASSERT_TRUE(wait_until([&] { return node->driver->is_leader(); }, 10s));
  auto first = node->submit({record(7)}, true);
  ASSERT_EQ(first[0].state, RecordState::kCommitted);
  for (int i = 0; i < 100; ++i) {
    auto again = node->submit({record(7)}, i % 2 == 0);
    ASSERT_EQ(again[0].state, RecordState::kDuplicate);
    EXPECT_EQ(again[0].height, first[0].height);
    EXPECT_EQ(again[0].leaf_index, first[0].leaf_index);
  }
  EXPECT_EQ(node->store->tree_size(), 1u);
}

TEST_F(RaftDriverTest, NodeRestartsFromItsOwnDiskWithoutReapplying) {
  std::vector<std::string> ids{"n1"};
  auto node = open("n1", ids);
  ASSERT_TRUE(wait_until([&] { return node->driver->is_leader(); }, 10s));
  node->submit(records(1, 20), true);
  const uint64_t height = node->store->height();
  const ledger::Hash root = node->store->tree_root();
  const uint64_t applied = node->driver->status().applied_index;
  node.reset();

  node = open("n1", ids);
  EXPECT_EQ(node->driver->status().applied_index, applied);
  EXPECT_EQ(node->store->height(), height);
  ASSERT_TRUE(wait_until([&] { return node->driver->is_leader(); }, 10s));
  auto more = node->submit(records(100, 5), true);
  EXPECT_EQ(more[0].state, RecordState::kCommitted);
  EXPECT_EQ(node->store->tree_size(), 25u);
  EXPECT_EQ(*node->store->root_at(20), root);
}

TEST_F(RaftDriverTest, FollowerThatMissedBlocksCatchesUpByLog) {
  std::vector<std::string> ids{"n1", "n2", "n3"};
  std::vector<std::unique_ptr<NodeStack>> nodes;
  for (const auto& id : ids) nodes.push_back(open(id, ids));
  ASSERT_TRUE(wait_until([&] { return leader_of(nodes) != nullptr; }, 10s));
  size_t down = 0;
  while (nodes[down]->driver->is_leader()) ++down;
  nodes[down].reset();  // stopped while the others go on
  NodeStack* leader = leader_of(nodes);
  ASSERT_NE(leader, nullptr);
  for (int i = 0; i < 5; ++i) leader->submit(records(100 * i, 40), true);
  nodes[down] = open(ids[down], ids);
  ASSERT_TRUE(wait_until([&] { return nodes[down]->store->tree_size() == 200; }, 10s));
  EXPECT_EQ(nodes[down]->store->tree_root(), leader->store->tree_root());
}

TEST_F(RaftDriverTest, FollowerFarBehindCatchesUpByAVerifiedSnapshot) {
  size_t down = 0;
  ASSERT_NO_FATAL_FAILURE(restart_behind_a_snapshot(down));
  NodeStack* leader = leader_of(nodes_);
  // The store holds the image's records a moment before the driver counts the install done
  // (it reloads the directory in between): wait for both.
  ASSERT_TRUE(wait_until(
      [&] {
        return nodes_[down]->store->tree_size() == 160 && nodes_[down]->driver->stats().snapshots_installed >= 1;
      },
      10s))
      << nodes_[down]->store->tree_size() << " records, " << nodes_[down]->driver->stats().snapshots_installed
      << " snapshots installed";
  EXPECT_EQ(nodes_[down]->store->tree_root(), leader->store->tree_root());
  EXPECT_EQ(nodes_[down]->store->last_block_hash(), leader->store->last_block_hash());
  // Each node keeps one image, as a file, the one its Raft storage names.
  for (const auto& id : {ids_[down], std::string(leader->id)}) {
    const auto images = image_files(id);
    ASSERT_EQ(images.size(), 1u) << id;
    EXPECT_TRUE(images[0].filename().string().starts_with("image-")) << images[0];
  }
  // And it goes on from there by log.
  auto more = nodes_[down]->submit(records(5000, 5), true);
  EXPECT_EQ(more[0].state, RecordState::kCommitted);
  ASSERT_TRUE(wait_until([&] { return leader->store->tree_size() == 165; }, 10s));
  EXPECT_EQ(nodes_[down]->store->tree_root(), leader->store->tree_root());
}

TEST_F(RaftDriverTest, AnInstallCutShortByACrashIsFinishedAtTheNextStart) {
  size_t down = 0;
  ASSERT_NO_FATAL_FAILURE(restart_behind_a_snapshot(down));
  NodeStack* leader = leader_of(nodes_);
  ASSERT_TRUE(wait_until([&] { return nodes_[down]->driver->stats().snapshots_installed >= 1; }, 10s));
  const uint64_t size = nodes_[down]->store->tree_size();
  nodes_[down].reset();

  // The crash, replayed: the install of the image its storage names, cut short after two of
  // its batches (the ledger's empty, marked, and holds some of the image).
  const std::string db = (dirs_[ids_[down]]->path() / "db").string();
  const auto images = image_files(ids_[down]);
  ASSERT_EQ(images.size(), 1u);
  {
    auto store = testing::open_test_store(db);
    ledger::ImageInstallOptions cut;
    cut.batch_bytes = 1024;
    cut.stop_after_batches = 2;
    ASSERT_EQ(ledger::install_ledger_image_file(*store, images[0].string(),
                                                {BlockApplier::kAppliedIndexKey, "member/"}, cut)
                  .code(),
              "interrupted");
  }
  {
    auto store = testing::open_test_store(db);
    ASSERT_TRUE(store->install_interrupted());
    ASSERT_EQ(store->height(), 0u);
  }
  nodes_[down] = open(ids_[down], ids_, options_);
  EXPECT_FALSE(nodes_[down]->store->install_interrupted());
  EXPECT_GE(nodes_[down]->store->tree_size(), size);
  ASSERT_TRUE(wait_until([&] { return nodes_[down]->store->tree_root() == leader->store->tree_root(); }, 10s));
  auto more = nodes_[down]->submit(records(5000, 5), true);
  EXPECT_EQ(more[0].state, RecordState::kCommitted);
}

TEST_F(RaftDriverTest, PendingRecordWhoseCopyWasLostCommitsOnResubmission) {
  // A follower forwards a batch to a leader that dies with it: the ids stay pending on the
  // follower with no copy anywhere. Simulated exactly: the ids are marked pending, never queued.
  auto node = open("n1", {"n1"});
  ASSERT_TRUE(wait_until([&] { return node->driver->is_leader(); }, 10s));
  const auto batch = records(1, 10);
  const auto now = std::chrono::steady_clock::now();
  for (const auto& e : batch) {
    ASSERT_EQ(node->tracker.begin(ledger::record_hash(e).value(), now + std::chrono::seconds(30), nullptr,
                                  now, now),
              RecordTracker::Begin::kNew);
  }
  // A resubmission soon after only waits for the copy presumed in flight...
  auto early = node->submit(batch, true, std::chrono::milliseconds(300));
  EXPECT_EQ(early[0].state, RecordState::kPending);
  // ...but once that copy is old enough to be presumed lost, it is queued again and commits.
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  auto again = node->submit(batch, true, std::chrono::seconds(5));
  for (const RecordStatus& s : again) EXPECT_EQ(s.state, RecordState::kCommitted) << s.message;
  EXPECT_EQ(node->store->tree_size(), 10u);
}

TEST_F(RaftDriverTest, ForgedRecordSlippedPastAdmissionNeverBecomesALeaf) {
  // A faulty peer forwards a proposal with a forged envelope straight to the leader.
  auto node = open("n1", {"n1"});
  ASSERT_TRUE(wait_until([&] { return node->driver->is_leader(); }, 10s));
  ledger::Proposal p;
  ledger::Envelope forged = record(1);
  forged.signature[3] ^= 0x40;
  p.envelopes = {forged, record(2)};
  ledger::Bytes bytes = ledger::encode_proposal(p);
  std::string frame = "P" + std::string(bytes.begin(), bytes.end());
  node->driver->on_frame("n1", frame);
  ASSERT_TRUE(wait_until([&] { return node->store->tree_size() == 1; }, 10s));
  EXPECT_EQ(node->store->leaf_at(0)->envelope, record(2));
}

}  // namespace
}  // namespace medtrail::node
