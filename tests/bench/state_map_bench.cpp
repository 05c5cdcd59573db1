// The authenticated state map (issue 20): proofs of one key, their size and verification, and
// one block's update, as the map grows. Growth must be O(log n): compare the rows by size.
//
// Sizes 10^4, 10^5 and 10^6 run by default; MEDTRAIL_STATE_MAP_BENCH_LARGE=1 adds 10^7 (about
// 1.5 GB of memory and a few minutes to build). The map is built in memory, in versions of
// 100,000 keys, older versions pruned as it grows.

#include <benchmark/benchmark.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/bench_support.h"
#include "medtrail/ledger/state_map.h"
#include "medtrail/ledger/state_map_memory.h"
#include "medtrail/ledger/state_map_rocksdb.h"
#include "support/chain_fixture.h"

namespace {

using medtrail::ledger::Bytes;
using medtrail::ledger::ByteView;
using medtrail::ledger::Hash;
using medtrail::ledger::StateMap;
using medtrail::ledger::StateMapChange;
using medtrail::ledger::StateMapMemoryNodes;
using medtrail::ledger::StateProof;

const medtrail::ledger::CryptoSuite& suite() { return medtrail::ledger::ed25519_sha256(); }

Hash hash_of(uint64_t i, uint8_t salt) {
  Bytes b{salt};
  medtrail::ledger::append_be64(b, i);
  return suite().hash(b);
}
Hash key_of(uint64_t i) { return hash_of(i, 'k'); }
Hash value_of(uint64_t i) { return hash_of(i, 'v'); }

using medtrail::bench::spread;

// Keys [first, end) with their values: one version's worth of a fixture's map.
std::vector<StateMapChange> inserts(uint64_t first, uint64_t end) {
  std::vector<StateMapChange> changes;
  for (uint64_t i = first; i < end; ++i) changes.push_back({key_of(i), value_of(i)});
  return changes;
}
// Block `round`'s state writes: kBlockKeys existing keys, spread over the map, given new values.
constexpr uint64_t kBlockKeys = 500;
std::vector<StateMapChange> block_of_changes(uint64_t round, uint64_t n) {
  std::vector<StateMapChange> changes;
  for (uint64_t i = 0; i < kBlockKeys; ++i) {
    changes.push_back({key_of(spread(round * kBlockKeys + i, n)), value_of(n + round)});
  }
  return changes;
}

std::optional<uint64_t> base_of(uint64_t version) {
  return version == 0 ? std::nullopt : std::optional(version);
}

struct Fixture {
  explicit Fixture(uint64_t n) : map(suite(), nodes) {
    constexpr uint64_t kPerVersion = 100'000;
    for (uint64_t first = 0; first < n; first += kPerVersion) {
      auto changes = inserts(first, std::min(n, first + kPerVersion));
      nodes.apply(map.update(base_of(version), version + 1, std::move(changes)).value());
      ++version;
      nodes.prune(version);
    }
  }
  StateMapMemoryNodes nodes;
  StateMap map;
  uint64_t version = 0;
};

Fixture& fixture(uint64_t n) { return medtrail::bench::built_once<Fixture>(n); }

size_t proof_bytes(const StateProof& p) {
  return 2 + (p.leaf ? 2 * medtrail::ledger::kHashSize : 0) +
         p.siblings.size() * medtrail::ledger::kHashSize;
}

void BM_StateMapProve(benchmark::State& state) {
  const uint64_t n = state.range(0);
  const Fixture& f = fixture(n);
  uint64_t i = 0;
  size_t siblings = 0, bytes = 0;
  for (auto _ : state) {
    auto proof = f.map.prove(f.version, key_of(spread(i++, n)));
    if (!proof.ok()) {
      state.SkipWithError(proof.status().to_string().c_str());
      break;
    }
    siblings += proof->siblings.size();
    bytes += proof_bytes(*proof);
  }
  state.counters["siblings"] = static_cast<double>(siblings) / static_cast<double>(i);
  state.counters["proof_bytes"] = static_cast<double>(bytes) / static_cast<double>(i);
  state.counters["nodes"] = static_cast<double>(f.nodes.node_count());
}

void BM_StateMapProveAbsent(benchmark::State& state) {
  const uint64_t n = state.range(0);
  const Fixture& f = fixture(n);
  uint64_t i = 0;
  size_t bytes = 0;
  for (auto _ : state) {
    auto proof = f.map.prove(f.version, key_of(n + i++));
    if (!proof.ok()) {
      state.SkipWithError(proof.status().to_string().c_str());
      break;
    }
    bytes += proof_bytes(*proof);
  }
  state.counters["proof_bytes"] = static_cast<double>(bytes) / static_cast<double>(i);
}

void BM_StateMapVerify(benchmark::State& state) {
  const uint64_t n = state.range(0);
  const Fixture& f = fixture(n);
  const Hash root = f.map.root(f.version).value();
  std::vector<StateProof> proofs;
  std::vector<uint64_t> keys;
  for (uint64_t i = 0; i < 256; ++i) {
    keys.push_back(spread(i, n));
    proofs.push_back(f.map.prove(f.version, key_of(keys.back())).value());
  }
  size_t i = 0;
  for (auto _ : state) {
    auto st = medtrail::ledger::verify_state_proof_hashed(suite(), root, key_of(keys[i]),
                                                          value_of(keys[i]), proofs[i]);
    if (!st.ok()) {
      state.SkipWithError("state proof did not verify");
      break;
    }
    i = (i + 1) % proofs.size();
  }
}

// One block's worth of state writes (500 keys changed) on top of the map, nodes encoded but
// not stored: the work apply would add per block. Every block starts from the same stored
// version, so none reads what the one before kept in memory (StateMap's top levels): each
// reads every node it replaces from the store, as the first block after a restart does.
// contracts_bench's BM_StateMapVsWithout stores every block and keeps them.
void BM_StateMapUpdateBlock(benchmark::State& state) {
  const uint64_t n = state.range(0);
  Fixture& f = fixture(n);
  uint64_t round = 0;
  size_t written = 0;
  for (auto _ : state) {
    auto changes = block_of_changes(round++, n);
    f.map.forget_top_levels();
    auto write = f.map.update(f.version, f.version + 1, std::move(changes));
    if (!write.ok()) {
      state.SkipWithError(write.status().to_string().c_str());
      break;
    }
    written += write->nodes.size();
  }
  state.counters["nodes_per_key"] =
      static_cast<double>(written) / static_cast<double>(round * kBlockKeys);
  state.SetItemsProcessed(static_cast<int64_t>(round * kBlockKeys));
}

// Ends the benchmark run with what failed (a fixture cannot skip a benchmark).
void must_succeed(bool ok, const std::string& what) {
  if (ok) return;
  std::fprintf(stderr, "state map bench: %s\n", what.c_str());
  std::exit(1);
}

// The map with its nodes in RocksDB: a family with the table settings of chain_store.cpp (a
// partitioned bloom filter, a two-level index, index and filter blocks in a 64 MiB block
// cache), built in versions of 20,000 keys, each written in one batch with the pruning of the
// version before, then compacted so that no compaction runs while the benchmark times.
struct RocksFixture {
  explicit RocksFixture(uint64_t n) {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    rocksdb::BlockBasedTableOptions table;
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    table.partition_filters = true;
    table.index_type = rocksdb::BlockBasedTableOptions::IndexType::kTwoLevelIndexSearch;
    table.block_cache = rocksdb::NewLRUCache(64 << 20);
    table.cache_index_and_filter_blocks = true;
    table.cache_index_and_filter_blocks_with_high_priority = true;
    table.pin_l0_filter_and_index_blocks_in_cache = true;
    rocksdb::ColumnFamilyOptions family;
    family.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    std::vector<rocksdb::ColumnFamilyDescriptor> families{{rocksdb::kDefaultColumnFamilyName, {}},
                                                          {"state_map", family}};
    rocksdb::DB* raw = nullptr;
    const rocksdb::Status opened =
        rocksdb::DB::Open(options, dir.file("db"), families, &handles, &raw);
    must_succeed(opened.ok(), "opening RocksDB: " + opened.ToString());
    db.reset(raw);
    nodes = std::make_unique<medtrail::ledger::StateMapRocksDbNodes>(*db, *handles[1]);
    map = std::make_unique<StateMap>(suite(), *nodes);
    constexpr uint64_t kPerVersion = 20'000;
    for (uint64_t first = 0; first < n; first += kPerVersion) {
      auto changes = inserts(first, std::min(n, first + kPerVersion));
      rocksdb::WriteBatch batch;
      auto write = map->update(base_of(version), version + 1, std::move(changes));
      must_succeed(write.ok(), "update: " + write.status().to_string());
      must_succeed(nodes->add(*write, batch).ok(), "adding a version to a batch");
      must_succeed(nodes->prune(version, SIZE_MAX, batch).ok(), "pruning");
      must_succeed(db->Write(rocksdb::WriteOptions(), &batch).ok(), "writing a version");
      ++version;
    }
    must_succeed(
        db->CompactRange(rocksdb::CompactRangeOptions(), handles[1], nullptr, nullptr).ok(),
        "compacting");
    // The fixture cache is a static built before RocksDB's own (its default Env, its logger),
    // so it is destroyed after them: closing the database then crashed the run at exit. A
    // handler registered now runs before those statics are gone.
    open_fixtures().push_back(this);
    if (open_fixtures().size() == 1) std::atexit([] {
      for (RocksFixture* f : open_fixtures()) f->close();
    });
  }
  ~RocksFixture() { close(); }
  void close() {
    if (!db) return;
    map.reset();
    nodes.reset();
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    handles.clear();
    db.reset();
  }
  static std::vector<RocksFixture*>& open_fixtures() {
    static std::vector<RocksFixture*> all;
    return all;
  }
  medtrail::testing::TempDir dir;
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  std::unique_ptr<medtrail::ledger::StateMapRocksDbNodes> nodes;
  std::unique_ptr<StateMap> map;
  uint64_t version = 0;
};

RocksFixture& rocks_fixture(uint64_t n) {
  return medtrail::bench::built_once<RocksFixture>(n);
}

void BM_StateMapRocksDbProve(benchmark::State& state) {
  const uint64_t n = state.range(0);
  const RocksFixture& f = rocks_fixture(n);
  uint64_t i = 0;
  for (auto _ : state) {
    auto proof = f.map->prove(f.version, key_of(spread(i++, n)));
    if (!proof.ok()) {
      state.SkipWithError(proof.status().to_string().c_str());
      break;
    }
  }
}

// One block's update read from RocksDB, nodes added to a batch (not written).
void BM_StateMapRocksDbUpdateBlock(benchmark::State& state) {
  const uint64_t n = state.range(0);
  RocksFixture& f = rocks_fixture(n);
  uint64_t round = 0;
  for (auto _ : state) {
    auto changes = block_of_changes(round++, n);
    f.map->forget_top_levels();
    auto write = f.map->update(f.version, f.version + 1, std::move(changes));
    rocksdb::WriteBatch batch;
    if (!write.ok() || !f.nodes->add(*write, batch).ok()) {
      state.SkipWithError("update failed");
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(round * kBlockKeys));
}

void sizes(benchmark::internal::Benchmark* b) {
  b->Arg(10'000)->Arg(100'000)->Arg(1'000'000);
  const char* large = std::getenv("MEDTRAIL_STATE_MAP_BENCH_LARGE");
  if (large != nullptr && std::string_view(large) == "1") b->Arg(10'000'000);
}

BENCHMARK(BM_StateMapProve)->Apply(sizes);
BENCHMARK(BM_StateMapProveAbsent)->Apply(sizes);
BENCHMARK(BM_StateMapVerify)->Apply(sizes);
BENCHMARK(BM_StateMapUpdateBlock)->Apply(sizes);
BENCHMARK(BM_StateMapRocksDbProve)->Arg(1'000'000);
BENCHMARK(BM_StateMapRocksDbUpdateBlock)->Arg(1'000'000);

}  // namespace
