#include "state_map_node.h"

#include <cstring>

#include "medtrail/ledger/state_map.h"

namespace medtrail::ledger::state_map_detail {
namespace {

constexpr size_t kLeafSize = 2 * kHashSize;
constexpr size_t kSubtreeSize = 8 + kHashSize;

void append_be16(Bytes& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

Status corrupt(const std::string& what) {
  return Status::error("corruption", "a state map node " + what);
}

}  // namespace

size_t Node::present() const {
  size_t n = 0;
  for (const Child& c : children) n += c.kind != Child::Kind::empty ? 1 : 0;
  return n;
}

Shape node_shape(const Node& node) {
  using K = Child::Kind;
  Shape shape;
  for (size_t s = 0; s < kSlots; ++s) {
    shape.kind[kSlots + s] = node.children[s].kind;
    shape.entry[kSlots + s] = static_cast<uint8_t>(s);
  }
  // The sparse Merkle tree's rule: a part holding one entry is that entry's leaf.
  for (size_t i = kSlots - 1; i >= 1; --i) {
    const size_t left = 2 * i;
    const size_t right = left + 1;
    if (shape.kind[left] == K::empty && shape.kind[right] != K::subtree) {
      shape.kind[i] = shape.kind[right];
      shape.entry[i] = shape.entry[right];
    } else if (shape.kind[right] == K::empty && shape.kind[left] == K::leaf) {
      shape.kind[i] = K::leaf;
      shape.entry[i] = shape.entry[left];
    } else {
      shape.kind[i] = K::subtree;
    }
  }
  return shape;
}

Bytes encode_node(const Node& node) {
  uint16_t present = 0;
  uint16_t leaves = 0;
  for (size_t s = 0; s < kSlots; ++s) {
    const auto bit = static_cast<uint16_t>(1u << (kSlots - 1 - s));
    if (node.children[s].kind != Child::Kind::empty) present |= bit;
    if (node.children[s].kind == Child::Kind::leaf) leaves |= bit;
  }
  Bytes out;
  out.reserve(4 + kSlots * kLeafSize);
  append_be16(out, present);
  append_be16(out, leaves);
  for (const Child& c : node.children) {
    if (c.kind == Child::Kind::leaf) {
      out.insert(out.end(), c.leaf.key_hash.begin(), c.leaf.key_hash.end());
      out.insert(out.end(), c.leaf.value_hash.begin(), c.leaf.value_hash.end());
    } else if (c.kind == Child::Kind::subtree) {
      append_be64(out, c.version);
      out.insert(out.end(), c.hash.begin(), c.hash.end());
    }
  }
  return out;
}

Status decode_node(ByteView data, Node& node) {
  if (data.size() < 4) return corrupt("is shorter than its header");
  const auto present = static_cast<uint16_t>((data[0] << 8) | data[1]);
  const auto leaves = static_cast<uint16_t>((data[2] << 8) | data[3]);
  if ((leaves & ~present) != 0) return corrupt("marks an absent slot as an entry");
  node = Node{};
  size_t at = 4;
  for (size_t s = 0; s < kSlots; ++s) {
    const auto bit = static_cast<uint16_t>(1u << (kSlots - 1 - s));
    if ((present & bit) == 0) continue;
    Child& c = node.children[s];
    if ((leaves & bit) != 0) {
      if (data.size() - at < kLeafSize) return corrupt("ends inside an entry");
      c.kind = Child::Kind::leaf;
      std::memcpy(c.leaf.key_hash.data(), data.data() + at, kHashSize);
      std::memcpy(c.leaf.value_hash.data(), data.data() + at + kHashSize, kHashSize);
      at += kLeafSize;
    } else {
      if (data.size() - at < kSubtreeSize) return corrupt("ends inside a subtree's reference");
      c.kind = Child::Kind::subtree;
      c.version = read_be64(data.data() + at);
      std::memcpy(c.hash.data(), data.data() + at + 8, kHashSize);
      at += kSubtreeSize;
    }
  }
  if (at != data.size()) return corrupt("has bytes after its last slot");
  return Status::ok_status();
}

Hash part_hash(const CryptoSuite& suite, const Node& node, const Shape& shape, size_t at) {
  switch (shape.kind[at]) {
    case Child::Kind::empty:
      return Hash{};
    case Child::Kind::leaf:
      return state_leaf_hash(suite, node.children[shape.entry[at]].leaf);
    case Child::Kind::subtree:
      break;
  }
  return at >= kSlots ? node.children[at - kSlots].hash : node.inner[at];
}

Hash node_hash(const CryptoSuite& suite, const Node& node) {
  return part_hash(suite, node, node_shape(node), 1);
}

Shape rehash(const CryptoSuite& suite, Node& node, uint16_t changed) {
  std::array<bool, kSlots> redo{};
  for (size_t s = 0; s < kSlots; ++s) {
    if ((changed & (1u << s)) == 0) continue;
    for (size_t i = (kSlots + s) / 2; i >= 1 && !redo[i]; i /= 2) redo[i] = true;
  }
  const Shape shape = node_shape(node);
  for (size_t i = kSlots - 1; i >= 1; --i) {
    if (!redo[i]) continue;
    node.inner[i] = shape.kind[i] == Child::Kind::subtree
                        ? state_node_hash(suite, part_hash(suite, node, shape, 2 * i),
                                          part_hash(suite, node, shape, 2 * i + 1))
                        : Hash{};
  }
  return shape;
}

Bytes node_key(uint64_t version, const Hash& path, size_t depth) {
  Bytes key;
  key.reserve(1 + 8 + 1 + (depth + 1) / 2);
  key.push_back(kStateMapNodeTag);
  append_be64(key, version);
  key.push_back(static_cast<uint8_t>(depth));
  for (size_t i = 0; i < depth; i += 2) {
    uint8_t byte = static_cast<uint8_t>(nibble(path, i) << 4);
    if (i + 1 < depth) byte |= nibble(path, i + 1);
    key.push_back(byte);
  }
  return key;
}

}  // namespace medtrail::ledger::state_map_detail
