// Chain store and offline verification benchmarks (issue 2).
//
// BM_AppendBlocks: 400-byte envelopes appended in blocks of 500, with and without fsync, with and
// without the search index (search_index.h: its cost on the ingest path).
// BM_VerifyChainVsRawEd25519: verify_chain over a 400-byte-envelope chain, reported as a
// ratio of the raw Ed25519 verification rate measured in the same run on the same threads.

#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <thread>

#include "medtrail/ledger/thread_pool.h"
#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/chain_verifier.h"
#include "support/chain_fixture.h"

namespace {

using namespace medtrail;

constexpr size_t kEnvelopeBytes = 400;
constexpr size_t kLeavesPerBlock = 500;

std::vector<ledger::Envelope> presigned(const ledger::KeyPair& key, size_t n, uint64_t first) {
  std::vector<ledger::Envelope> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(testing::make_envelope(key, "hosp-a", "dr-li", first + i, kEnvelopeBytes));
  }
  return out;
}

void BM_AppendBlocks(benchmark::State& state) {
  const auto& suite = ledger::ed25519_sha256();
  bool sync = state.range(0) != 0;
  testing::TempDir dir;
  ledger::ChainStoreOptions options;
  options.sync = sync;
  // search: 0 no index; 1 indexed, append parses each payload; 2 indexed, the caller hands the
  // parsed fields over as apply does.
  options.search_index = state.range(1) != 0;
  auto store = ledger::ChainStore::open(dir.file("db"), suite, testing::test_chain_id(suite), options);
  auto key = suite.generate_keypair();
  std::vector<ledger::Envelope> envelopes = presigned(*key, kLeavesPerBlock, 0);
  std::vector<std::optional<ledger::PayloadFields>> fields(envelopes.size());
  if (state.range(1) == 2) {
    for (size_t i = 0; i < envelopes.size(); ++i) fields[i] = *ledger::parse_payload(envelopes[i]);
  }
  uint64_t ts = 1'790'000'000'000;
  for (auto _ : state) {
    ledger::BlockDraft draft;
    draft.timestamp_ms = ++ts;
    draft.leaves.reserve(kLeavesPerBlock);
    for (size_t i = 0; i < envelopes.size(); ++i) {
      draft.leaves.push_back({envelopes[i], key->public_key, ledger::ExecutionResult::accept(), fields[i]});
    }
    auto header = (*store)->append_block(draft);
    if (!header.ok()) state.SkipWithError(header.status().to_string().c_str());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kLeavesPerBlock));
  state.counters["tree_size"] = static_cast<double>((*store)->tree_size());
}
BENCHMARK(BM_AppendBlocks)->ArgsProduct({{0, 1}, {0, 1, 2}})->ArgNames({"fsync", "search"})->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);

