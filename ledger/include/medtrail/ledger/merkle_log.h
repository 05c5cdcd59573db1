#pragma once
// An append-only Merkle log kept incrementally in a node store.
//
// Only hashes of *perfect* subtrees are ever stored: node (level, index) covers leaves
// [index << level, (index + 1) << level). Level 0 holds the leaf hashes. Appending a leaf
// writes the leaf and each perfect subtree it completes (amortised O(1), at most
// O(log n) writes); the log keeps the "frontier" — the perfect subtrees that make up the
// current size, one per set bit — in memory, so the current root needs no reads.
// A root of any past size, an inclusion proof or a consistency proof reads O(log n)
// stored nodes; the whole tree is never recomputed.

#include <cstdint>
#include <optional>
#include <vector>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/merkle.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

struct MerkleNodeId {
  uint8_t level = 0;
  uint64_t index = 0;
  bool operator==(const MerkleNodeId&) const = default;
  auto operator<=>(const MerkleNodeId&) const = default;
};

struct MerkleNode {
  MerkleNodeId id;
  Hash hash;
};

// Read access to stored perfect-subtree hashes. Returns `not_found` for a node that was
// never written and `corruption` for a stored value that is not a hash.
class MerkleNodeReader {
 public:
  virtual ~MerkleNodeReader() = default;
  virtual Result<Hash> get_node(MerkleNodeId id) const = 0;
};

class MerkleLog {
 public:
  // An empty log.
  explicit MerkleLog(const CryptoSuite& suite);
  // The log of `size` leaves whose nodes are in `reader`: reads the frontier (≤ 64 nodes).
  static Result<MerkleLog> open(const CryptoSuite& suite, const MerkleNodeReader& reader,
                                uint64_t size);

  uint64_t size() const { return size_; }
  // MTH of the current tree, from the frontier alone.
  Hash root() const;

  // Appends one leaf hash; pushes every node that becomes stored (the leaf itself and each
  // completed perfect subtree) onto `writes`, for the caller to persist atomically.
  void append(const Hash& leaf_hash, std::vector<MerkleNode>& writes);

  // These read persisted nodes through `reader`; sizes must be ≤ size().
  // Errors: `out_of_range` for bad sizes or indexes, or the reader's error.
  Result<Hash> root_at(const MerkleNodeReader& reader, uint64_t tree_size) const;
  Result<InclusionProof> inclusion_proof(const MerkleNodeReader& reader, uint64_t leaf_index,
                                         uint64_t tree_size) const;
  Result<ConsistencyProof> consistency_proof(const MerkleNodeReader& reader,
                                             uint64_t first_size, uint64_t second_size) const;

 private:
  const CryptoSuite* suite_;
  uint64_t size_ = 0;
  // frontier_[level] is set iff bit `level` of size_ is set: the hash of the perfect
  // subtree of 2^level leaves in the binary decomposition of size_.
  std::vector<std::optional<Hash>> frontier_;
};

}  // namespace medtrail::ledger
