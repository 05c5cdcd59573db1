#include "medtrail/ledger/merkle.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "ledger/merkle_test_util.h"
#include "medtrail/ledger/merkle_log.h"

namespace medtrail::ledger {
namespace {

const CryptoSuite& suite() { return ed25519_sha256(); }

Hash H(std::string_view hex) { return hash_from_hex(hex).value(); }

// RFC 6962 reference data as published by the transparency-dev/merkle Go module (successor
// of the certificate-transparency-go and trillian `merkle` packages):
//   testonly/constants.go      — leaf inputs, node hashes, roots of sizes 0..8;
//   testonly/reference_test.go — TestRefInclusionProof, TestRefConsistencyProof;
//   proof/verify_test.go       — inclusionProofs (1-based leaf numbers there, 0-based
//                                here), consistencyProofs.
const char* const kLeafInputsHex[] = {"",
                                      "00",
                                      "10",
                                      "2021",
                                      "3031",
                                      "40414243",
                                      "5051525354555657",
                                      "606162636465666768696a6b6c6d6e6f"};

const char* const kRootsHex[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",  // size 0
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",  // size 8
};

// NodeHashes(): [level][index] of every perfect subtree of the 8-leaf tree.
const std::vector<std::vector<const char*>> kNodeHashesHex = {
    {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
     "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
     "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
     "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
     "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
     "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
     "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
     "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"},
    {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
     "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
     "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
     "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"},
    {"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
     "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"},
    {"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"},
};

struct ReferenceProof {
  uint64_t a;  // leaf index, or first size
  uint64_t b;  // tree size, or second size
  std::vector<const char*> path;
};

const ReferenceProof kInclusionVectors[] = {
    {0, 1, {}},
    {0, 2, {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"}},
    {1, 2, {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"}},
    {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1,
     5,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {0,
     8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5,
     8,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

const ReferenceProof kConsistencyVectors[] = {
    {1, 1, {}},
    {1,
     8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {2,
     5,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6,
     8,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {6,
     7,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

std::vector<Hash> hashes(const std::vector<const char*>& hex) {
  std::vector<Hash> out;
  for (const char* h : hex) out.push_back(H(h));
  return out;
}

std::vector<Hash> reference_leaf_hashes() {
  std::vector<Hash> out;
  for (const char* hex : kLeafInputsHex) {
    out.push_back(merkle_leaf_hash(suite(), from_hex(hex).value()));
  }
  return out;
}

Hash root_of_size(size_t n) { return H(kRootsHex[n]); }

InclusionProof reference_inclusion(const ReferenceProof& v) {
  return InclusionProof{v.a, v.b, hashes(v.path)};
}
ConsistencyProof reference_consistency(const ReferenceProof& v) {
  return ConsistencyProof{v.a, v.b, hashes(v.path)};
}

// ---- Hashing ----

TEST(MerkleHashing, EmptyRootIsTheHashOfTheEmptyString) {
  EXPECT_EQ(merkle_empty_root(suite()), root_of_size(0));
  EXPECT_EQ(merkle_root_of(suite(), {}), root_of_size(0));
}

TEST(MerkleHashing, RootsMatchRfc6962ReferenceVectors) {
  std::vector<Hash> leaves = reference_leaf_hashes();
  for (size_t n = 1; n <= leaves.size(); ++n) {
    std::vector<Hash> prefix(leaves.begin(), leaves.begin() + n);
    EXPECT_EQ(to_hex(merkle_root_of(suite(), prefix)), kRootsHex[n]) << "size " << n;
  }
}

TEST(MerkleHashing, LeafAndNodeHashesAreDomainSeparated) {
  const Hash a = merkle_leaf_hash(suite(), as_bytes("a"));
  const Hash b = merkle_leaf_hash(suite(), as_bytes("b"));
  const uint8_t leaf_prefix = 0x00;
  const uint8_t node_prefix = 0x01;
  EXPECT_EQ(a, suite().hash_parts({ByteView(&leaf_prefix, 1), as_bytes("a")}));
  EXPECT_EQ(merkle_node_hash(suite(), a, b),
            suite().hash_parts({ByteView(&node_prefix, 1), ByteView(a), ByteView(b)}));
  EXPECT_NE(merkle_node_hash(suite(), a, b), merkle_node_hash(suite(), b, a));
}

TEST(MerkleHashing, Sm3SuiteUsesItsOwnHash) {
  const CryptoSuite& sm3 = sm2_sm3();
  const uint8_t leaf_prefix = 0x00;
  EXPECT_EQ(merkle_leaf_hash(sm3, as_bytes("rx")),
            sm3.hash_parts({ByteView(&leaf_prefix, 1), as_bytes("rx")}));
  EXPECT_EQ(merkle_empty_root(sm3), sm3.hash(ByteView()));
  EXPECT_NE(merkle_empty_root(sm3), merkle_empty_root(suite()));
}

// ---- verify_inclusion ----

TEST(MerkleVerifyInclusion, AcceptsRfc6962ReferencePaths) {
  std::vector<Hash> leaves = reference_leaf_hashes();
  for (const ReferenceProof& v : kInclusionVectors) {
    Status st = verify_inclusion(suite(), leaves[v.a], reference_inclusion(v), root_of_size(v.b));
    EXPECT_TRUE(st.ok()) << v.a << "/" << v.b << ": " << st.to_string();
  }
}

TEST(MerkleVerifyInclusion, TamperedPathElementIsInvalid) {
  std::vector<Hash> leaves = reference_leaf_hashes();
  for (const ReferenceProof& v : kInclusionVectors) {
    for (size_t i = 0; i < v.path.size(); ++i) {
      InclusionProof proof = reference_inclusion(v);
      proof.path[i][0] ^= 0x08;
      EXPECT_EQ(verify_inclusion(suite(), leaves[v.a], proof, root_of_size(v.b)).code(),
                "proof_invalid");
    }
  }
}

TEST(MerkleVerifyInclusion, WrongLeafHashOrRootIsInvalid) {
  std::vector<Hash> leaves = reference_leaf_hashes();
  for (const ReferenceProof& v : kInclusionVectors) {
    InclusionProof proof = reference_inclusion(v);
    const Hash other_leaf = leaves[(v.a + 1) % leaves.size()];
    EXPECT_EQ(verify_inclusion(suite(), other_leaf, proof, root_of_size(v.b)).code(),
              "proof_invalid");
    EXPECT_EQ(verify_inclusion(suite(), leaves[v.a], proof, root_of_size(0)).code(),
              "proof_invalid");
  }
}

TEST(MerkleVerifyInclusion, WrongLeafIndexIsInvalid) {
  // In a tree of 8 every path has 3 elements, so only the hashing can tell.
  std::vector<Hash> leaves = reference_leaf_hashes();
  for (const ReferenceProof& v : {kInclusionVectors[5], kInclusionVectors[6]}) {
    for (uint64_t index : {v.a ^ 1, v.a ^ 2, v.a ^ 4}) {
      InclusionProof proof = reference_inclusion(v);
      proof.leaf_index = index;
      EXPECT_EQ(verify_inclusion(suite(), leaves[v.a], proof, root_of_size(8)).code(),
                "proof_invalid")
          << index;
    }
  }
}

// A tree size of the same shape for this leaf (7 and 8 for leaf 5) hashes identically: the
// size is bound by the signed tree head that carries the root, not by the path.
TEST(MerkleVerifyInclusion, TreeSizeOfAnotherShapeIsMalformed) {
  std::vector<Hash> leaves = reference_leaf_hashes();
  for (uint64_t wrong_size : {4, 5, 6, 16}) {
    InclusionProof proof = reference_inclusion(kInclusionVectors[6]);  // leaf 5 of 8
    proof.tree_size = wrong_size;
    EXPECT_EQ(verify_inclusion(suite(), leaves[5], proof, root_of_size(8)).code(),
              "proof_malformed")
        << wrong_size;
  }
}

TEST(MerkleVerifyInclusion, TruncatedOrExtendedPathIsMalformed) {
  std::vector<Hash> leaves = reference_leaf_hashes();
  for (const ReferenceProof& v : kInclusionVectors) {
    InclusionProof longer = reference_inclusion(v);
    longer.path.push_back(root_of_size(v.b));
    EXPECT_EQ(verify_inclusion(suite(), leaves[v.a], longer, root_of_size(v.b)).code(),
              "proof_malformed");
    InclusionProof prefixed = reference_inclusion(v);
    prefixed.path.insert(prefixed.path.begin(), root_of_size(v.b));
    EXPECT_EQ(verify_inclusion(suite(), leaves[v.a], prefixed, root_of_size(v.b)).code(),
              "proof_malformed");
    if (v.path.empty()) continue;
    InclusionProof shorter = reference_inclusion(v);
    shorter.path.pop_back();
    EXPECT_EQ(verify_inclusion(suite(), leaves[v.a], shorter, root_of_size(v.b)).code(),
              "proof_malformed");
  }
}

TEST(MerkleVerifyInclusion, IndexNotBelowTreeSizeIsMalformed) {
  const Hash leaf = reference_leaf_hashes()[0];
  for (auto [index, size] : {std::pair<uint64_t, uint64_t>{0, 0}, {1, 1}, {8, 8}, {9, 8}}) {
    EXPECT_EQ(verify_inclusion(suite(), leaf, InclusionProof{index, size, {}}, leaf).code(),
              "proof_malformed")
        << index << "/" << size;
  }
}

// ---- verify_consistency ----

TEST(MerkleVerifyConsistency, AcceptsRfc6962ReferenceProofs) {
  for (const ReferenceProof& v : kConsistencyVectors) {
    Status st =
        verify_consistency(suite(), reference_consistency(v), root_of_size(v.a), root_of_size(v.b));
    EXPECT_TRUE(st.ok()) << v.a << "/" << v.b << ": " << st.to_string();
  }
}

TEST(MerkleVerifyConsistency, TamperedPathElementIsInvalid) {
  for (const ReferenceProof& v : kConsistencyVectors) {
    for (size_t i = 0; i < v.path.size(); ++i) {
      ConsistencyProof proof = reference_consistency(v);
      proof.path[i][0] ^= 0x10;
      EXPECT_EQ(verify_consistency(suite(), proof, root_of_size(v.a), root_of_size(v.b)).code(),
                "proof_invalid")
          << v.a << "/" << v.b << " element " << i;
    }
  }
}

TEST(MerkleVerifyConsistency, WrongOrSwappedRootsAreInvalid) {
  for (const ReferenceProof& v : kConsistencyVectors) {
    if (v.a == v.b) continue;
    ConsistencyProof proof = reference_consistency(v);
    EXPECT_EQ(verify_consistency(suite(), proof, root_of_size(v.b), root_of_size(v.a)).code(),
              "proof_invalid");
    EXPECT_EQ(verify_consistency(suite(), proof, root_of_size(v.a), root_of_size(0)).code(),
              "proof_invalid");
    EXPECT_EQ(verify_consistency(suite(), proof, root_of_size(0), root_of_size(v.b)).code(),
              "proof_invalid");
  }
}

TEST(MerkleVerifyConsistency, TruncatedExtendedOrEmptyPathIsMalformed) {
  for (const ReferenceProof& v : kConsistencyVectors) {
    if (v.a == v.b) continue;
    const Hash first = root_of_size(v.a);
    const Hash second = root_of_size(v.b);
    ConsistencyProof longer = reference_consistency(v);
    longer.path.push_back(second);
    EXPECT_EQ(verify_consistency(suite(), longer, first, second).code(), "proof_malformed");
    ConsistencyProof shorter = reference_consistency(v);
    shorter.path.pop_back();
    EXPECT_EQ(verify_consistency(suite(), shorter, first, second).code(), "proof_malformed");
    ConsistencyProof empty = reference_consistency(v);
    empty.path.clear();
    EXPECT_EQ(verify_consistency(suite(), empty, first, second).code(), "proof_malformed");
  }
}

TEST(MerkleVerifyConsistency, WrongSizesAreRejected) {
  for (const ReferenceProof& v : kConsistencyVectors) {
    if (v.a == v.b) continue;
    // The probes of proof/verify_test.go's corruptConsistencyProof.
    for (auto [first, second] : {std::pair<uint64_t, uint64_t>{v.a - 1, v.b},
                                 {v.a + 1, v.b},
                                 {v.a ^ 2, v.b},
                                 {v.a, v.b * 2},
                                 {v.a, v.b / 2}}) {
      ConsistencyProof proof = reference_consistency(v);
      proof.first_size = first;
      proof.second_size = second;
      EXPECT_FALSE(verify_consistency(suite(), proof, root_of_size(v.a), root_of_size(v.b)).ok())
          << first << "/" << second << " with the proof for " << v.a << "/" << v.b;
    }
  }
}

TEST(MerkleVerifyConsistency, FirstSizeAboveSecondIsMalformed) {
  ConsistencyProof proof{5, 2, hashes(kConsistencyVectors[2].path)};
  EXPECT_EQ(verify_consistency(suite(), proof, root_of_size(5), root_of_size(2)).code(),
            "proof_malformed");
}

TEST(MerkleVerifyConsistency, EqualSizesNeedAnEmptyPathAndEqualRoots) {
  EXPECT_TRUE(
      verify_consistency(suite(), ConsistencyProof{8, 8, {}}, root_of_size(8), root_of_size(8))
          .ok());
  EXPECT_EQ(
      verify_consistency(suite(), ConsistencyProof{8, 8, {}}, root_of_size(8), root_of_size(7))
          .code(),
      "proof_invalid");
  EXPECT_EQ(verify_consistency(suite(), ConsistencyProof{8, 8, {root_of_size(8)}}, root_of_size(8),
                               root_of_size(8))
                .code(),
            "proof_malformed");
}

// RFC 9162 leaves proofs from the empty tree undefined; medtrail accepts them with an empty
// path, provided the first root really is the empty root.
TEST(MerkleVerifyConsistency, EveryTreeExtendsTheEmptyTree) {
  EXPECT_TRUE(
      verify_consistency(suite(), ConsistencyProof{0, 5, {}}, root_of_size(0), root_of_size(5))
          .ok());
  EXPECT_TRUE(
      verify_consistency(suite(), ConsistencyProof{0, 0, {}}, root_of_size(0), root_of_size(0))
          .ok());
  EXPECT_EQ(
      verify_consistency(suite(), ConsistencyProof{0, 5, {}}, root_of_size(1), root_of_size(5))
          .code(),
      "proof_invalid");
  EXPECT_EQ(verify_consistency(suite(), ConsistencyProof{0, 5, {root_of_size(5)}}, root_of_size(0),
                               root_of_size(5))
                .code(),
            "proof_malformed");
}

// ---- MerkleLog against the reference tree ----

MerkleLog reference_log(InMemoryMerkleNodes& nodes) {
  MerkleLog log(suite());
  for (const Hash& leaf : reference_leaf_hashes()) append_and_store(log, nodes, leaf);
  return log;
}

TEST(MerkleLogReference, StoresExactlyTheReferenceNodeHashes) {
  MerkleLog log(suite());
  std::map<MerkleNodeId, Hash> written;
  std::vector<Hash> leaves = reference_leaf_hashes();
  for (size_t i = 0; i < leaves.size(); ++i) {
    std::vector<MerkleNode> writes;
    log.append(leaves[i], writes);
    for (const MerkleNode& node : writes) EXPECT_TRUE(written.emplace(node.id, node.hash).second);
    EXPECT_EQ(to_hex(log.root()), kRootsHex[i + 1]) << "size " << i + 1;
  }
  std::map<MerkleNodeId, Hash> expected;
  for (size_t level = 0; level < kNodeHashesHex.size(); ++level) {
    for (size_t index = 0; index < kNodeHashesHex[level].size(); ++index) {
      expected[MerkleNodeId{static_cast<uint8_t>(level), index}] = H(kNodeHashesHex[level][index]);
    }
  }
  EXPECT_EQ(written, expected);
}

TEST(MerkleLogReference, RootsAtEveryPastSizeMatch) {
  InMemoryMerkleNodes nodes;
  MerkleLog log = reference_log(nodes);
  for (uint64_t n = 0; n <= 8; ++n) EXPECT_EQ(to_hex(*log.root_at(nodes, n)), kRootsHex[n]);
}

TEST(MerkleLogReference, ProducesTheReferenceProofs) {
  InMemoryMerkleNodes nodes;
  MerkleLog log = reference_log(nodes);
  for (const ReferenceProof& v : kInclusionVectors) {
    Result<InclusionProof> proof = log.inclusion_proof(nodes, v.a, v.b);
    ASSERT_TRUE(proof.ok()) << proof.status().to_string();
    EXPECT_EQ(proof->path, hashes(v.path)) << v.a << "/" << v.b;
  }
  for (const ReferenceProof& v : kConsistencyVectors) {
    Result<ConsistencyProof> proof = log.consistency_proof(nodes, v.a, v.b);
    ASSERT_TRUE(proof.ok()) << proof.status().to_string();
    EXPECT_EQ(proof->path, hashes(v.path)) << v.a << "/" << v.b;
  }
}

}  // namespace
}  // namespace medtrail::ledger
