#include "medtrail/ledger/chain_verifier.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <algorithm>

#include "support/chain_fixture.h"

namespace medtrail::ledger {
namespace {

using testing::build_chain;
using testing::TempDir;
using testing::TestConsortium;

// A runner that splits work into several ranges, as a thread pool would, on one thread.
class ChunkingRunner final : public ParallelRunner {
 public:
  size_t concurrency() const override { return 3; }
  void parallel_for(size_t n, const std::function<void(size_t, size_t)>& fn) override {
    size_t step = std::max<size_t>(1, n / 3);
    for (size_t b = 0; b < n; b += step) fn(b, std::min(n, b + step));
  }
};

class ChainVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ChainStoreOptions options;
    options.sync = false;
    auto store = ChainStore::open(dir_.file("db"), suite_, testing::test_chain_id(suite_), options);
    ASSERT_TRUE(store.ok()) << store.status().to_string();
    store_ = std::move(store).value();
    // Blocks of 4 leaves: block h holds leaves [4(h-1), 4h).
    build_chain(*store_, consortium_, {.blocks = 5, .leaves_per_block = 4});
  }

  VerifyReport verify(const CheckpointTrust* trust = nullptr) {
    VerifyOptions options;
    options.runner = &runner_;
    options.trust = trust;
    options.window_leaves = 6;  // several windows even in a small chain
    return verify_chain(*store_, options);
  }

  std::string get(ColumnFamily cf, const std::string& key) {
    std::string value;
    EXPECT_TRUE(store_->db()->Get(rocksdb::ReadOptions(), store_->column_family(cf), key, &value).ok());
    return value;
  }
  void put(ColumnFamily cf, const std::string& key, const std::string& value) {
    ASSERT_TRUE(store_->db()->Put(rocksdb::WriteOptions(), store_->column_family(cf), key, value).ok());
  }

  // Flips each byte of one stored value in turn and expects every change to be caught at
  // `height`; restores the value after each try.
  void expect_every_byte_flip_caught(ColumnFamily cf, const std::string& key, uint64_t height) {
    std::string original = get(cf, key);
    ASSERT_FALSE(original.empty());
    for (size_t i = 0; i < original.size(); ++i) {
      std::string damaged = original;
      damaged[i] = static_cast<char>(damaged[i] ^ 0x01);
      put(cf, key, damaged);
      VerifyReport report = verify();
      EXPECT_FALSE(report.ok) << "byte " << i << " flipped unnoticed";
      EXPECT_EQ(report.bad_height, height) << "byte " << i << ": " << report.problem_code << " "
                                           << report.problem;
    }
    put(cf, key, original);
    ASSERT_TRUE(verify().ok);
  }

  const CryptoSuite& suite_ = ed25519_sha256();
  TempDir dir_;
  TestConsortium consortium_{suite_};
  std::unique_ptr<ChainStore> store_;
  ChunkingRunner runner_;
};

TEST_F(ChainVerifierTest, IntactChainVerifiesWithCounts) {
  CheckpointTrust trust = consortium_.trust();
  VerifyReport report = verify(&trust);
  EXPECT_TRUE(report.ok) << report.problem_code << ": " << report.problem;
  EXPECT_EQ(report.blocks, 5u);
  EXPECT_EQ(report.records, 20u);
  EXPECT_EQ(report.checkpoints, 9u);  // blocks 3, 4, 5 carry one checkpoint with 3 signatures
}

TEST_F(ChainVerifierTest, ProgressIsReportedUpToTheHead) {
  VerifyOptions options;
  options.window_leaves = 4;
  uint64_t last = 0;
  int calls = 0;
  options.on_progress = [&](const VerifyProgress& p) {
    EXPECT_GT(p.height, last);
    EXPECT_EQ(p.chain_height, 5u);
    last = p.height;
    ++calls;
  };
  EXPECT_TRUE(verify_chain(*store_, options).ok);
  EXPECT_EQ(last, 5u);
  EXPECT_GE(calls, 2);
}

