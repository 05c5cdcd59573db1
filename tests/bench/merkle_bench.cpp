// Merkle proof generation and verification at 10^3 and 10^6 leaves, with the node store in
// memory (one flat vector per level) so that only the Merkle work is measured.
// No BENCHMARK_MAIN here: the bench executable gets its main from benchmark::benchmark_main.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "medtrail/ledger/merkle.h"
#include "bench/bench_support.h"
#include "ledger/merkle_test_util.h"
#include "medtrail/ledger/merkle_log.h"

namespace {

using medtrail::ledger::ConsistencyProof;
using medtrail::ledger::CryptoSuite;
using medtrail::ledger::Hash;
using medtrail::ledger::InclusionProof;
using medtrail::ledger::MerkleLog;
using medtrail::ledger::MerkleNode;
using medtrail::ledger::MerkleNodeId;
using medtrail::ledger::MerkleNodeReader;
using medtrail::ledger::Result;
using medtrail::ledger::Status;

const CryptoSuite& suite() { return medtrail::ledger::ed25519_sha256(); }

class FlatNodes final : public MerkleNodeReader {
 public:
  Result<Hash> get_node(MerkleNodeId id) const override {
    if (id.level >= levels_.size() || id.index >= levels_[id.level].size()) {
      return Status::error("not_found", "no such Merkle node");
    }
    return levels_[id.level][id.index];
  }
  void put(const std::vector<MerkleNode>& writes) {
    for (const MerkleNode& node : writes) {
      if (levels_.size() <= node.id.level) levels_.resize(node.id.level + 1);
      std::vector<Hash>& level = levels_[node.id.level];
      if (level.size() <= node.id.index) level.resize(node.id.index + 1);
      level[node.id.index] = node.hash;
    }
  }

 private:
  std::vector<std::vector<Hash>> levels_;
};

Hash leaf_hash_of(uint64_t i) { return medtrail::ledger::numbered_leaf_hash(suite(), i); }

struct Fixture {
  explicit Fixture(uint64_t n) : log(suite()) {
    std::vector<MerkleNode> writes;
    for (uint64_t i = 0; i < n; ++i) {
      writes.clear();
      log.append(leaf_hash_of(i), writes);
      nodes.put(writes);
    }
  }
  FlatNodes nodes;
  MerkleLog log;
};

const Fixture& fixture(uint64_t n) { return medtrail::bench::built_once<Fixture>(n); }

using medtrail::bench::spread;

void BM_InclusionProof(benchmark::State& state) {
  const uint64_t n = state.range(0);
  const Fixture& f = fixture(n);
  uint64_t i = 0;
  for (auto _ : state) {
    Result<InclusionProof> proof = f.log.inclusion_proof(f.nodes, spread(i++, n), n);
    benchmark::DoNotOptimize(proof);
  }
}

void BM_VerifyInclusion(benchmark::State& state) {
  const uint64_t n = state.range(0);
  const Fixture& f = fixture(n);
  const Hash root = f.log.root();
  std::vector<InclusionProof> proofs;
  for (uint64_t i = 0; i < 256; ++i) {
    proofs.push_back(f.log.inclusion_proof(f.nodes, spread(i, n), n).value());
  }
  std::vector<Hash> leaves;
  for (const InclusionProof& p : proofs) leaves.push_back(leaf_hash_of(p.leaf_index));
  size_t i = 0;
  for (auto _ : state) {
    Status st = medtrail::ledger::verify_inclusion(suite(), leaves[i], proofs[i], root);
    if (!st.ok()) state.SkipWithError("inclusion proof did not verify");
    i = (i + 1) % proofs.size();
  }
}

void BM_ConsistencyProof(benchmark::State& state) {
  const uint64_t n = state.range(0);
  const Fixture& f = fixture(n);
  uint64_t i = 0;
  for (auto _ : state) {
    Result<ConsistencyProof> proof = f.log.consistency_proof(f.nodes, 1 + spread(i++, n), n);
    benchmark::DoNotOptimize(proof);
  }
}

void BM_VerifyConsistency(benchmark::State& state) {
  const uint64_t n = state.range(0);
  const Fixture& f = fixture(n);
  const Hash second_root = f.log.root();
  std::vector<ConsistencyProof> proofs;
  std::vector<Hash> first_roots;
  for (uint64_t i = 0; i < 256; ++i) {
    const uint64_t m = 1 + spread(i, n);
    proofs.push_back(f.log.consistency_proof(f.nodes, m, n).value());
    first_roots.push_back(f.log.root_at(f.nodes, m).value());
  }
  size_t i = 0;
  for (auto _ : state) {
    Status st =
        medtrail::ledger::verify_consistency(suite(), proofs[i], first_roots[i], second_root);
    if (!st.ok()) state.SkipWithError("consistency proof did not verify");
    i = (i + 1) % proofs.size();
  }
}

BENCHMARK(BM_InclusionProof)->Arg(1'000)->Arg(1'000'000);
BENCHMARK(BM_VerifyInclusion)->Arg(1'000)->Arg(1'000'000);
BENCHMARK(BM_ConsistencyProof)->Arg(1'000)->Arg(1'000'000);
BENCHMARK(BM_VerifyConsistency)->Arg(1'000)->Arg(1'000'000);

}  // namespace
