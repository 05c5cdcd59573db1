#pragma once
// RFC 9162 §2.1 Merkle tree hashing (identical to RFC 6962 §2.1) over a suite's hash,
// and the stateless checks of inclusion and consistency proofs (RFC 9162 §2.1.3.2, §2.1.4.2).

#include <cstdint>
#include <vector>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

// H(0x00 || data)
Hash merkle_leaf_hash(const CryptoSuite& suite, ByteView leaf_data);
// H(0x01 || left || right)
Hash merkle_node_hash(const CryptoSuite& suite, const Hash& left, const Hash& right);
// MTH of the empty tree: H("").
Hash merkle_empty_root(const CryptoSuite& suite);
// MTH(D[0:n]) computed directly from all leaf hashes (reference / small trees).
Hash merkle_root_of(const CryptoSuite& suite, const std::vector<Hash>& leaf_hashes);

struct InclusionProof {
  uint64_t leaf_index = 0;
  uint64_t tree_size = 0;
  std::vector<Hash> path;  // audit path, leaf's sibling first
};

struct ConsistencyProof {
  uint64_t first_size = 0;
  uint64_t second_size = 0;
  std::vector<Hash> path;
};

// Error codes: `proof_invalid` (well-formed but does not match the root),
// `proof_malformed` (index ≥ size, sizes out of order, wrong path length).
Status verify_inclusion(const CryptoSuite& suite, const Hash& leaf_hash,
                        const InclusionProof& proof, const Hash& root);
Status verify_consistency(const CryptoSuite& suite, const ConsistencyProof& proof,
                          const Hash& first_root, const Hash& second_root);

}  // namespace medtrail::ledger
