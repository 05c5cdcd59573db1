#pragma once
// One node of the state map's Jellyfish Merkle tree: sixteen child slots, one per value of the
// next 4 bits of path, and its hash under the sparse Merkle tree's rules (state_proof.h).
//
// Encoding: be16(slots present) || be16(slots that are entries) || per present slot, in order:
// an entry's key hash and value hash, or a subtree's be64(version) and hash. The length follows
// from the two masks, so it is exact. The hashes of the node's inner parts (below) are not
// stored (since chain format 11): they were two fifths of the map's bytes, and the map most of
// what the store writes under load (docs/benchmarks.md). Whoever needs them computes them from
// the slots: up to 31 hashes a node, its 15 inner parts and its entries' leaf hashes. The nodes
// of the three levels below the root, which most blocks rewrite, stay decoded in memory with
// theirs (StateMap); the root is read and rehashed whole every block.

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
  // inner[i], 1 ≤ i < 16: the hash of part i when it is a subtree. Computed, never stored:
  // decode_node leaves them zero, and rehash(suite, node, kAllSlots) fills them.
  std::array<Hash, kSlots> inner{};
  size_t present() const;
};

// What each part is, from the slots alone (no hashing).
struct Shape {
  std::array<Child::Kind, 2 * kSlots> kind{};
  std::array<uint8_t, 2 * kSlots> entry{};  // kind leaf: the slot holding the part's entry
};
Shape node_shape(const Node& node);

Bytes encode_node(const Node& node);
// Into `out`, which it overwrites: a node is 2 KiB, and an update decodes one per level.
// out.inner is left zero: a read that follows a path needs no hashes.
Status decode_node(ByteView data, Node& out);

// Part `at`'s hash: zero, its entry's leaf hash, or its subtree's hash.
Hash part_hash(const CryptoSuite& suite, const Node& node, const Shape& shape, size_t at);
// The node's hash: part 1's. Its inner hashes must be current (not those of a decoded node).
Hash node_hash(const CryptoSuite& suite, const Node& node);
// Recomputes node.inner on the paths of the slots in `changed` (bit s: slot s). Every other
// subtree part's hash must be current already. Returns the node's shape.
Shape rehash(const CryptoSuite& suite, Node& node, uint16_t changed);
// Every slot: rehash with it computes all of a decoded node's inner hashes.
inline constexpr uint16_t kAllSlots = 0xffff;

// Nibble `index` of a path, the high nibble of its first byte being nibble 0.
inline uint8_t nibble(const Hash& path, size_t index) {
  const uint8_t byte = path[index / 2];
  return index % 2 == 0 ? static_cast<uint8_t>(byte >> 4) : static_cast<uint8_t>(byte & 0x0f);
}

// 'N' || be64(version) || u8(depth) || the first `depth` nibbles of `path`, packed.
Bytes node_key(uint64_t version, const Hash& path, size_t depth);

}  // namespace medtrail::ledger::state_map_detail
