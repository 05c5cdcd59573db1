#include "medtrail/ledger/state_hash.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "medtrail/ledger/chain_store.h"
#include "support/chain_fixture.h"

namespace medtrail::ledger {
namespace {

const CryptoSuite& suite() { return ed25519_sha256(); }

template <class T>
T must(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return std::move(r).value();
}

TEST(StateHash, DependsOnTheSetOfEntriesNotTheirOrder) {
  StateHash a, b;
  a.add(suite(), "k1", "v1");
  a.add(suite(), "k2", "v2");
  b.add(suite(), "k2", "v2");
  b.add(suite(), "k1", "v1");
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.digest(suite()), b.digest(suite()));
}

TEST(StateHash, RemovingAnEntryUndoesAddingIt) {
  StateHash empty, h;
  h.add(suite(), "k1", "v1");
  EXPECT_NE(h, empty);
  h.remove(suite(), "k1", "v1");
  EXPECT_EQ(h, empty);
}

TEST(StateHash, KeyAndValueBoundaryIsPartOfTheEntry) {
  StateHash a, b;
  a.add(suite(), "ab", "c");
  b.add(suite(), "a", "bc");
  EXPECT_NE(a, b);
}

TEST(StateHash, SuiteChangesTheHash) {
  StateHash a, b;
  a.add(ed25519_sha256(), "k", "v");
  b.add(sm2_sm3(), "k", "v");
  EXPECT_NE(a, b);
}

TEST(StateHash, EncodeDecodeRoundTripsAndRejectsWrongSize) {
  StateHash h;
  h.add(suite(), "k", "v");
  auto back = StateHash::decode(h.encode());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, h);
  EXPECT_EQ(StateHash::decode(Bytes(10)).status().code(), "corruption");
}

class StateWritesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ChainStoreOptions options;
    options.sync = false;
    store_ = must(ChainStore::open(dir_.file("db"), suite(), testing::test_chain_id(suite()),
                                            options));
  }
  BlockHeader append(StateWrites writes) {
    BlockDraft draft;
    draft.timestamp_ms = 1000 + store_->height();
    draft.state_writes = std::move(writes);
    draft.leaves.push_back({testing::make_envelope(consortium_.author, "hosp-a", "dr-li",
                                                   store_->tree_size(), 64),
                            consortium_.author.public_key, ExecutionResult::accept()});
    return must(store_->append_block(draft));
  }
  testing::TempDir dir_;
  testing::TestConsortium consortium_{suite()};
  std::unique_ptr<ChainStore> store_;
};

TEST_F(StateWritesTest, WritesAreStoredAndTheHeaderCommitsToThem) {
  BlockHeader h1 = append({{"a", "1"}, {"b", "2"}});
  EXPECT_EQ(must(store_->get_state("a")), std::optional<std::string>("1"));
  StateHash expected;
  expected.add(suite(), "a", "1");
  expected.add(suite(), "b", "2");
  EXPECT_EQ(h1.state_digest, expected.digest(suite()));

  BlockHeader h2 = append({{"a", std::nullopt}, {"b", "3"}});
  EXPECT_EQ(must(store_->get_state("a")), std::nullopt);
  StateHash after;
  after.add(suite(), "b", "3");
  EXPECT_EQ(h2.state_digest, after.digest(suite()));
  EXPECT_EQ(must(store_->recompute_state_hash()), after);
}

TEST_F(StateWritesTest, SameStateReachedByOtherWritesHasTheSameDigest) {
  append({{"x", "old"}});
  BlockHeader h = append({{"x", "new"}, {"y", "1"}});
  StateHash direct;
  direct.add(suite(), "x", "new");
  direct.add(suite(), "y", "1");
  EXPECT_EQ(h.state_digest, direct.digest(suite()));
}

TEST_F(StateWritesTest, BlockWithoutWritesKeepsTheDigest) {
  BlockHeader h1 = append({{"a", "1"}});
  BlockHeader h2 = append({});
  EXPECT_EQ(h1.state_digest, h2.state_digest);
}

TEST_F(StateWritesTest, StateHashSurvivesReopening) {
  BlockHeader h = append({{"a", "1"}});
  const std::string path = dir_.file("db");
  store_.reset();
  store_ = must(ChainStore::open(path, suite(), testing::test_chain_id(suite())));
  EXPECT_EQ(store_->state_hash().digest(suite()), h.state_digest);
}

TEST_F(StateWritesTest, OutOfBoundsWritesRefuseTheBlock) {
  BlockDraft draft;
  draft.timestamp_ms = 5000;
  draft.state_writes[""] = "v";
  EXPECT_EQ(store_->append_block(draft).status().code(), "bad_block");
  draft.state_writes.clear();
  draft.state_writes[std::string(kMaxStateKeyBytes + 1, 'k')] = "v";
  EXPECT_EQ(store_->append_block(draft).status().code(), "bad_block");
  draft.state_writes.clear();
  draft.state_writes["k"] = std::string(kMaxStateValueBytes + 1, 'v');
  EXPECT_EQ(store_->append_block(draft).status().code(), "bad_block");
  EXPECT_EQ(store_->height(), 0u);
}

TEST_F(StateWritesTest, StoreOfAnEarlierFormatIsRefused) {
  // chain-2 stored contract state values as JSON text; chain-3 decodes only its own encoding.
  const std::string path = dir_.file("db");
  ASSERT_TRUE(store_->db()->Put(rocksdb::WriteOptions(), store_->column_family(ColumnFamily::kMeta),
                                "format", "medtrail-chain-2").ok());
  store_.reset();
  auto reopened = ChainStore::open(path, suite(), testing::test_chain_id(suite()));
  EXPECT_EQ(reopened.status().code(), "wrong_format");
}

}  // namespace
}  // namespace medtrail::ledger