TEST_F(ChainVerifierTest, ChangedLeafByteIsReportedAtItsHeight) {
  expect_every_byte_flip_caught(ColumnFamily::kLeaves, ChainStore::height_key(9), 3);
}

TEST_F(ChainVerifierTest, ChangedHeaderByteIsReportedAtItsHeight) {
  expect_every_byte_flip_caught(ColumnFamily::kBlocks, ChainStore::height_key(3), 3);
}

TEST_F(ChainVerifierTest, ChangedHeadBlockIsReportedAtTheHead) {
  expect_every_byte_flip_caught(ColumnFamily::kBlocks, ChainStore::height_key(5), 5);
}

TEST_F(ChainVerifierTest, ChangedFirstBlockIsReportedAtHeightOne) {
  expect_every_byte_flip_caught(ColumnFamily::kBlocks, ChainStore::height_key(1), 1);
}

TEST_F(ChainVerifierTest, ChangedMerkleNodeIsReportedWhereTheNodeWasCompleted) {
  // Node (level 1, index 4) covers leaves 8-9; (2, 2) covers 8-11: both completed in block 3.
  expect_every_byte_flip_caught(ColumnFamily::kMerkle, ChainStore::merkle_key(1, 4), 3);
  expect_every_byte_flip_caught(ColumnFamily::kMerkle, ChainStore::merkle_key(2, 2), 3);
  // (3, 0) covers leaves 0-7, completed by leaf 7 in block 2.
  expect_every_byte_flip_caught(ColumnFamily::kMerkle, ChainStore::merkle_key(3, 0), 2);
}

TEST_F(ChainVerifierTest, MissingMerkleNodeIsReportedWhereTheNodeWasCompleted) {
  // (2, 2) covers leaves 8-11, completed in block 3.
  ASSERT_TRUE(store_->db()
                  ->Delete(rocksdb::WriteOptions(), store_->column_family(ColumnFamily::kMerkle),
                           ChainStore::merkle_key(2, 2))
                  .ok());
  VerifyReport report = verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.bad_height, 3u);
  EXPECT_EQ(report.problem_code, "bad_merkle_node");
  EXPECT_NE(report.problem.find("(level 2, index 2) is missing"), std::string::npos)
      << report.problem;
}

// A key among a window's nodes that no node has (a level that cannot end at that leaf) is
// reported where the next node was completed, not as that node missing.
TEST_F(ChainVerifierTest, AStrayKeyAmongTheMerkleNodesIsReportedBeforeTheNextNode) {
  std::string stray = ChainStore::merkle_key(0, 9);
  stray.back() = 5;  // level 5 ends at leaf 31, 63, ...: never at leaf 9
  put(ColumnFamily::kMerkle, stray, std::string(32, 'x'));
  VerifyReport report = verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.bad_height, 3u);  // leaf 10, the next node's, is in block 3
  EXPECT_NE(report.problem.find("a key no tree node has, before merkle node (level 0, index 10)"),
            std::string::npos)
      << report.problem;
}

TEST_F(ChainVerifierTest, ChangedLeafNodeIsReportedAsBadLeafHash) {
  std::string key = ChainStore::merkle_key(0, 13);
  std::string value = get(ColumnFamily::kMerkle, key);
  value[0] = static_cast<char>(value[0] ^ 0x80);
  put(ColumnFamily::kMerkle, key, value);
  VerifyReport report = verify();
  EXPECT_EQ(report.bad_height, 4u);
  EXPECT_EQ(report.problem_code, "bad_leaf_hash");
}

TEST_F(ChainVerifierTest, TamperingSurvivesReopeningAndIsFoundReadOnly) {
  std::string key = ChainStore::height_key(6);
  std::string leaf = get(ColumnFamily::kLeaves, key);
  leaf[leaf.size() / 2] = static_cast<char>(leaf[leaf.size() / 2] ^ 0x20);
  put(ColumnFamily::kLeaves, key, leaf);
  store_.reset();
  auto reopened = ChainStore::open_existing(dir_.file("db"));
  ASSERT_TRUE(reopened.ok()) << reopened.status().to_string();
  VerifyReport report = verify_chain(**reopened);
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.bad_height, 2u);
}

