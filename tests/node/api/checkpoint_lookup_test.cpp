// Finding the newest checkpoint a quorum of the consortium signed.
#include "api/checkpoint_lookup.h"

#include <gtest/gtest.h>

#include "support/chain_fixture.h"

namespace medtrail::node::api {
namespace {

class CheckpointLookupTest : public ::testing::Test {
 protected:
  CheckpointLookupTest() : suite_(ledger::ed25519_sha256()), consortium_(suite_) {
    ledger::ChainStoreOptions o;
    o.sync = false;
    store_ = std::move(
        ledger::ChainStore::open(dir_.path(), suite_, testing::test_chain_id(suite_), o).value());
  }

  const ledger::CryptoSuite& suite_;
  testing::TestConsortium consortium_;
  testing::TempDir dir_;
  std::unique_ptr<ledger::ChainStore> store_;
};

TEST_F(CheckpointLookupTest, TheNewestTrustedCheckpointIsFound) {
  testing::build_chain(*store_, consortium_, {.blocks = 6});
  auto cp = latest_trusted_checkpoint(*store_, consortium_.trust());
  ASSERT_TRUE(cp.has_value());
  // Block 6 carries the checkpoint of block 4.
  EXPECT_EQ(cp->checkpoint.height, 4u);
  EXPECT_EQ(cp->checkpoint.tree_root, store_->header_at(4)->tree_root);
  EXPECT_EQ(cp->signatures.size(), 3u);
}

TEST_F(CheckpointLookupTest, AnEmptyChainOrOneWithoutCheckpointsHasNone) {
  EXPECT_FALSE(latest_trusted_checkpoint(*store_, consortium_.trust()).has_value());
  testing::build_chain(*store_, consortium_, {.blocks = 4, .checkpoints = false});
  EXPECT_FALSE(latest_trusted_checkpoint(*store_, consortium_.trust()).has_value());
}

TEST_F(CheckpointLookupTest, CheckpointsWithoutQuorumAreNotTrusted) {
  testing::build_chain(*store_, consortium_, {.blocks = 5});
  ledger::CheckpointTrust strangers;
  strangers.quorum = 1;
  strangers.signers.push_back({"x/node", "x", suite_.generate_keypair()->public_key});
  EXPECT_FALSE(latest_trusted_checkpoint(*store_, strangers).has_value());
  ledger::CheckpointTrust too_many = consortium_.trust();
  too_many.quorum = 4;
  EXPECT_FALSE(latest_trusted_checkpoint(*store_, too_many).has_value());
}

TEST_F(CheckpointLookupTest, TheScanIsBoundedFromTheHead) {
  testing::build_chain(*store_, consortium_, {.blocks = 3});
  testing::build_chain(*store_, consortium_, {.blocks = 3, .checkpoints = false});
  EXPECT_FALSE(latest_trusted_checkpoint(*store_, consortium_.trust(), 3).has_value());
  auto cp = latest_trusted_checkpoint(*store_, consortium_.trust(), 4);
  ASSERT_TRUE(cp.has_value());
  EXPECT_EQ(cp->checkpoint.height, 1u);
}

TEST_F(CheckpointLookupTest, TheCheckpointOfAHeightIsFoundInTheBlockThatCarriesIt) {
  testing::build_chain(*store_, consortium_, {.blocks = 6});
  // Block h+2 carries the checkpoint of block h (from block 3 on): heights 1..4 have one.
  for (uint64_t h = 1; h <= 4; ++h) {
    auto cp = trusted_checkpoint_at(*store_, consortium_.trust(), h);
    ASSERT_TRUE(cp.has_value()) << h;
    EXPECT_EQ(cp->checkpoint.height, h);
    EXPECT_EQ(cp->checkpoint.tree_root, store_->header_at(h)->tree_root);
  }
  for (uint64_t h : {uint64_t{0}, uint64_t{5}, uint64_t{6}, uint64_t{7}}) {
    EXPECT_FALSE(trusted_checkpoint_at(*store_, consortium_.trust(), h).has_value()) << h;
  }
  EXPECT_FALSE(trusted_checkpoint_at(*store_, consortium_.trust(), 1, 1).has_value());  // bounded
  // Heights 5 and 6 were never checkpointed in a carried block: none is found.
  testing::build_chain(*store_, consortium_, {.blocks = 3, .checkpoints = false});
  EXPECT_FALSE(trusted_checkpoint_at(*store_, consortium_.trust(), 6).has_value());
  ledger::CheckpointTrust too_many = consortium_.trust();
  too_many.quorum = 4;
  EXPECT_FALSE(trusted_checkpoint_at(*store_, too_many, 2).has_value());
}

}  // namespace
}  // namespace medtrail::node::api
