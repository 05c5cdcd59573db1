// The chain store's contract state: its writes, and the authenticated state map whose root
// each header carries (state_map.h).
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/state_map_memory.h"
#include "medtrail/ledger/state_proof.h"
#include "support/chain_fixture.h"

namespace medtrail::ledger {
namespace {

const CryptoSuite& suite() { return ed25519_sha256(); }

template <class T>
T must(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return std::move(r).value();
}

// The root of a map holding exactly `state`, built on its own in memory.
Hash root_of(const std::map<std::string, std::string>& state) {
  std::vector<StateMapChange> changes;
  for (const auto& [k, v] : state) {
    changes.push_back({state_key_hash(suite(), as_bytes(k)), state_value_hash(suite(), as_bytes(v))});
  }
  StateMapMemoryNodes nodes;
  return must(StateMap(suite(), nodes).update(std::nullopt, 1, changes)).root;
}

class StateWritesTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }
  void open(uint64_t versions = kStateMapVersionsKept) {
    ChainStoreOptions options;
    options.sync = false;
    options.state_map_versions = versions;
    store_.reset();
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
  EXPECT_EQ(h1.state_root, root_of({{"a", "1"}, {"b", "2"}}));

  BlockHeader h2 = append({{"a", std::nullopt}, {"b", "3"}});
  EXPECT_EQ(must(store_->get_state("a")), std::nullopt);
  EXPECT_EQ(h2.state_root, root_of({{"b", "3"}}));
  EXPECT_EQ(must(store_->state_map().audit(2)).root, h2.state_root);
}

TEST_F(StateWritesTest, SameStateReachedByOtherWritesHasTheSameRoot) {
  append({{"x", "old"}});
  BlockHeader h = append({{"x", "new"}, {"y", "1"}});
  EXPECT_EQ(h.state_root, root_of({{"x", "new"}, {"y", "1"}}));
}

TEST_F(StateWritesTest, BlockWithoutWritesKeepsTheRoot) {
  BlockHeader h1 = append({{"a", "1"}});
  BlockHeader h2 = append({});
  EXPECT_EQ(h1.state_root, h2.state_root);
  // Removing what was never there changes nothing either.
  BlockHeader h3 = append({{"never", std::nullopt}});
  EXPECT_EQ(h3.state_root, h1.state_root);
}

TEST_F(StateWritesTest, EveryKeptHeightProvesItsValuesAndAbsences) {
  std::vector<BlockHeader> headers;
  headers.push_back(append({{"rx/1", "issued"}, {"rx/2", "issued"}}));
  headers.push_back(append({{"rx/1", "dispensed"}}));
  headers.push_back(append({{"rx/2", std::nullopt}}));
  const std::vector<std::map<std::string, std::optional<std::string>>> expected = {
      {{"rx/1", "issued"}, {"rx/2", "issued"}},
      {{"rx/1", "dispensed"}, {"rx/2", "issued"}},
      {{"rx/1", "dispensed"}, {"rx/2", std::nullopt}}};
  for (uint64_t h = 1; h <= 3; ++h) {
    for (const auto& [key, value] : expected[h - 1]) {
      const StateProof proof = must(store_->state_map().prove(h, state_key_hash(suite(), as_bytes(key))));
      std::optional<ByteView> claimed;
      if (value) claimed = as_bytes(*value);
      EXPECT_TRUE(verify_state_proof(suite(), headers[h - 1].state_root, as_bytes(key), claimed, proof).ok())
          << "height " << h << ", " << key;
    }
  }
}

TEST_F(StateWritesTest, TheStateMapSurvivesReopening) {
  BlockHeader h = append({{"a", "1"}});
  open();
  EXPECT_EQ(must(store_->state_map().root(1)), h.state_root);
  EXPECT_EQ(append({{"b", "2"}}).state_root, root_of({{"a", "1"}, {"b", "2"}}));
}

TEST_F(StateWritesTest, AStoreWhoseMapDoesNotGiveTheHeadsRootIsRefusedAtOpen) {
  append({{"a", "1"}});
  append({{"a", "2"}});
  // The head's root node replaced by the one before it: a map one block behind.
  std::string node;
  const Bytes key1 = state_map_root_key(1), key2 = state_map_root_key(2);
  ASSERT_TRUE(store_->db()->Get(rocksdb::ReadOptions(), store_->column_family(ColumnFamily::kStateMap),
                                rocksdb::Slice(reinterpret_cast<const char*>(key1.data()), key1.size()), &node).ok());
  ASSERT_TRUE(store_->db()->Put(rocksdb::WriteOptions(), store_->column_family(ColumnFamily::kStateMap),
                                rocksdb::Slice(reinterpret_cast<const char*>(key2.data()), key2.size()), node).ok());
  store_.reset();
  auto reopened = ChainStore::open(dir_.file("db"), suite(), testing::test_chain_id(suite()));
  EXPECT_EQ(reopened.status().code(), "corruption");
  EXPECT_NE(reopened.status().message().find("state root"), std::string::npos)
      << reopened.status().message();
}

TEST_F(StateWritesTest, OneHeightKeptIsTheHeadAlone) {
  open(/*versions=*/1);
  BlockHeader h1 = append({{"a", "1"}});
  BlockHeader h2 = append({{"a", "2"}});
  BlockHeader h3 = append({{"a", "3"}, {"b", "1"}});
  EXPECT_EQ(must(store_->state_map().root(3)), h3.state_root);
  EXPECT_EQ(must(store_->state_map().audit(3)).root, h3.state_root);
  EXPECT_EQ(store_->state_map().root(1).status().code(), "not_found");
  (void)h1;
  (void)h2;
}

// A rebuild (an installed image's) gives the root the appends gave, however the state is cut
// into parts; it needs an empty family, and no state for height 0.
TEST_F(StateWritesTest, ARebuiltMapHasTheAppendedRoot) {
  append({{"a", "1"}, {"b", "2"}, {"c", "3"}});
  BlockHeader head = append({{"d", "4"}, {"a", std::nullopt}});
  auto clear = [&] {
    rocksdb::WriteBatch batch;
    ASSERT_TRUE(batch.DeleteRange(store_->column_family(ColumnFamily::kStateMap), rocksdb::Slice(),
                                  std::string(1, '\xff')).ok());
    ASSERT_TRUE(store_->db()->Write(rocksdb::WriteOptions(), &batch).ok());
  };
  auto write = [&](rocksdb::WriteBatch& batch) {
    const rocksdb::Status s = store_->db()->Write(rocksdb::WriteOptions(), &batch);
    return s.ok() ? Status::ok_status() : Status::error("io_error", s.ToString());
  };
  EXPECT_EQ(store_->rebuild_state_map(2, write).status().code(), "invalid_argument");  // not empty
  for (size_t part : {1, 3, 4096}) {  // one entry a part, a multiple of the 3 entries, all
    clear();
    EXPECT_EQ(must(store_->rebuild_state_map(2, write, part)), head.state_root) << part;
    EXPECT_EQ(must(store_->state_map().audit(2)).root, head.state_root) << part;
  }
  clear();
  EXPECT_EQ(store_->rebuild_state_map(0, write).status().code(), "invalid_argument");
}

TEST_F(StateWritesTest, AHeightWithNoStateHasTheEmptyRoot) {
  BlockHeader h = append({});
  EXPECT_EQ(h.state_root, state_map_empty_root());
  EXPECT_EQ(must(store_->state_map().audit(1)).entries, 0u);
}

TEST_F(StateWritesTest, OnlyTheWindowOfHeightsIsKeptAndItStaysProvable) {
  open(/*versions=*/3);
  std::vector<BlockHeader> headers;
  for (int i = 0; i < 10; ++i) {
    headers.push_back(append({{"k" + std::to_string(i % 4), std::to_string(i)}, {"n", std::to_string(i)}}));
  }
  // Heights 8, 9 and 10 are kept; the others' nodes were pruned as blocks came.
  for (uint64_t h = 1; h <= 10; ++h) {
    auto root = store_->state_map().root(h);
    if (h >= 8) {
      EXPECT_EQ(must(std::move(root)), headers[h - 1].state_root) << h;
      EXPECT_EQ(must(store_->state_map().audit(h)).root, headers[h - 1].state_root) << h;
    } else {
      EXPECT_EQ(root.status().code(), "not_found") << h;
    }
  }
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
