// The state map's nodes in a RocksDB family (state_map_rocksdb.h): the same nodes and stale
// entries as in memory, pruning in bounded steps, and stale keys checked before they delete.
#include "medtrail/ledger/state_map_rocksdb.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ledger/state_map_testing.h"
#include "medtrail/ledger/state_map.h"
#include "medtrail/ledger/state_map_memory.h"
#include "support/chain_fixture.h"

namespace medtrail::ledger {
namespace {

using namespace state_map_testing;

// The same map kept in a RocksDB family: a column family of its own in a fresh database.
class StateMapRocksDbTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }
  void TearDown() override { close(); }
  void open() {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> families{{rocksdb::kDefaultColumnFamilyName, {}},
                                                          {"state_map", {}}};
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir_.file("db"), families, &handles_, &db).ok());
    db_.reset(db);
    nodes_ = std::make_unique<StateMapRocksDbNodes>(*db_, *handles_[1]);
    map_ = std::make_unique<StateMap>(suite(), *nodes_);
  }
  void close() {
    map_.reset();
    nodes_.reset();
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    handles_.clear();
    db_.reset();
  }
  void write(const StateMapWrite& w) {
    rocksdb::WriteBatch batch;
    ASSERT_TRUE(nodes_->add(w, batch).ok());
    ASSERT_TRUE(db_->Write(rocksdb::WriteOptions(), &batch).ok());
  }
  size_t prune(uint64_t keep_from, size_t limit) {
    rocksdb::WriteBatch batch;
    const size_t taken = must(nodes_->prune(keep_from, limit, batch));
    EXPECT_TRUE(db_->Write(rocksdb::WriteOptions(), &batch).ok());
    return taken;
  }
  size_t count(uint8_t tag) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[1]));
    size_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) n += it->key()[0] == tag ? 1 : 0;
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    return n;
  }

  testing::TempDir dir_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<StateMapRocksDbNodes> nodes_;
  std::unique_ptr<StateMap> map_;
};

// Nodes in RocksDB give what nodes in memory give, after a reopen too; pruning in bounded
// steps keeps exactly what memory pruning keeps.
TEST_F(StateMapRocksDbTest, NodesInRocksDbAgreeWithNodesInMemory) {
  std::mt19937_64 rng(7);
  std::vector<Hash> seeds{random_hash(rng), random_hash(rng), random_hash(rng)};
  StateMapMemoryNodes memory_nodes;
  StateMap memory(suite(), memory_nodes);
  std::vector<Entries> versions(1);
  std::vector<Hash> keys;
  for (uint64_t v = 1; v <= 15; ++v) {
    Changes changes;
    for (int i = 0; i < 60; ++i) {
      if (!keys.empty() && rng() % 3 == 0) {
        changes[keys[rng() % keys.size()]] = std::nullopt;
      } else {
        keys.push_back(clustered_key(rng, seeds));
        changes[keys.back()] = random_hash(rng);
      }
    }
    Entries next = versions.back();
    const std::vector<StateMapChange> list = apply_changes(changes, next);
    const std::optional<uint64_t> base = v == 1 ? std::nullopt : std::optional<uint64_t>(v - 1);
    const StateMapWrite in_rocks = must(map_->update(base, v, list));
    write(in_rocks);
    const StateMapWrite in_memory = must(memory.update(base, v, list));
    memory_nodes.apply(in_memory);
    ASSERT_EQ(in_rocks.nodes, in_memory.nodes) << "version " << v;
    ASSERT_EQ(in_rocks.stale, in_memory.stale) << "version " << v;
    versions.push_back(next);
  }
  close();
  ASSERT_NO_FATAL_FAILURE(open());
  for (uint64_t v = 1; v <= 15; ++v) {
    ASSERT_EQ(must(map_->root(v)), reference_root(versions[v]));
    for (size_t i = 0; i < keys.size(); i += 7) {
      const Hash root = must(map_->root(v));
      auto it = versions[v].find(keys[i]);
      std::optional<Hash> value;
      if (it != versions[v].end()) value = it->second;
      EXPECT_TRUE(
          verify_state_proof_hashed(suite(), root, keys[i], value, must(map_->prove(v, keys[i])))
              .ok());
    }
  }
  memory_nodes.prune(10);
  size_t steps = 0;
  for (size_t taken = prune(10, 25); taken > 0 && steps < 1000; taken = prune(10, 25)) {
    EXPECT_LE(taken, 25u);
    ++steps;
  }
  EXPECT_GT(steps, 1u);
  EXPECT_LT(steps, 1000u);
  EXPECT_EQ(count(kStateMapNodeTag), memory_nodes.node_count());
  EXPECT_EQ(count(kStateMapStaleTag), memory_nodes.stale_count());
  EXPECT_EQ(map_->root(9).status().code(), "not_found");
  for (uint64_t v = 10; v <= 15; ++v) {
    for (const auto& [k, val] : versions[v]) {
      EXPECT_TRUE(
          verify_state_proof_hashed(suite(), must(map_->root(v)), k, val, must(map_->prove(v, k)))
              .ok());
    }
  }
}

