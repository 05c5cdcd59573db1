#pragma once
// In-memory stand-ins for the Merkle node store, shared by the Merkle and chain tests.

#include <bit>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "medtrail/ledger/merkle.h"
#include "medtrail/ledger/merkle_log.h"

namespace medtrail::ledger {

// The leaf hash of a test log's leaf `i`: H(0x00 || be64(i)).
inline Hash numbered_leaf_hash(const CryptoSuite& suite, uint64_t i) {
  Bytes data;
  append_be64(data, i);
  return merkle_leaf_hash(suite, data);
}

class InMemoryMerkleNodes final : public MerkleNodeReader {
 public:
  Result<Hash> get_node(MerkleNodeId id) const override {
    auto it = nodes_.find(id);
    if (it == nodes_.end()) {
      return Status::error("not_found", "no Merkle node at level " + std::to_string(id.level) +
                                            " index " + std::to_string(id.index));
    }
    return it->second;
  }

  void put(const std::vector<MerkleNode>& writes) {
    for (const MerkleNode& node : writes) nodes_[node.id] = node.hash;
  }
  void erase(MerkleNodeId id) { nodes_.erase(id); }
  size_t size() const { return nodes_.size(); }

 private:
  std::map<MerkleNodeId, Hash> nodes_;
};

// Counts get_node calls, to check that proofs stay O(log n) in store reads.
class CountingMerkleNodes final : public MerkleNodeReader {
 public:
  explicit CountingMerkleNodes(const MerkleNodeReader& inner) : inner_(inner) {}
  Result<Hash> get_node(MerkleNodeId id) const override {
    ++reads_;
    return inner_.get_node(id);
  }
  uint64_t reads() const { return reads_; }
  void reset() { reads_ = 0; }

 private:
  const MerkleNodeReader& inner_;
  mutable uint64_t reads_ = 0;
};

// Appends `leaf_hash` to `log` and persists the resulting nodes in `nodes`.
inline void append_and_store(MerkleLog& log, InMemoryMerkleNodes& nodes, const Hash& leaf_hash) {
  std::vector<MerkleNode> writes;
  log.append(leaf_hash, writes);
  nodes.put(writes);
}

// A test oracle that follows RFC 9162 §2.1.1 MTH, §2.1.3.1 PATH and §2.1.4.1 PROOF /
// SUBPROOF literally over a vector of leaf hashes. MTH of each range is memoised, which
// keeps it usable at 10^5 leaves without changing what it computes.
class NaiveMerkleTree {
 public:
  NaiveMerkleTree(const CryptoSuite& suite, std::vector<Hash> leaves)
      : suite_(suite), leaves_(std::move(leaves)) {}

  size_t size() const { return leaves_.size(); }

  // MTH(D[begin:end]).
  Hash root(uint64_t begin, uint64_t end) const {
    if (begin == end) return merkle_empty_root(suite_);
    if (end - begin == 1) return leaves_[begin];
    auto it = memo_.find({begin, end});
    if (it != memo_.end()) return it->second;
    const uint64_t k = split(end - begin);
    Hash h = merkle_node_hash(suite_, root(begin, begin + k), root(begin + k, end));
    memo_.emplace(std::pair{begin, end}, h);
    return h;
  }
  Hash root(uint64_t n) const { return root(0, n); }

  // PATH(m, D[0:n]).
  std::vector<Hash> path(uint64_t m, uint64_t n) const { return path(m, 0, n); }
  // PROOF(m, D[0:n]).
  std::vector<Hash> proof(uint64_t m, uint64_t n) const {
    if (m == 0) return {};  // medtrail's convention; the RFC leaves it undefined
    return subproof(m, 0, n, true);
  }

 private:
  static uint64_t split(uint64_t n) { return std::bit_floor(n - 1); }

  std::vector<Hash> path(uint64_t m, uint64_t begin, uint64_t end) const {
    const uint64_t n = end - begin;
    if (n == 1) return {};
    const uint64_t k = split(n);
    std::vector<Hash> out;
    if (m < k) {
      out = path(m, begin, begin + k);
      out.push_back(root(begin + k, end));
    } else {
      out = path(m - k, begin + k, end);
      out.push_back(root(begin, begin + k));
    }
    return out;
  }

  std::vector<Hash> subproof(uint64_t m, uint64_t begin, uint64_t end, bool b) const {
    const uint64_t n = end - begin;
    if (m == n) return b ? std::vector<Hash>{} : std::vector<Hash>{root(begin, end)};
    const uint64_t k = split(n);
    std::vector<Hash> out;
    if (m <= k) {
      out = subproof(m, begin, begin + k, b);
      out.push_back(root(begin + k, end));
    } else {
      out = subproof(m - k, begin + k, end, false);
      out.push_back(root(begin, begin + k));
    }
    return out;
  }

  const CryptoSuite& suite_;
  std::vector<Hash> leaves_;
  mutable std::map<std::pair<uint64_t, uint64_t>, Hash> memo_;
};

}  // namespace medtrail::ledger