TEST_F(ChainVerifierTest, MissingLeafIsCorruptionAtItsHeight) {
  ASSERT_TRUE(store_->db()->Delete(rocksdb::WriteOptions(),
                                   store_->column_family(ColumnFamily::kLeaves),
                                   ChainStore::height_key(17)).ok());
  VerifyReport report = verify();
  EXPECT_EQ(report.bad_height, 5u);
  EXPECT_EQ(report.problem_code, "corruption");
}

TEST_F(ChainVerifierTest, LowestBadHeightIsReportedWhenSeveralAreBad) {
  std::string late = get(ColumnFamily::kBlocks, ChainStore::height_key(4));
  late[late.size() - 1] ^= 0x01;
  put(ColumnFamily::kBlocks, ChainStore::height_key(4), late);
  std::string early = get(ColumnFamily::kLeaves, ChainStore::height_key(5));
  early[early.size() / 2] ^= 0x01;
  put(ColumnFamily::kLeaves, ChainStore::height_key(5), early);
  EXPECT_EQ(verify().bad_height, 2u);
}

TEST_F(ChainVerifierTest, CheckpointWithoutQuorumOfTrustedOrgsFails) {
  CheckpointTrust strict = consortium_.trust();
  strict.quorum = 4;  // only three organisations exist
  VerifyReport report = verify(&strict);
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.problem_code, "bad_checkpoint");
  EXPECT_EQ(report.bad_height, 3u);  // the first block carrying a checkpoint
}

TEST_F(ChainVerifierTest, CheckpointByUnpinnedKeyFails) {
  CheckpointTrust trust = consortium_.trust();
  trust.signers[1].public_key = suite_.generate_keypair()->public_key;
  VerifyReport report = verify(&trust);
  EXPECT_EQ(report.problem_code, "bad_checkpoint");
  EXPECT_NE(report.problem.find("pharm-b/node-2"), std::string::npos) << report.problem;
}

TEST(ChainVerifier, EmptyChainWithStateIsRefused) {
  TempDir dir;
  const CryptoSuite& suite = ed25519_sha256();
  auto store = ChainStore::open(dir.file("db"), suite, testing::test_chain_id(suite));
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->db()->Put(rocksdb::WriteOptions(), (*store)->column_family(ColumnFamily::kState),
                                  "id/hosp-a/ghost", "{}").ok());
  VerifyReport report = verify_chain(**store);
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.problem_code, "bad_state_root");
}

TEST(ChainVerifier, EmptyChainVerifies) {
  TempDir dir;
  const auto& suite = ed25519_sha256();
  auto store = ChainStore::open(dir.file("db"), suite, testing::test_chain_id(suite));
  ASSERT_TRUE(store.ok());
  VerifyReport report = verify_chain(**store);
  EXPECT_TRUE(report.ok);
  EXPECT_EQ(report.blocks, 0u);
}

TEST_F(ChainVerifierTest, ChangedStateValueIsReportedAtTheHead) {
  put(ColumnFamily::kState, "test/height", "4");
  VerifyReport report = verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.problem_code, "bad_state_root");
  EXPECT_EQ(report.bad_height, 5u);
}

TEST_F(ChainVerifierTest, AddedOrRemovedStateKeyIsReported) {
  put(ColumnFamily::kState, "test/extra", "x");
  EXPECT_EQ(verify().problem_code, "bad_state_root");
  ASSERT_TRUE(store_->db()->Delete(rocksdb::WriteOptions(), store_->column_family(ColumnFamily::kState),
                                   "test/extra").ok());
  EXPECT_TRUE(verify().ok);
  ASSERT_TRUE(store_->db()->Delete(rocksdb::WriteOptions(), store_->column_family(ColumnFamily::kState),
                                   "test/block/2").ok());
  EXPECT_EQ(verify().problem_code, "bad_state_root");
}

}  // namespace
}  // namespace medtrail::ledger
