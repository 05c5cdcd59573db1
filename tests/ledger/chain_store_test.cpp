#include "medtrail/ledger/chain_store.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/perf_context.h>
#include <rocksdb/write_batch.h>

#include "medtrail/ledger/merkle.h"
#include "support/chain_fixture.h"

namespace medtrail::ledger {
namespace {

using testing::build_chain;
using testing::ChainSpec;
using testing::TempDir;
using testing::TestConsortium;

ChainStoreOptions fast() {
  ChainStoreOptions o;
  o.sync = false;
  return o;
}

class ChainStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<ChainStore> open_store() {
    auto store = ChainStore::open(dir_.file("db"), suite_, testing::test_chain_id(suite_), fast());
    EXPECT_TRUE(store.ok()) << store.status().to_string();
    return std::move(store).value();
  }

  const CryptoSuite& suite_ = ed25519_sha256();
  TempDir dir_;
  TestConsortium consortium_{suite_};
};

TEST_F(ChainStoreTest, NewStoreIsEmptyAndLinksToTheChainId) {
  auto store = open_store();
  EXPECT_EQ(store->height(), 0u);
  EXPECT_EQ(store->tree_size(), 0u);
  EXPECT_EQ(store->tree_root(), merkle_empty_root(suite_));
  EXPECT_EQ(store->last_block_hash(), testing::test_chain_id(suite_));
}

TEST_F(ChainStoreTest, MemtablesAndTheWalHaveOneBoundForAllColumnFamilies) {
  auto store = open_store();
  const rocksdb::DBOptions options = store->db()->GetDBOptions();
  EXPECT_EQ(options.db_write_buffer_size, kStoreMemtableBytes);
  EXPECT_EQ(options.max_total_wal_size, kStoreMaxWalBytes);
  EXPECT_EQ(options.max_open_files, kStoreMaxOpenFiles);
}

TEST_F(ChainStoreTest, AppendedBlocksDeriveTheirHeaders) {
  auto store = open_store();
  build_chain(*store, consortium_, {.blocks = 3, .leaves_per_block = 4});
  ASSERT_EQ(store->height(), 3u);
  EXPECT_EQ(store->tree_size(), 12u);

  Hash prev = testing::test_chain_id(suite_);
  std::vector<Hash> leaf_hashes;
  for (uint64_t h = 1; h <= 3; ++h) {
    auto header = store->header_at(h);
    ASSERT_TRUE(header.ok());
    EXPECT_EQ(header->height, h);
    EXPECT_EQ(header->prev_block_hash, prev);
    EXPECT_EQ(header->first_leaf, (h - 1) * 4);
    EXPECT_EQ(header->leaf_count, 4u);
    EXPECT_EQ(header->tree_size, h * 4);
    for (uint64_t i = header->first_leaf; i < header->tree_size; ++i) {
      auto leaf = store->leaf_at(i);
      ASSERT_TRUE(leaf.ok());
      EXPECT_EQ(leaf->height, h);
      EXPECT_EQ(leaf->timestamp_ms, header->timestamp_ms);
      leaf_hashes.push_back(leaf_hash(suite_, *leaf));
    }
    EXPECT_EQ(header->tree_root, merkle_root_of(suite_, leaf_hashes));
    prev = block_hash(suite_, *header);
  }
  EXPECT_EQ(store->last_block_hash(), prev);
}

TEST_F(ChainStoreTest, RejectedRecordsAreKeptWithTheirReason) {
  auto store = open_store();
  build_chain(*store, consortium_, {.blocks = 1, .leaves_per_block = 3});
  auto leaf = store->leaf_at(2);
  ASSERT_TRUE(leaf.ok());
  EXPECT_FALSE(leaf->result.accepted);
  EXPECT_EQ(leaf->result.reason_code, "already_dispensed");
}

TEST_F(ChainStoreTest, RecordsAreFoundByIdAtTheirFirstOccurrence) {
  auto store = open_store();
  build_chain(*store, consortium_, {.blocks = 2, .leaves_per_block = 2});
  auto leaf = store->leaf_at(3);
  ASSERT_TRUE(leaf.ok());
  EXPECT_EQ(*store->find_record(record_hash(leaf->envelope).value()), 3u);

  // The same envelope again, in a later block: a new leaf, the index keeps the first.
  BlockDraft again;
  again.timestamp_ms = 1'800'000'000'000;
  again.leaves.push_back({leaf->envelope, leaf->signer_public_key, ExecutionResult::accept()});
  ASSERT_TRUE(store->append_block(again).ok());
  EXPECT_EQ(store->tree_size(), 5u);
  EXPECT_EQ(*store->find_record(record_hash(leaf->envelope).value()), 3u);
  EXPECT_EQ(store->find_record(Hash{}).status().code(), "not_found");
}

TEST_F(ChainStoreTest, ARecordTheCallerKnowsIsNewIsIndexedUnderTheHashItGives) {
  auto store = open_store();
  const Envelope fresh = testing::make_envelope(consortium_.author, "hosp-a", "dr-li", 7, 64);
  const Hash hash = record_hash(suite_, fresh);
  BlockDraft draft;
  draft.timestamp_ms = 1'800'000'000'000;
  const LeafDraft leaf{fresh, consortium_.author.public_key, ExecutionResult::accept(), {}, hash};
  draft.leaves.push_back(leaf);
  // A second copy in the same draft, as apply would never pass it: the first keeps the index.
  draft.leaves.push_back(leaf);
  ASSERT_TRUE(store->append_block(draft).ok());
  EXPECT_EQ(*store->find_record(hash), 0u);

  // The store takes the caller's word: it indexes the hash given, not one of its own making.
  const Envelope other = testing::make_envelope(consortium_.author, "hosp-a", "dr-li", 8, 64);
  Hash given{};
  given[0] = 0x5a;
  BlockDraft trusted;
  trusted.timestamp_ms = 1'800'000'000'001;
  trusted.leaves.push_back(
      {other, consortium_.author.public_key, ExecutionResult::accept(), {}, given});
  ASSERT_TRUE(store->append_block(trusted).ok());
  EXPECT_EQ(*store->find_record(given), 2u);
  EXPECT_EQ(store->find_record(record_hash(suite_, other)).status().code(), "not_found");
}

TEST_F(ChainStoreTest, TheFamiliesLookedUpByKeyFilterMemtableMisses) {
  auto store = open_store();
  ChainStoreOptions scratch = fast();
  scratch.memtable_bytes = 256 << 10;
  auto small =
      ChainStore::open(dir_.file("small"), suite_, testing::test_chain_id(suite_), scratch);
  ASSERT_TRUE(small.ok()) << small.status().to_string();
  // The filters take a small share of each store's memtable budget, a small store's too.
  for (const auto& [s, budget] : {std::pair{store.get(), kStoreMemtableBytes},
                                  std::pair{small->get(), scratch.memtable_bytes}}) {
    for (ColumnFamily family : {ColumnFamily::kIndex, ColumnFamily::kState}) {
      const rocksdb::Options options = s->db()->GetOptions(s->column_family(family));
      EXPECT_TRUE(options.memtable_whole_key_filtering);
      EXPECT_GT(options.memtable_prefix_bloom_size_ratio, 0.0);
      const double filter_bytes =
          options.memtable_prefix_bloom_size_ratio * static_cast<double>(options.write_buffer_size);
      EXPECT_LE(filter_bytes, static_cast<double>(budget) / 50);
    }
  }
  // Misses and hits answer as before, from the memtable and after a flush.
  build_chain(*store, consortium_, {.blocks = 2, .leaves_per_block = 2});
  auto leaf = store->leaf_at(1);
  ASSERT_TRUE(leaf.ok());
  const Hash known = record_hash(suite_, leaf->envelope);
  EXPECT_EQ(*store->find_record(known), 1u);
  EXPECT_EQ(store->find_record(Hash{}).status().code(), "not_found");
  auto* index = store->column_family(ColumnFamily::kIndex);
  ASSERT_TRUE(store->db()->Flush(rocksdb::FlushOptions(), index).ok());
  EXPECT_EQ(*store->find_record(known), 1u);
  EXPECT_EQ(store->find_record(Hash{}).status().code(), "not_found");
}

// A bug the sustained run found (docs/benchmarks.md, "A sustained run"): once compaction wrote
// a table whose filter was larger than a shard of the block cache, the cache could not keep
// that filter, and every lookup read it whole from disk again.
TEST_F(ChainStoreTest, ALookupInATableWithALargeFilterReadsAPartitionNotTheWholeFilter) {
  ChainStoreOptions options = fast();
  options.block_cache_bytes = 256 << 10;  // one shard of 256 KiB
  auto store = ChainStore::open(dir_.file("big"), suite_, testing::test_chain_id(suite_), options);
  ASSERT_TRUE(store.ok()) << store.status().to_string();
  rocksdb::DB* db = (*store)->db();
  rocksdb::ColumnFamilyHandle* index = (*store)->column_family(ColumnFamily::kIndex);
  // 300,000 record-index keys: a filter of about 370 KiB, more than the whole cache.
  for (uint32_t batch = 0; batch < 30; ++batch) {
    rocksdb::WriteBatch writes;
    for (uint32_t i = 0; i < 10000; ++i) {
      Bytes seed = to_bytes(std::to_string(batch * 10000 + i));
      std::string key(1, 'r');
      key.append(as_chars(suite_.hash(seed)));
      writes.Put(index, key, std::string(8, '\0'));
    }
    ASSERT_TRUE(db->Write(rocksdb::WriteOptions(), &writes).ok());
  }
  ASSERT_TRUE(db->Flush(rocksdb::FlushOptions(), index).ok());
  // Compacted below level 0, whose filters stay pinned: where a long-running node's tables are.
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  ASSERT_TRUE(db->CompactRange(compact, index, nullptr, nullptr).ok());
  std::string level0;
  ASSERT_TRUE(db->GetProperty(index, "rocksdb.num-files-at-level0", &level0));
  ASSERT_EQ(level0, "0");

  // This thread's RocksDB counters, on for the lookups alone.
  struct CountingReads {
    rocksdb::PerfLevel before = rocksdb::GetPerfLevel();
    CountingReads() {
      rocksdb::SetPerfLevel(rocksdb::PerfLevel::kEnableCount);
      rocksdb::get_perf_context()->Reset();
    }
    ~CountingReads() { rocksdb::SetPerfLevel(before); }
  };
  constexpr int kLookups = 200;
  uint64_t read = 0;
  uint64_t filtered_out = 0;
  {
    CountingReads counting;
    for (int i = 0; i < kLookups; ++i) {
      Bytes seed = to_bytes("absent " + std::to_string(i));
      ASSERT_EQ((*store)->find_record(suite_.hash(seed)).status().code(), "not_found");
    }
    read = rocksdb::get_perf_context()->block_read_byte;
    filtered_out = rocksdb::get_perf_context()->bloom_sst_miss_count;
  }
  // The lookups did reach the table, and its filter turned nearly all of them away...
  EXPECT_GT(filtered_out, static_cast<uint64_t>(kLookups / 2));
  // ...reading a partition of a few KiB, where the whole filter was read once per lookup.
  EXPECT_LT(read / kLookups, 32u << 10) << read << " bytes read for " << kLookups << " lookups";
}

TEST_F(ChainStoreTest, ReopeningRestoresTheHeadAndAppendsContinue) {
  Hash root;
  Hash head;
  {
    auto store = open_store();
    build_chain(*store, consortium_, {.blocks = 4, .leaves_per_block = 5});
    root = store->tree_root();
    head = store->last_block_hash();
  }
  auto store = open_store();
  EXPECT_EQ(store->height(), 4u);
  EXPECT_EQ(store->tree_size(), 20u);
  EXPECT_EQ(store->tree_root(), root);
  EXPECT_EQ(store->last_block_hash(), head);
  build_chain(*store, consortium_, {.blocks = 1, .leaves_per_block = 3});
  auto header = store->header_at(5);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->prev_block_hash, head);
  EXPECT_EQ(header->first_leaf, 20u);
}

