#pragma once
// One node of the state map's Jellyfish Merkle tree: sixteen child slots, one per value of the
// next 4 bits of path, and its hash under the sparse Merkle tree's rules (state_proof.h).
//
// Encoding: be16(slots present) || be16(slots that are entries) || per present slot, in order:
// an entry's key hash and value hash, or a subtree's be64(version) and hash || the hashes of the
// node's inner parts (below) that are subtrees, in heap order. Which parts those are follows from
// the slots, so the length is exact. Storing them lets an update rehash only the paths of the
// slots it changes (about 5 hashes a node instead of up to 31) and a proof read its siblings.

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

// The binary tree inside a node, heap-ordered: part [1] is the node, [2*i] and [2*i + 1] the
// halves of [i], and [16 + s] slot s. A part holding one entry is that entry (kind leaf); one
// holding two or more, or a subtree, is a subtree, whose hash combines its halves'.
struct Node {
  std::array<Child, kSlots> children;
  // inner[i], 1 ≤ i < 16: the hash of part i when it is a subtree (stored with the node).
  std::array<Hash, kSlots> inner{};
  size_t present() const;
};

// What each part is, from the slots alone (no hashing).
struct Shape {
  std::array<Child::Kind, 2 * kSlots> kind{};
  std::array<uint8_t, 2 * kSlots> entry{};  // kind leaf: the slot holding the part's entry
};
Shape node_shape(const Node& node);

// `shape` is node_shape(node).
Bytes encode_node(const Node& node, const Shape& shape);
// Into `out`, which it overwrites: a node is 2 KiB, and an update decodes one per level.
Status decode_node(ByteView data, Node& out);

// Part `at`'s hash: zero, its entry's leaf hash, or its subtree's hash.
Hash part_hash(const CryptoSuite& suite, const Node& node, const Shape& shape, size_t at);
// The node's hash: part 1's.
Hash node_hash(const CryptoSuite& suite, const Node& node);
// Recomputes node.inner on the paths of the slots in `changed` (bit s: slot s). Every other
// subtree part's hash must be current already. Returns the node's shape.
Shape rehash(const CryptoSuite& suite, Node& node, uint16_t changed);

// Nibble `index` of a path, the high nibble of its first byte being nibble 0.
inline uint8_t nibble(const Hash& path, size_t index) {
  const uint8_t byte = path[index / 2];
  return index % 2 == 0 ? static_cast<uint8_t>(byte >> 4) : static_cast<uint8_t>(byte & 0x0f);
}

// 'N' || be64(version) || u8(depth) || the first `depth` nibbles of `path`, packed.
Bytes node_key(uint64_t version, const Hash& path, size_t depth);

}  // namespace medtrail::ledger::state_map_detail