void BM_VerifyChainVsRawEd25519(benchmark::State& state) {
  const auto& suite = ledger::ed25519_sha256();
  const size_t records = static_cast<size_t>(state.range(0));
  testing::TempDir dir;
  ledger::ChainStoreOptions options;
  options.sync = false;
  auto store = ledger::ChainStore::open(dir.file("db"), suite, testing::test_chain_id(suite), options);
  testing::TestConsortium consortium(suite);
  std::vector<ledger::Envelope> all;
  for (size_t b = 0; b * kLeavesPerBlock < records; ++b) {
    auto envelopes = presigned(consortium.author, kLeavesPerBlock, b * kLeavesPerBlock);
    ledger::BlockDraft draft;
    draft.timestamp_ms = 1'790'000'000'000 + b;
    for (const auto& e : envelopes) {
      draft.leaves.push_back({e, consortium.author.public_key, ledger::ExecutionResult::accept()});
    }
    (void)(*store)->append_block(draft);
    all.insert(all.end(), envelopes.begin(), envelopes.end());
  }
  ledger::ThreadPool pool(0);
  const ledger::Bytes& pk = consortium.author.public_key;

  double raw_rate = 0;
  double chain_rate = 0;
  for (auto _ : state) {
    // The ceiling: the same signatures verified with nothing else to do, same threads.
    auto t0 = std::chrono::steady_clock::now();
    std::atomic<size_t> bad{0};
    pool.parallel_for(all.size(), [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; ++i) {
        if (!suite.verify(pk, all[i].payload, all[i].signature)) bad++;
      }
    });
    auto t1 = std::chrono::steady_clock::now();
    ledger::VerifyOptions verify_options;
    verify_options.runner = &pool;
    ledger::VerifyReport report = ledger::verify_chain(**store, verify_options);
    auto t2 = std::chrono::steady_clock::now();
    if (!report.ok || bad != 0) state.SkipWithError("verification failed");
    raw_rate = all.size() / std::chrono::duration<double>(t1 - t0).count();
    chain_rate = report.records / std::chrono::duration<double>(t2 - t1).count();
    state.SetIterationTime(std::chrono::duration<double>(t2 - t1).count());
  }
  state.counters["threads"] = static_cast<double>(pool.concurrency());
  state.counters["raw_ed25519_per_s"] = raw_rate;
  state.counters["verify_chain_per_s"] = chain_rate;
  state.counters["ratio"] = chain_rate / raw_rate;
}
BENCHMARK(BM_VerifyChainVsRawEd25519)->Arg(100'000)->Iterations(3)->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

namespace {

// Proofs read from a real RocksDB store (O(log n) point reads each), at 10^3 and 10^6 leaves.
// The leaves repeat one envelope: only the tree's shape and the store matter here.
class StoreWithLeaves {
 public:
  explicit StoreWithLeaves(uint64_t leaves) {
    const auto& suite = ledger::ed25519_sha256();
    ledger::ChainStoreOptions options;
    options.sync = false;
    store_ = std::move(ledger::ChainStore::open(dir_.file("db"), suite,
                                                testing::test_chain_id(suite), options).value());
    auto key = suite.generate_keypair();
    ledger::Envelope envelope = testing::make_envelope(*key, "hosp-a", "dr-li", 1, kEnvelopeBytes);
    for (uint64_t done = 0; done < leaves;) {
      ledger::BlockDraft draft;
      draft.timestamp_ms = done;
      for (uint64_t i = 0; i < kLeavesPerBlock && done < leaves; ++i, ++done) {
        draft.leaves.push_back({envelope, key->public_key, ledger::ExecutionResult::accept()});
      }
      (void)store_->append_block(draft);
    }
  }
  ledger::ChainStore& store() { return *store_; }

 private:
  testing::TempDir dir_;
  std::unique_ptr<ledger::ChainStore> store_;
};

StoreWithLeaves& store_of(uint64_t leaves) {
  static std::map<uint64_t, std::unique_ptr<StoreWithLeaves>> stores;
  auto& s = stores[leaves];
  if (!s) s = std::make_unique<StoreWithLeaves>(leaves);
  return *s;
}

void BM_StoreInclusionProof(benchmark::State& state) {
  auto& store = store_of(static_cast<uint64_t>(state.range(0))).store();
  uint64_t n = store.tree_size();
  uint64_t i = 0;
  for (auto _ : state) {
    auto proof = store.inclusion_proof((i += 7919) % n, n);
    benchmark::DoNotOptimize(proof);
  }
}
BENCHMARK(BM_StoreInclusionProof)->Arg(1'000)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);

void BM_StoreConsistencyProof(benchmark::State& state) {
  auto& store = store_of(static_cast<uint64_t>(state.range(0))).store();
  uint64_t n = store.tree_size();
  uint64_t i = 0;
  for (auto _ : state) {
    auto proof = store.consistency_proof(1 + (i += 7919) % (n - 1), n);
    benchmark::DoNotOptimize(proof);
  }
}
BENCHMARK(BM_StoreConsistencyProof)->Arg(1'000)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);

}  // namespace
