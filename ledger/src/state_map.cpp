// The state map's reads, proofs and versioned updates (state_map.h).

#include "medtrail/ledger/state_map.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "state_map_node.h"

namespace medtrail::ledger {
namespace {

using state_map_detail::Child;
using state_map_detail::decode_node;
using state_map_detail::encode_node;
using state_map_detail::kNibbles;
using state_map_detail::nibble;
using state_map_detail::Node;
using state_map_detail::node_key;
using state_map_detail::node_parts;

Status corrupt(const std::string& what) { return Status::error("corruption", what); }

Result<Node> load(const StateMapNodeSource& source, const Bytes& key) {
  auto bytes = source.read_node(key);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return corrupt("a state map node that a parent names is missing");
  return decode_node(**bytes);
}

Result<Node> load_root(const StateMapNodeSource& source, uint64_t version) {
  auto bytes = source.read_node(state_map_root_key(version));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) {
    return Status::error("not_found", "the state map holds no version " + std::to_string(version));
  }
  return decode_node(**bytes);
}

Bytes stale_key(uint64_t replaced_at, const Bytes& node) {
  Bytes key;
  key.reserve(1 + 8 + node.size());
  key.push_back(kStateMapStaleTag);
  append_be64(key, replaced_at);
  key.insert(key.end(), node.begin(), node.end());
  return key;
}

// One update: the recursion over the nodes the changes touch, writing the new ones.
class Updater {
 public:
  Updater(const CryptoSuite& suite, const StateMapNodeSource& source, StateMapWrite& out)
      : suite_(suite), source_(source), out_(out) {}

  // The node at `depth` on the changes' common path, as `node`, with the changes made below it.
  // `changed` tells whether any child became something else.
  Status change_children(Node& node, size_t depth, std::span<const StateMapChange> changes,
                         bool& changed) {
    size_t begin = 0;
    while (begin < changes.size()) {
      const uint8_t slot = nibble(changes[begin].key_hash, depth);
      size_t end = begin + 1;
      while (end < changes.size() && nibble(changes[end].key_hash, depth) == slot) ++end;
      auto child = change(node.children[slot], depth + 1, changes.subspan(begin, end - begin));
      if (!child.ok()) return child.status();
      changed = changed || node.children[slot] != *child;
      node.children[slot] = *child;
      begin = end;
    }
    return Status::ok_status();
  }

  // What the subtree at `depth` that was `existing` becomes: an entry alone is kept in its
  // parent, and a node left with a single entry gives way to it.
  Result<Child> change(const Child& existing, size_t depth,
                       std::span<const StateMapChange> changes) {
    const Hash& path = changes.front().key_hash;
    const bool one_key = changes.size() == 1;
    if (existing.kind == Child::Kind::empty && one_key) return entry(changes.front());
    if (existing.kind == Child::Kind::leaf && one_key &&
        existing.leaf.key_hash == changes.front().key_hash) {
      return entry(changes.front());
    }
    if (depth >= kNibbles) return corrupt("state map keys collide over all 256 bits");
    Node node;
    Bytes old_key;
    if (existing.kind == Child::Kind::subtree) {
      old_key = node_key(existing.version, path, depth);
      auto loaded = load(source_, old_key);
      if (!loaded.ok()) return loaded.status();
      node = std::move(*loaded);
    } else if (existing.kind == Child::Kind::leaf) {
      node.children[nibble(existing.leaf.key_hash, depth)] = existing;
    }
    bool changed = false;
    MEDTRAIL_RETURN_IF_ERROR(change_children(node, depth, changes, changed));
    if (existing.kind == Child::Kind::subtree && !changed) return existing;
    if (!old_key.empty()) out_.stale.push_back(stale_key(out_.version, old_key));
    const size_t present = node.present();
    if (present == 0) return Child{};
    if (present == 1) {
      for (const Child& c : node.children) {
        if (c.kind == Child::Kind::leaf) return c;
      }
    }
    return write(node, path, depth);
  }

  Child write(const Node& node, const Hash& path, size_t depth) {
    const Hash hash = node_parts(suite_, node)[1].hash;
    out_.nodes.emplace_back(node_key(out_.version, path, depth), encode_node(node));
    return Child::of_subtree(out_.version, hash);
  }

 private:
  static Child entry(const StateMapChange& c) {
    if (!c.value_hash) return Child{};
    return Child::of_leaf({c.key_hash, *c.value_hash});
  }

  const CryptoSuite& suite_;
  const StateMapNodeSource& source_;
  StateMapWrite& out_;
};

}  // namespace

Bytes state_map_root_key(uint64_t version) { return node_key(version, Hash{}, 0); }