// Appends write Merkle nodes after every key already there, as they write blocks and leaves: a
// flushed table file then overlaps none before it, and compaction moves it down the levels
// instead of rewriting the level below (docs/benchmarks.md, "Compaction in a sustained run").
TEST_F(ChainStoreTest, EveryAppendWritesItsMerkleNodesAfterAllThatWereThere) {
  auto store = open_store();
  rocksdb::ColumnFamilyHandle* merkle = store->column_family(ColumnFamily::kMerkle);
  std::string last_key;
  size_t count = 0;
  for (size_t leaves : {1, 2, 3, 5, 8, 1, 13, 4, 7, 16}) {
    build_chain(*store, consortium_, {.blocks = 1, .leaves_per_block = leaves});
    std::unique_ptr<rocksdb::Iterator> it(
        store->db()->NewIterator(rocksdb::ReadOptions(), merkle));
    size_t total = 0;
    size_t after_last = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ++total;
      if (count == 0 || it->key().ToString() > last_key) ++after_last;
    }
    ASSERT_TRUE(it->status().ok());
    EXPECT_GE(total, count + leaves);  // a leaf hash per leaf, and the subtrees they complete
    EXPECT_EQ(after_last, total - count) << "after a block of " << leaves << " leaves";
    it->SeekToLast();
    ASSERT_TRUE(it->Valid());
    last_key = it->key().ToString();
    count = total;
  }
}

