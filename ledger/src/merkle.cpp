// RFC 9162 §2.1 Merkle tree hashing and the proof verification algorithms of
// §2.1.3.2 (inclusion) and §2.1.4.2 (consistency).

#include "medtrail/ledger/merkle.h"

#include <bit>
#include <cstdint>
#include <string>

#include "proof_errors.h"

namespace medtrail::ledger {
namespace {

constexpr uint8_t kLeafPrefix = 0x00;
constexpr uint8_t kNodePrefix = 0x01;

// MTH(D[begin:end]) for end - begin >= 1 (RFC 9162 §2.1.1): split at the largest power
// of two smaller than n.
Hash root_of_range(const CryptoSuite& suite, const std::vector<Hash>& leaves, size_t begin,
                   size_t end) {
  size_t n = end - begin;
  if (n == 1) return leaves[begin];
  size_t k = std::bit_floor(n - 1);
  return merkle_node_hash(suite, root_of_range(suite, leaves, begin, begin + k),
                          root_of_range(suite, leaves, begin + k, end));
}

// Right-shifts fn and sn together until LSB(fn) is set or fn is 0 (RFC 9162 §2.1.3.2 step
// 4.b.ii, §2.1.4.2 step 6.b.ii).
void shift_while_lsb_clear(uint64_t& fn, uint64_t& sn) {
  while (fn != 0 && (fn & 1) == 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

Hash merkle_leaf_hash(const CryptoSuite& suite, ByteView leaf_data) {
  const uint8_t prefix = kLeafPrefix;
  return suite.hash_parts({ByteView(&prefix, 1), leaf_data});
}

Hash merkle_node_hash(const CryptoSuite& suite, const Hash& left, const Hash& right) {
  const uint8_t prefix = kNodePrefix;
  return suite.hash_parts({ByteView(&prefix, 1), ByteView(left), ByteView(right)});
}

Hash merkle_empty_root(const CryptoSuite& suite) { return suite.hash(ByteView()); }

Hash merkle_root_of(const CryptoSuite& suite, const std::vector<Hash>& leaf_hashes) {
  if (leaf_hashes.empty()) return merkle_empty_root(suite);
  return root_of_range(suite, leaf_hashes, 0, leaf_hashes.size());
}

Status verify_inclusion(const CryptoSuite& suite, const Hash& leaf_hash,
                        const InclusionProof& proof, const Hash& root) {
  if (proof.leaf_index >= proof.tree_size) {
    return proof_malformed("leaf index " + std::to_string(proof.leaf_index) +
                           " is not below tree size " + std::to_string(proof.tree_size));
  }
  uint64_t fn = proof.leaf_index;
  uint64_t sn = proof.tree_size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof.path) {
    if (sn == 0) return proof_malformed("inclusion path is longer than the tree is deep");
    if ((fn & 1) == 1 || fn == sn) {
      r = merkle_node_hash(suite, p, r);
      shift_while_lsb_clear(fn, sn);
    } else {
      r = merkle_node_hash(suite, r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return proof_malformed("inclusion path is shorter than the tree is deep");
  if (r != root) return proof_invalid("inclusion path does not lead to the root");
  return Status::ok_status();
}

// RFC 9162 leaves a proof from the empty tree undefined. We accept first_size == 0 with an
// empty path, since every tree extends the empty one, but still require first_root to be
// the empty root: no other value is the root of a tree of size 0.
Status verify_consistency(const CryptoSuite& suite, const ConsistencyProof& proof,
                          const Hash& first_root, const Hash& second_root) {
  const uint64_t first = proof.first_size;
  const uint64_t second = proof.second_size;
  if (first > second) {
    return proof_malformed("first size " + std::to_string(first) + " exceeds second size " +
                           std::to_string(second));
  }
  if (first == 0 || first == second) {
    if (!proof.path.empty()) return proof_malformed("consistency path must be empty");
    if (first == 0 && first_root != merkle_empty_root(suite)) {
      return proof_invalid("first root is not the empty tree's root");
    }
    if (first == second && first_root != second_root) {
      return proof_invalid("trees of equal size have different roots");
    }
    return Status::ok_status();
  }
  // §2.1.4.2 from here on: 0 < first < second.
  if (proof.path.empty()) return proof_malformed("consistency path is empty");
  // Step 2: when first is a power of two, its root is a node of the second tree and the
  // path starts just above it; the algorithm prepends first_root.
  const bool first_is_subtree = std::has_single_bit(first);
  size_t next = 0;
  Hash fr;
  if (first_is_subtree) {
    fr = first_root;
  } else {
    fr = proof.path[0];
    next = 1;
  }
  Hash sr = fr;
  uint64_t fn = first - 1;
  uint64_t sn = second - 1;
  // Step 4: the path starts at the largest perfect subtree ending at leaf first - 1;
  // skip the levels that subtree spans.
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  for (; next < proof.path.size(); ++next) {
    const Hash& c = proof.path[next];
    if (sn == 0) return proof_malformed("consistency path is longer than the trees require");
    if ((fn & 1) == 1 || fn == sn) {
      fr = merkle_node_hash(suite, c, fr);
      sr = merkle_node_hash(suite, c, sr);
      shift_while_lsb_clear(fn, sn);
    } else {
      sr = merkle_node_hash(suite, sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return proof_malformed("consistency path is shorter than the trees require");
  if (fr != first_root) return proof_invalid("consistency path does not lead to the first root");
  if (sr != second_root) return proof_invalid("consistency path does not lead to the second root");
  return Status::ok_status();
}

}  // namespace medtrail::ledger