Result<StaleStateNode> decode_stale_state_key(ByteView stale_key) {
  // 'S' || be64(replaced at) || 'N' || be64(version) || u8(depth) || ceil(depth / 2) bytes of
  // path, an odd depth's last nibble zero: anything else would name no node, or a wrong one.
  constexpr size_t kFixed = 1 + 8 + 1 + 8 + 1;
  if (stale_key.size() < kFixed || stale_key[0] != kStateMapStaleTag ||
      stale_key[9] != kStateMapNodeTag) {
    return corrupt("not a state map stale-index key");
  }
  const size_t depth = stale_key[kFixed - 1];
  if (depth >= kNibbles || stale_key.size() != kFixed + (depth + 1) / 2 ||
      (depth % 2 == 1 && (stale_key.back() & 0x0f) != 0)) {
    return corrupt("a state map stale-index key names no node");
  }
  // A version replaces only nodes written before it; an entry that says otherwise would have
  // pruning delete a node live versions read.
  const uint64_t replaced_at = read_be64(stale_key.data() + 1);
  if (read_be64(stale_key.data() + 10) >= replaced_at) {
    return corrupt("a state map stale-index key names a node its version did not replace");
  }
  return StaleStateNode{replaced_at, stale_key.subspan(9)};
}

Result<Hash> StateMap::root(uint64_t version) const {
  auto node = load_root(nodes_, version);
  if (!node.ok()) return node.status();
  return node_parts(suite_, *node)[1].hash;
}

Result<std::optional<Hash>> StateMap::get(uint64_t version, const Hash& key_hash) const {
  auto node = load_root(nodes_, version);
  for (size_t depth = 0;; ++depth) {
    if (!node.ok()) return node.status();
    const Child& c = node->children[nibble(key_hash, depth)];
    if (c.kind == Child::Kind::empty) return std::optional<Hash>();
    if (c.kind == Child::Kind::leaf) {
      if (c.leaf.key_hash != key_hash) return std::optional<Hash>();
      return std::optional<Hash>(c.leaf.value_hash);
    }
    if (depth + 1 >= kNibbles) return corrupt("a state map path runs deeper than 256 bits");
    node = load(nodes_, node_key(c.version, key_hash, depth + 1));
  }
}

Result<StateProof> StateMap::prove(uint64_t version, const Hash& key_hash) const {
  std::vector<Hash> top_down;
  auto node = load_root(nodes_, version);
  for (size_t depth = 0;; ++depth) {
    if (!node.ok()) return node.status();
    const auto parts = node_parts(suite_, *node);
    // Down the node's binary tree while the part the path is in holds two entries or more.
    size_t at = 1;
    for (size_t bit = depth * 4; at < state_map_detail::kSlots; ++bit) {
      if (parts[at].kind != Child::Kind::subtree) break;
      const size_t next = state_path_bit(key_hash, bit) ? 1 : 0;
      top_down.push_back(parts[2 * at + 1 - next].hash);
      at = 2 * at + next;
    }
    const auto& part = parts[at];
    if (part.kind != Child::Kind::subtree) {
      StateProof proof;
      if (part.kind == Child::Kind::leaf) proof.leaf = *part.leaf;
      proof.siblings.assign(top_down.rbegin(), top_down.rend());
      return proof;
    }
    if (depth + 1 >= kNibbles) return corrupt("a state map path runs deeper than 256 bits");
    const Child& c = node->children[at - state_map_detail::kSlots];
    node = load(nodes_, node_key(c.version, key_hash, depth + 1));
  }
}

Result<StateMapWrite> StateMap::update(std::optional<uint64_t> base, uint64_t version,
                                       std::vector<StateMapChange> changes) const {
  if (base && (*base == UINT64_MAX || version != *base + 1)) {
    return Status::error("invalid_argument", "a state map version must be its base's next");
  }
  auto existing = nodes_.read_node(state_map_root_key(version));
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) {
    return Status::error("invalid_argument",
                         "version " + std::to_string(version) + " of the state map is written");
  }
  std::sort(changes.begin(), changes.end(), [](const StateMapChange& a, const StateMapChange& b) {
    return a.key_hash < b.key_hash;
  });
  for (size_t i = 1; i < changes.size(); ++i) {
    if (changes[i].key_hash == changes[i - 1].key_hash) {
      return Status::error("invalid_argument", "a state map update changes one key twice");
    }
  }
  StateMapWrite out;
  out.version = version;
  Node root;
  if (base) {
    auto loaded = load_root(nodes_, *base);
    if (!loaded.ok()) return loaded.status();
    root = std::move(*loaded);
    out.stale.push_back(stale_key(version, state_map_root_key(*base)));
  }
  Updater updater(suite_, nodes_, out);
  bool changed = false;  // the root is written whether or not
  MEDTRAIL_RETURN_IF_ERROR(updater.change_children(root, 0, changes, changed));
  out.root = updater.write(root, Hash{}, 0).hash;
  return out;
}

}  // namespace medtrail::ledger