TEST_F(ChainStoreTest, StoreOfAnotherChainIsRefused) {
  { open_store(); }
  auto other = ChainStore::open(dir_.file("db"), suite_, testing::test_chain_id(suite_, "other"));
  EXPECT_EQ(other.status().code(), "wrong_chain");
  auto other_suite = ChainStore::open(dir_.file("db"), sm2_sm3(), testing::test_chain_id(suite_));
  EXPECT_EQ(other_suite.status().code(), "wrong_chain");
}

TEST_F(ChainStoreTest, OpenExistingReadsChainIdAndSuiteFromTheStore) {
  { build_chain(*open_store(), consortium_, {.blocks = 2}); }
  auto store = ChainStore::open_existing(dir_.file("db"));
  ASSERT_TRUE(store.ok()) << store.status().to_string();
  EXPECT_EQ((*store)->chain_id(), testing::test_chain_id(suite_));
  EXPECT_EQ((*store)->suite().name(), suite_.name());
  EXPECT_EQ((*store)->height(), 2u);
  EXPECT_EQ(ChainStore::open_existing(dir_.file("nothing-here")).status().code(), "not_found");
}

TEST_F(ChainStoreTest, BlockTimestampMayNotGoBackwards) {
  auto store = open_store();
  BlockDraft later;
  later.timestamp_ms = 2000;
  ASSERT_TRUE(store->append_block(later).ok());
  BlockDraft earlier;
  earlier.timestamp_ms = 1999;
  EXPECT_EQ(store->append_block(earlier).status().code(), "bad_block");
  EXPECT_EQ(store->height(), 1u);
}

