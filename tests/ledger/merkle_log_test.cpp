#include "medtrail/ledger/merkle_log.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <random>
#include <vector>

#include "ledger/merkle_test_util.h"

namespace medtrail::ledger {
namespace {

const CryptoSuite& suite() { return ed25519_sha256(); }

Hash leaf_hash_of(uint64_t i) { return numbered_leaf_hash(suite(), i); }

std::vector<Hash> leaf_hashes(uint64_t n) {
  std::vector<Hash> out;
  out.reserve(n);
  for (uint64_t i = 0; i < n; ++i) out.push_back(leaf_hash_of(i));
  return out;
}

// A log of `n` leaves with its nodes in memory, and the naive tree over the same leaves.
struct BuiltLog {
  explicit BuiltLog(uint64_t n) : log(suite()), naive(suite(), leaf_hashes(n)) {
    for (uint64_t i = 0; i < n; ++i) append_and_store(log, nodes, leaf_hash_of(i));
  }
  InMemoryMerkleNodes nodes;
  MerkleLog log;
  NaiveMerkleTree naive;
};

// ---- Appending and reopening ----

TEST(MerkleLog, EmptyLogHasTheEmptyRoot) {
  InMemoryMerkleNodes nodes;
  MerkleLog log(suite());
  EXPECT_EQ(log.size(), 0u);
  EXPECT_EQ(log.root(), merkle_empty_root(suite()));
  EXPECT_EQ(*log.root_at(nodes, 0), merkle_empty_root(suite()));
  EXPECT_TRUE(log.consistency_proof(nodes, 0, 0)->path.empty());
}

TEST(MerkleLog, AppendWritesTheLeafAndOneNodePerTrailingOneBit) {
  MerkleLog log(suite());
  for (uint64_t i = 0; i < 5000; ++i) {
    std::vector<MerkleNode> writes;
    log.append(leaf_hash_of(i), writes);
    const int carries = std::countr_one(i);
    ASSERT_EQ(writes.size(), 1u + carries) << "leaf " << i;
    EXPECT_EQ(writes.front().id, (MerkleNodeId{0, i}));
    EXPECT_EQ(writes.front().hash, leaf_hash_of(i));
    // The last write is the perfect subtree the new leaf completes: it ends at leaf i.
    EXPECT_EQ(writes.back().id, (MerkleNodeId{static_cast<uint8_t>(carries), i >> carries}));
  }
}

TEST(MerkleLog, RootAfterEveryAppendMatchesMerkleRootOf) {
  MerkleLog log(suite());
  std::vector<Hash> leaves;
  for (uint64_t i = 0; i < 300; ++i) {
    std::vector<MerkleNode> writes;
    log.append(leaf_hash_of(i), writes);
    leaves.push_back(leaf_hash_of(i));
    ASSERT_EQ(log.root(), merkle_root_of(suite(), leaves)) << "size " << i + 1;
  }
}

TEST(MerkleLog, ReopenedLogHasTheSameRootAndContinuesIdentically) {
  constexpr uint64_t kTotal = 300;
  for (uint64_t n : {0, 1, 2, 3, 7, 8, 100, 255, 256, 257}) {
    BuiltLog prefix(n);
    CountingMerkleNodes counting(prefix.nodes);
    Result<MerkleLog> reopened = MerkleLog::open(suite(), counting, n);
    ASSERT_TRUE(reopened.ok()) << reopened.status().to_string();
    EXPECT_EQ(counting.reads(), static_cast<uint64_t>(std::popcount(n)));  // the frontier only
    EXPECT_EQ(reopened->size(), n);
    EXPECT_EQ(reopened->root(), prefix.log.root());

    for (uint64_t i = n; i < kTotal; ++i) {
      std::vector<MerkleNode> uninterrupted_writes;
      std::vector<MerkleNode> reopened_writes;
      prefix.log.append(leaf_hash_of(i), uninterrupted_writes);
      reopened->append(leaf_hash_of(i), reopened_writes);
      ASSERT_EQ(reopened_writes.size(), uninterrupted_writes.size());
      for (size_t w = 0; w < reopened_writes.size(); ++w) {
        EXPECT_EQ(reopened_writes[w].id, uninterrupted_writes[w].id);
        EXPECT_EQ(reopened_writes[w].hash, uninterrupted_writes[w].hash);
      }
      ASSERT_EQ(reopened->root(), prefix.log.root()) << "reopened at " << n << ", size " << i;
    }
  }
}

TEST(MerkleLog, OpenFailsWhenAFrontierNodeIsMissing) {
  BuiltLog built(7);
  built.nodes.erase(MerkleNodeId{1, 2});  // leaves 4..5, part of the frontier of 7
  EXPECT_EQ(MerkleLog::open(suite(), built.nodes, 7).status().code(), "not_found");
}

TEST(MerkleLog, ReaderErrorsArePropagated) {
  BuiltLog built(8);
  built.nodes.erase(MerkleNodeId{0, 3});
  EXPECT_EQ(built.log.inclusion_proof(built.nodes, 2, 8).status().code(), "not_found");
  EXPECT_EQ(built.log.consistency_proof(built.nodes, 3, 8).status().code(), "not_found");
  // The root of 5 leaves reads only (2, 0) and (0, 4), which are intact.
  EXPECT_TRUE(built.log.root_at(built.nodes, 5).ok());
}

TEST(MerkleLog, ArgumentsBeyondTheLogAreOutOfRange) {
  BuiltLog built(10);
  const MerkleLog& log = built.log;
  EXPECT_EQ(log.root_at(built.nodes, 11).status().code(), "out_of_range");
  EXPECT_EQ(log.inclusion_proof(built.nodes, 0, 11).status().code(), "out_of_range");
  EXPECT_EQ(log.inclusion_proof(built.nodes, 5, 5).status().code(), "out_of_range");
  EXPECT_EQ(log.inclusion_proof(built.nodes, 0, 0).status().code(), "out_of_range");
  EXPECT_EQ(log.consistency_proof(built.nodes, 4, 11).status().code(), "out_of_range");
  EXPECT_EQ(log.consistency_proof(built.nodes, 6, 5).status().code(), "out_of_range");
  EXPECT_TRUE(log.consistency_proof(built.nodes, 0, 10).ok());
  EXPECT_TRUE(log.consistency_proof(built.nodes, 10, 10)->path.empty());
}

// ---- Every proof of every small tree, against the naive RFC definitions ----

const BuiltLog& log_of_300() {
  static const BuiltLog built(300);
  return built;
}

TEST(MerkleLogProperty, RootAtEveryPastSizeMatchesMerkleRootOf) {
  const BuiltLog& built = log_of_300();
  std::vector<Hash> prefix;
  for (uint64_t n = 0; n <= 300; ++n) {
    if (n > 0) prefix.push_back(leaf_hash_of(n - 1));
    Result<Hash> root = built.log.root_at(built.nodes, n);
    ASSERT_TRUE(root.ok()) << root.status().to_string();
    ASSERT_EQ(*root, merkle_root_of(suite(), prefix)) << "size " << n;
  }
}

TEST(MerkleLogProperty, EveryInclusionProofUpTo300LeavesMatchesTheRfcPathAndVerifies) {
  const BuiltLog& built = log_of_300();
  for (uint64_t n = 1; n <= 300; ++n) {
    const Hash root = built.naive.root(n);
    for (uint64_t i = 0; i < n; ++i) {
      Result<InclusionProof> proof = built.log.inclusion_proof(built.nodes, i, n);
      ASSERT_TRUE(proof.ok()) << proof.status().to_string();
      ASSERT_EQ(proof->path, built.naive.path(i, n)) << "leaf " << i << " of " << n;
      Status st = verify_inclusion(suite(), leaf_hash_of(i), *proof, root);
      ASSERT_TRUE(st.ok()) << "leaf " << i << " of " << n << ": " << st.to_string();
    }
  }
}

TEST(MerkleLogProperty, EveryConsistencyProofUpTo300LeavesMatchesTheRfcProofAndVerifies) {
  const BuiltLog& built = log_of_300();
  for (uint64_t n = 0; n <= 300; ++n) {
    const Hash second_root = built.naive.root(n);
    for (uint64_t m = 0; m <= n; ++m) {
      Result<ConsistencyProof> proof = built.log.consistency_proof(built.nodes, m, n);
      ASSERT_TRUE(proof.ok()) << proof.status().to_string();
      ASSERT_EQ(proof->path, built.naive.proof(m, n)) << m << " -> " << n;
      Status st = verify_consistency(suite(), *proof, built.naive.root(m), second_root);
      ASSERT_TRUE(st.ok()) << m << " -> " << n << ": " << st.to_string();
    }
  }
}

// ---- Random proofs in a large log ----

TEST(MerkleLogLarge, RandomProofsIn100kLeavesVerifyWithLogarithmicReads) {
  constexpr uint64_t kLeaves = 100'000;
  constexpr uint64_t kMaxReadsPerProof = 2 * 64;
  const BuiltLog built(kLeaves);
  CountingMerkleNodes counting(built.nodes);
  std::mt19937_64 rng(0x6d65647472616c);  // fixed: the test is deterministic
  for (int trial = 0; trial < 200; ++trial) {
    const uint64_t n = 1 + rng() % kLeaves;
    const uint64_t m = rng() % (n + 1);
    const uint64_t index = rng() % n;
    const Hash first_root = built.naive.root(m);
    const Hash second_root = built.naive.root(n);

    counting.reset();
    Result<Hash> root = built.log.root_at(counting, n);
    ASSERT_TRUE(root.ok()) << root.status().to_string();
    EXPECT_EQ(*root, second_root);
    EXPECT_LE(counting.reads(), 64u);

    counting.reset();
    Result<InclusionProof> inclusion = built.log.inclusion_proof(counting, index, n);
    ASSERT_TRUE(inclusion.ok()) << inclusion.status().to_string();
    EXPECT_LE(counting.reads(), kMaxReadsPerProof) << "leaf " << index << " of " << n;
    EXPECT_EQ(inclusion->path, built.naive.path(index, n));
    EXPECT_TRUE(verify_inclusion(suite(), leaf_hash_of(index), *inclusion, second_root).ok())
        << "leaf " << index << " of " << n;

    counting.reset();
    Result<ConsistencyProof> consistency = built.log.consistency_proof(counting, m, n);
    ASSERT_TRUE(consistency.ok()) << consistency.status().to_string();
    EXPECT_LE(counting.reads(), kMaxReadsPerProof) << m << " -> " << n;
    EXPECT_EQ(consistency->path, built.naive.proof(m, n));
    EXPECT_TRUE(verify_consistency(suite(), *consistency, first_root, second_root).ok())
        << m << " -> " << n;
  }
}

}  // namespace
}  // namespace medtrail::ledger