TEST_F(StateMapRocksDbTest, AStaleEntryThatNamesNoNodeIsDroppedAlone) {
  write(must(map_->update(std::nullopt, 1, {{Hash{}, Hash{}}})));
  Bytes bad{kStateMapStaleTag};
  append_be64(bad, 1);
  bad.push_back('?');
  ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), handles_[1],
                       rocksdb::Slice(reinterpret_cast<const char*>(bad.data()), bad.size()), "")
                  .ok());
  // One that names a node of a version it could not have replaced (version 1's root, said to
  // be replaced at version 1): dropped, the node kept.
  Bytes wrong{kStateMapStaleTag};
  append_be64(wrong, 1);
  const Bytes root = state_map_root_key(1);
  wrong.insert(wrong.end(), root.begin(), root.end());
  ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), handles_[1],
                       rocksdb::Slice(reinterpret_cast<const char*>(wrong.data()), wrong.size()),
                       "")
                  .ok());
  EXPECT_EQ(prune(5, 100), 2u);
  EXPECT_EQ(count(kStateMapStaleTag), 0u);
  EXPECT_EQ(count(kStateMapNodeTag), 1u);
  EXPECT_TRUE(map_->root(1).ok());
  // Nothing left to take, and a limit of none takes nothing.
  EXPECT_EQ(prune(UINT64_MAX, 100), 0u);
  write(must(map_->update(1, 2, {{Hash{}, std::nullopt}})));
  EXPECT_EQ(prune(UINT64_MAX, 0), 0u);
  EXPECT_EQ(prune(UINT64_MAX, 100), 1u);  // version 1's root, replaced at 2
  EXPECT_EQ(map_->root(1).status().code(), "not_found");
  EXPECT_TRUE(map_->root(2).ok());
}

// Serves `source`, running `prune` once, just after the second node is read: a proof of the
// oldest kept version racing the block that prunes it. `pin` says whether it offers the
// source's pinned view (as RocksDB's does) or none.
class PrunedAfterTheRoot : public StateMapNodeSource {
 public:
  PrunedAfterTheRoot(const StateMapNodeSource& source, std::function<void()>& prune, bool pin)
      : source_(source), prune_(prune), pin_(pin) {}
  Result<std::optional<Bytes>> read_node(ByteView key) const override {
    if (++reads_ == 2) prune_();
    return source_.read_node(key);
  }
  std::unique_ptr<const StateMapNodeSource> pinned() const override {
    if (!pin_) return nullptr;
    auto view = std::make_unique<Owning>(source_.pinned());
    view->reader = std::make_unique<PrunedAfterTheRoot>(*view->view, prune_, false);
    return view;
  }

 private:
  // The pinned view, read through a PrunedAfterTheRoot of its own.
  struct Owning : StateMapNodeSource {
    explicit Owning(std::unique_ptr<const StateMapNodeSource> v) : view(std::move(v)) {}
    Result<std::optional<Bytes>> read_node(ByteView key) const override {
      return reader->read_node(key);
    }
    std::unique_ptr<const StateMapNodeSource> view;
    std::unique_ptr<PrunedAfterTheRoot> reader;
  };
  const StateMapNodeSource& source_;
  std::function<void()>& prune_;
  const bool pin_;
  mutable int reads_ = 0;
};

TEST_F(StateMapRocksDbTest, AProofRacingThePruneOfItsVersionReadsOneSnapshot) {
  std::mt19937_64 rng(11);
  std::vector<StateMapChange> keys;
  for (int i = 0; i < 300; ++i) keys.push_back({random_hash(rng), random_hash(rng)});
  for (uint64_t v = 1; v <= 3; ++v) {  // every key changed in every version: all nodes replaced
    for (auto& k : keys) k.value_hash = random_hash(rng);
    write(must(map_->update(v == 1 ? std::nullopt : std::optional<uint64_t>(v - 1), v, keys)));
  }
  const Hash key = keys.front().key_hash;
  const Hash root_1 = must(map_->root(1));
  const std::optional<Hash> value_1 = must(map_->get(1, key));
  ASSERT_TRUE(value_1.has_value());

  std::function<void()> prune_to_3 = [this] { prune(3, SIZE_MAX); };
  const PrunedAfterTheRoot pinned(*nodes_, prune_to_3, /*pin=*/true);
  const StateProof proof = must(StateMap(suite(), pinned).prove(1, key));
  EXPECT_TRUE(verify_state_proof_hashed(suite(), root_1, key, value_1, proof).ok());
  EXPECT_EQ(map_->root(1).status().code(), "not_found");  // the prune did land

  // Without the view, the same race finds the version's lower nodes gone.
  for (auto& k : keys) k.value_hash = random_hash(rng);
  write(must(map_->update(3, 4, keys)));
  std::function<void()> prune_to_4 = [this] { prune(4, SIZE_MAX); };
  const PrunedAfterTheRoot unpinned(*nodes_, prune_to_4, /*pin=*/false);
  EXPECT_EQ(StateMap(suite(), unpinned).prove(3, key).status().code(), "corruption");
}

TEST(StateMapKeys, StaleKeysNameTheVersionThatReplacedANode) {
  EXPECT_EQ(decode_stale_state_key(as_bytes("S")).status().code(), "corruption");
  Bytes odd{kStateMapStaleTag};
  append_be64(odd, 9);
  odd.push_back(kStateMapNodeTag);
  append_be64(odd, 8);
  odd.push_back(3);  // depth 3: two bytes of path, the last nibble zero
  odd.push_back(0xab);
  odd.push_back(0xc1);
  EXPECT_EQ(decode_stale_state_key(odd).status().code(), "corruption");
  odd.back() = 0xc0;
  EXPECT_TRUE(decode_stale_state_key(odd).ok());
  odd.push_back(0);
  EXPECT_EQ(decode_stale_state_key(odd).status().code(), "corruption");
  Bytes key{kStateMapStaleTag};
  append_be64(key, 9);
  const Bytes root = state_map_root_key(8);
  key.insert(key.end(), root.begin(), root.end());
  const auto stale = must(decode_stale_state_key(key));
  EXPECT_EQ(stale.replaced_at, 9u);
  EXPECT_EQ(Bytes(stale.node_key.begin(), stale.node_key.end()), root);
}

}  // namespace
}  // namespace medtrail::ledger