TEST_F(ChainStoreTest, EnvelopeOfAnotherSuiteIsRefusedWholeBlock) {
  auto store = open_store();
  BlockDraft draft;
  draft.timestamp_ms = 1;
  Envelope foreign = testing::make_envelope(consortium_.author, "hosp-a", "dr-li", 1);
  foreign.suite = "md5-rsa";
  draft.leaves.push_back({foreign, consortium_.author.public_key, ExecutionResult::accept()});
  EXPECT_EQ(store->append_block(draft).status().code(), "bad_block");
  EXPECT_EQ(store->height(), 0u);
  EXPECT_EQ(store->tree_size(), 0u);
}

TEST_F(ChainStoreTest, DamagedFrontierNodeIsCorruptionOnReadWriteOpen) {
  {
    auto store = open_store();
    build_chain(*store, consortium_, {.blocks = 2, .leaves_per_block = 3});  // 6 leaves: (2,0),(1,2)
    ASSERT_TRUE(store->db()->Put(rocksdb::WriteOptions(), store->column_family(ColumnFamily::kMerkle),
                                 ChainStore::merkle_key(1, 2), std::string(32, 'x')).ok());
  }
  auto reopened = ChainStore::open(dir_.file("db"), suite_, testing::test_chain_id(suite_), fast());
  EXPECT_EQ(reopened.status().code(), "corruption");
  // Read-only tools still open it, so that verification can name the bad height.
  EXPECT_TRUE(ChainStore::open_existing(dir_.file("db")).ok());
}

TEST_F(ChainStoreTest, ProofsFromTheStoreVerifyAgainstHeaderRoots) {
  auto store = open_store();
  build_chain(*store, consortium_, {.blocks = 6, .leaves_per_block = 7});
  auto old_header = store->header_at(2);
  auto new_header = store->header_at(6);
  ASSERT_TRUE(old_header.ok() && new_header.ok());
  for (uint64_t i = 0; i < new_header->tree_size; ++i) {
    auto proof = store->inclusion_proof(i, new_header->tree_size);
    ASSERT_TRUE(proof.ok()) << proof.status().to_string();
    Hash leaf = leaf_hash(suite_, *store->leaf_at(i));
    EXPECT_TRUE(verify_inclusion(suite_, leaf, *proof, new_header->tree_root).ok()) << i;
  }
  auto consistency = store->consistency_proof(old_header->tree_size, new_header->tree_size);
  ASSERT_TRUE(consistency.ok());
  EXPECT_TRUE(verify_consistency(suite_, *consistency, old_header->tree_root,
                                 new_header->tree_root).ok());
  EXPECT_EQ(*store->root_at(old_header->tree_size), old_header->tree_root);
}

TEST(BlockEncoding, RoundTripsAndRejectsDamage) {
  const auto& suite = ed25519_sha256();
  Block block;
  block.header.height = 7;
  block.header.chain_id = suite.hash(as_bytes("x"));
  block.checkpoints.push_back({{block.header.chain_id, 6, {}, 10, {}}, {{"org/n1", {1, 2}, {3}}}});
  Bytes encoded = encode_block(block);
  auto decoded = decode_block(encoded);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, block);

  Bytes truncated(encoded.begin(), encoded.end() - 1);
  EXPECT_EQ(decode_block(truncated).status().code(), "corruption");
  Bytes trailing = encoded;
  trailing.push_back(0);
  EXPECT_EQ(decode_block(trailing).status().code(), "corruption");
  // Flipping any byte must never crash, and never decode to the same block.
  for (size_t i = 0; i < encoded.size(); ++i) {
    Bytes damaged = encoded;
    damaged[i] ^= 0xff;
    auto r = decode_block(damaged);
    EXPECT_TRUE(!r.ok() || !(*r == block)) << "byte " << i;
  }
}

}  // namespace
}  // namespace medtrail::ledger
