#pragma once
// One node of the state map's Jellyfish Merkle tree: sixteen child slots, one per value of the
// next 4 bits of path, and its hash under the sparse Merkle tree's rules (state_proof.h).
//
// Encoding: be16(slots present) || be16(slots that are entries) || per present slot, in order:
// an entry's key hash and value hash, or a subtree's be64(version) and hash.

#include <array>
#include <cstdint>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/state_proof.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger::state_map_detail {

inline constexpr size_t kSlots = 16;
inline constexpr size_t kNibbles = kStateMapDepth / 4;

struct Child {
  enum class Kind : uint8_t { empty, leaf, subtree };
  Kind kind = Kind::empty;
  StateMapLeaf leaf;     // kind leaf
  uint64_t version = 0;  // kind subtree: the version its node was written at
  Hash hash{};           // kind subtree: its node's hash
  bool operator==(const Child&) const = default;

  static Child of_leaf(const StateMapLeaf& l) { return {Kind::leaf, l, 0, {}}; }
  static Child of_subtree(uint64_t v, const Hash& h) { return {Kind::subtree, {}, v, h}; }
};

struct Node {
  std::array<Child, kSlots> children;
  size_t present() const;
};

Bytes encode_node(const Node& node);
Result<Node> decode_node(ByteView data);

// The binary tree inside a node, heap-ordered: [1] is the node, [2*i] and [2*i + 1] the halves
// of [i], and [16 + s] slot s. A part holding one entry is that entry (`leaf` points at it).
struct Part {
  Child::Kind kind = Child::Kind::empty;
  Hash hash{};
  const StateMapLeaf* leaf = nullptr;
};
using Parts = std::array<Part, 2 * kSlots>;
// `node` must outlive the result (the parts point into it).
Parts node_parts(const CryptoSuite& suite, const Node& node);

// Nibble `index` of a path, the high nibble of its first byte being nibble 0.
inline uint8_t nibble(const Hash& path, size_t index) {
  const uint8_t byte = path[index / 2];
  return index % 2 == 0 ? static_cast<uint8_t>(byte >> 4) : static_cast<uint8_t>(byte & 0x0f);
}

// 'N' || be64(version) || u8(depth) || the first `depth` nibbles of `path`, packed.
Bytes node_key(uint64_t version, const Hash& path, size_t depth);

}  // namespace medtrail::ledger::state_map_detail
