// MerkleLog: proofs follow the recursive definitions of RFC 9162 §2.1.3.1 (PATH) and
// §2.1.4.1 (PROOF / SUBPROOF), with every MTH(D[a:b]) they need served from stored
// perfect-subtree nodes instead of leaves.

#include "medtrail/ledger/merkle_log.h"

#include <algorithm>
#include <bit>
#include <string>

namespace medtrail::ledger {
namespace {

Status out_of_range(std::string message) {
  return Status::error("out_of_range", std::move(message));
}

// The stored node covering the perfect subtree [begin, begin + 2^level).
MerkleNodeId perfect_node(uint64_t begin, int level) {
  return MerkleNodeId{static_cast<uint8_t>(level), begin >> level};
}

// MTH(D[begin:begin+count]) for count >= 1. Every range the RFC recursion produces starts at
// a multiple of bit_ceil(count), so a power-of-two range is exactly one stored node, and any
// other range (only ever at the right edge of a tree) is the right fold of the perfect
// subtrees of its binary decomposition: popcount(count) reads.
Result<Hash> range_hash(const CryptoSuite& suite, const MerkleNodeReader& reader, uint64_t begin,
                        uint64_t count) {
  std::vector<Hash> parts;
  for (int level = 63; level >= 0; --level) {
    const uint64_t width = uint64_t{1} << level;
    if ((count & width) == 0) continue;
    Result<Hash> node = reader.get_node(perfect_node(begin, level));
    if (!node.ok()) return node.status();
    parts.push_back(*node);
    begin += width;
  }
  Hash acc = parts.back();
  for (size_t i = parts.size() - 1; i-- > 0;) acc = merkle_node_hash(suite, parts[i], acc);
  return acc;
}

}  // namespace

MerkleLog::MerkleLog(const CryptoSuite& suite) : suite_(&suite) {}

Result<MerkleLog> MerkleLog::open(const CryptoSuite& suite, const MerkleNodeReader& reader,
                                  uint64_t size) {
  MerkleLog log(suite);
  // The frontier is the binary decomposition of [0, size), largest subtree first.
  uint64_t begin = 0;
  for (int level = 63; level >= 0; --level) {
    const uint64_t width = uint64_t{1} << level;
    if ((size & width) == 0) continue;
    Result<Hash> node = reader.get_node(perfect_node(begin, level));
    if (!node.ok()) return node.status();
    if (log.frontier_.size() <= static_cast<size_t>(level)) log.frontier_.resize(level + 1);
    log.frontier_[level] = *node;
    begin += width;
  }
  log.size_ = size;
  return log;
}

Hash MerkleLog::root() const {
  if (size_ == 0) return merkle_empty_root(*suite_);
  // MTH splits off the largest perfect subtree first, so the root folds the frontier from
  // the smallest subtree (rightmost) up to the largest (leftmost).
  std::optional<Hash> acc;
  for (const std::optional<Hash>& node : frontier_) {
    if (!node) continue;
    acc = acc ? merkle_node_hash(*suite_, *node, *acc) : *node;
  }
  return *acc;
}

void MerkleLog::append(const Hash& leaf_hash, std::vector<MerkleNode>& writes) {
  // A binary counter increment: each set low bit of size_ is a left sibling that the new
  // leaf's subtree completes; the carries are the newly perfect subtrees.
  Hash acc = leaf_hash;
  size_t level = 0;
  uint64_t index = size_;
  writes.push_back(MerkleNode{MerkleNodeId{0, index}, acc});
  while (level < frontier_.size() && frontier_[level]) {
    acc = merkle_node_hash(*suite_, *frontier_[level], acc);
    frontier_[level].reset();
    ++level;
    index >>= 1;
    writes.push_back(MerkleNode{MerkleNodeId{static_cast<uint8_t>(level), index}, acc});
  }
  if (level == frontier_.size()) frontier_.emplace_back();
  frontier_[level] = acc;
  ++size_;
}

Result<Hash> MerkleLog::root_at(const MerkleNodeReader& reader, uint64_t tree_size) const {
  if (tree_size > size_) {
    return out_of_range("tree size " + std::to_string(tree_size) + " exceeds log size " +
                        std::to_string(size_));
  }
  if (tree_size == size_) return root();
  if (tree_size == 0) return merkle_empty_root(*suite_);
  return range_hash(*suite_, reader, 0, tree_size);
}

Result<InclusionProof> MerkleLog::inclusion_proof(const MerkleNodeReader& reader,
                                                  uint64_t leaf_index, uint64_t tree_size) const {
  if (tree_size > size_ || leaf_index >= tree_size) {
    return out_of_range("no leaf " + std::to_string(leaf_index) + " in a tree of size " +
                        std::to_string(tree_size) + " (log size " + std::to_string(size_) + ")");
  }
  InclusionProof proof{leaf_index, tree_size, {}};
  // PATH(m, D[begin:begin+n]), walked top-down; the RFC appends each level's sibling after
  // the deeper path, so the siblings are reversed at the end.
  uint64_t begin = 0;
  uint64_t n = tree_size;
  uint64_t m = leaf_index;
  while (n > 1) {
    const uint64_t k = std::bit_floor(n - 1);
    Result<Hash> sibling = m < k ? range_hash(*suite_, reader, begin + k, n - k)
                                 : range_hash(*suite_, reader, begin, k);
    if (!sibling.ok()) return sibling.status();
    proof.path.push_back(*sibling);
    if (m < k) {
      n = k;
    } else {
      begin += k;
      m -= k;
      n -= k;
    }
  }
  std::reverse(proof.path.begin(), proof.path.end());
  return proof;
}

Result<ConsistencyProof> MerkleLog::consistency_proof(const MerkleNodeReader& reader,
                                                      uint64_t first_size,
                                                      uint64_t second_size) const {
  if (first_size > second_size || second_size > size_) {
    return out_of_range("no consistency proof from size " + std::to_string(first_size) + " to " +
                        std::to_string(second_size) + " (log size " + std::to_string(size_) + ")");
  }
  ConsistencyProof proof{first_size, second_size, {}};
  // Empty for equal sizes (RFC 9162 §2.1.4.1) and, by our convention, from the empty tree.
  if (first_size == 0 || first_size == second_size) return proof;
  // SUBPROOF(m, D[begin:begin+n], b), walked top-down and reversed at the end like PATH.
  uint64_t begin = 0;
  uint64_t m = first_size;
  uint64_t n = second_size;
  bool whole_first_tree = true;  // b: the first tree's root is the subtree being proved
  while (m != n) {
    const uint64_t k = std::bit_floor(n - 1);
    Result<Hash> sibling = m <= k ? range_hash(*suite_, reader, begin + k, n - k)
                                  : range_hash(*suite_, reader, begin, k);
    if (!sibling.ok()) return sibling.status();
    proof.path.push_back(*sibling);
    if (m <= k) {
      n = k;
    } else {
      begin += k;
      m -= k;
      n -= k;
      whole_first_tree = false;
    }
  }
  // SUBPROOF(m, D[m], false) = {MTH(D[m])}: reached only through a left step, so [begin,
  // begin + m) is perfect and this is a single read.
  if (!whole_first_tree) {
    Result<Hash> subtree = range_hash(*suite_, reader, begin, m);
    if (!subtree.ok()) return subtree.status();
    proof.path.push_back(*subtree);
  }
  std::reverse(proof.path.begin(), proof.path.end());
  return proof;
}

}  // namespace medtrail::ledger
