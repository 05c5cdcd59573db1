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
using state_map_detail::kAllSlots;
using state_map_detail::kNibbles;
using state_map_detail::nibble;
using state_map_detail::Node;
using state_map_detail::node_hash;
using state_map_detail::node_key;
using state_map_detail::part_hash;
using state_map_detail::rehash;

Status corrupt(const std::string& what) { return Status::error("corruption", what); }

}  // namespace

// The nodes below the root in the top kStateMapTopLevels levels that updates wrote, one slot
// per place in the tree: the node last written there, with its version. A stored version's
// nodes are written once (StateMap::extend, which rewrites them, forgets every slot), so a slot
// holding the version a parent names holds that node or one of a write of the version that was
// never stored. From the same base, such a write has the same node wherever it has the same
// hash, children's versions included (an unchanged subtree keeps its node, a changed one gets
// the new version), and the parent's hash tells the others apart. From another base it need
// not, so a version is kept from one base only.
class StateMap::TopLevels {
 public:
  // Before an update of `version` from `base`: whether it may keep what it writes.
  bool begin(uint64_t version, std::optional<uint64_t> base) {
    if (version == version_ && base != base_) {
      clear();
      keeping_ = false;  // until another version
    } else if (version != version_) {
      version_ = version;
      base_ = base;
      keeping_ = true;
    }
    return keeping_;
  }
  const Node* find(uint64_t version, const Hash& path, size_t depth) const {
    if (slots_.empty()) return nullptr;
    const Slot& slot = slots_[index(path, depth)];
    return slot.present && slot.version == version ? &slot.node : nullptr;
  }
  void put(uint64_t version, const Hash& path, size_t depth, const Node& node) {
    if (slots_.empty()) slots_.resize(kCount);
    Slot& slot = slots_[index(path, depth)];
    slot.version = version;
    slot.present = true;
    slot.node = node;
  }
  void clear() {
    for (Slot& slot : slots_) slot.present = false;
  }

 private:
  uint64_t version_ = 0;  // of the last update, from base_
  std::optional<uint64_t> base_;
  bool keeping_ = false;

  static constexpr size_t kCount = (size_t{1} << (4 * kStateMapTopLevels)) / 15;  // 1+16+256+4096
  // The depth's first slot, (16^depth - 1) / 15, plus the path's first `depth` nibbles.
  static size_t index(const Hash& path, size_t depth) {
    size_t at = ((size_t{1} << (4 * depth)) - 1) / 15;
    size_t prefix = 0;
    for (size_t i = 0; i < depth; ++i) prefix = (prefix << 4) | nibble(path, i);
    return at + prefix;
  }
  struct Slot {
    uint64_t version = 0;
    bool present = false;
    Node node;
  };
  std::vector<Slot> slots_;
};

namespace {

// The nodes read from a source come without their inner hashes (state_map_node.h).
Status load_into(const StateMapNodeSource& source, const Bytes& key, Node& out) {
  auto bytes = source.read_node(key);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return corrupt("a state map node that a parent names is missing");
  return decode_node(**bytes, out);
}

Result<Node> load(const StateMapNodeSource& source, const Bytes& key) {
  Node node;
  MEDTRAIL_RETURN_IF_ERROR(load_into(source, key, node));
  return node;
}

Result<Node> load_root(const StateMapNodeSource& source, uint64_t version) {
  auto bytes = source.read_node(state_map_root_key(version));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) {
    return Status::error("not_found", "the state map holds no version " + std::to_string(version));
  }
  Node node;
  MEDTRAIL_RETURN_IF_ERROR(decode_node(**bytes, node));
  return node;
}

Bytes stale_key(uint64_t replaced_at, const Bytes& node) {
  Bytes key;
  key.reserve(1 + 8 + node.size());
  key.push_back(kStateMapStaleTag);
  append_be64(key, replaced_at);
  key.insert(key.end(), node.begin(), node.end());
  return key;
}

// One update: the recursion over the nodes the changes touch, writing the new ones. In place
// (StateMap::extend), the nodes it replaces are its own version's, rewritten under their keys.
class Updater {
 public:
  // `top`: the top levels' nodes that updates keep in memory, read and written; null in place.
  Updater(const CryptoSuite& suite, const StateMapNodeSource& source, StateMapWrite& out,
          bool in_place, StateMap::TopLevels* top)
      : suite_(suite), source_(source), out_(out), in_place_(in_place), top_(top) {}

  // The node at `depth` on the changes' common path, as `node`, with the changes made below it.
  // `changed` gets a bit for each slot whose child became something else (bit s: slot s).
  Status change_children(Node& node, size_t depth, std::span<const StateMapChange> changes,
                         uint16_t& changed) {
    size_t begin = 0;
    while (begin < changes.size()) {
      const uint8_t slot = nibble(changes[begin].key_hash, depth);
      size_t end = begin + 1;
      while (end < changes.size() && nibble(changes[end].key_hash, depth) == slot) ++end;
      auto child = change(node.children[slot], depth + 1, changes.subspan(begin, end - begin));
      if (!child.ok()) return child.status();
      if (node.children[slot] != *child) changed |= static_cast<uint16_t>(1u << slot);
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
      if (in_place_) {
        return Status::error("invalid_argument", "extending a state map version with a key it holds");
      }
      return entry(changes.front());
    }
    if (depth >= kNibbles) return corrupt("state map keys collide over all 256 bits");
    Node node;
    Bytes old_key;
    uint16_t changed = 0;
    uint16_t unhashed = 0;  // kAllSlots when the node was read without its inner hashes
    if (existing.kind == Child::Kind::subtree) {
      // In place, every node is the version's own: one of an earlier version would be
      // rewritten here with nothing marking the original stale, and never pruned.
      if (in_place_ && existing.version != out_.version) {
        return Status::error("invalid_argument",
                             "extending a state map version that holds an earlier one's nodes");
      }
      old_key = node_key(existing.version, path, depth);
      if (!take_kept(existing, path, depth, node)) {
        MEDTRAIL_RETURN_IF_ERROR(load_into(source_, old_key, node));
        unhashed = kAllSlots;
      }
    } else if (existing.kind == Child::Kind::leaf) {
      // A new node needs no hash of its own before the changes: every part of it holding two
      // entries holds a changed slot, so the rehash covers it.
      node.children[nibble(existing.leaf.key_hash, depth)] = existing;
    }
    MEDTRAIL_RETURN_IF_ERROR(change_children(node, depth, changes, changed));
    if (existing.kind == Child::Kind::subtree && changed == 0) return existing;
    if (!old_key.empty() && !in_place_) out_.stale.push_back(stale_key(out_.version, old_key));
    const size_t present = node.present();
    if (present == 0) return Child{};
    if (present == 1) {
      for (const Child& c : node.children) {
        if (c.kind == Child::Kind::leaf) return c;
      }
    }
    return write(node, changed | unhashed, path, depth);
  }

  // Writes `node`, rehashed over the slots in `changed`, under this version.
  Child write(Node& node, uint16_t changed, const Hash& path, size_t depth) {
    const auto shape = rehash(suite_, node, changed);
    out_.nodes.emplace_back(node_key(out_.version, path, depth), encode_node(node));
    if (top_ != nullptr && depth >= 1 && depth < kStateMapTopLevels) {
      top_->put(out_.version, path, depth, node);
    }
    return Child::of_subtree(out_.version, part_hash(suite_, node, shape, 1));
  }

  // The kept copy of `existing`'s node into `node`, if there is one with the hash `existing`
  // names (a node of a write never stored is read from the source instead).
  bool take_kept(const Child& existing, const Hash& path, size_t depth, Node& node) const {
    if (top_ == nullptr || depth >= kStateMapTopLevels) return false;
    const Node* kept = top_->find(existing.version, path, depth);
    if (kept == nullptr || node_hash(suite_, *kept) != existing.hash) return false;
    node = *kept;
    return true;
  }

 private:
  static Child entry(const StateMapChange& c) {
    if (!c.value_hash) return Child{};
    return Child::of_leaf({c.key_hash, *c.value_hash});
  }

  const CryptoSuite& suite_;
  const StateMapNodeSource& source_;
  StateMapWrite& out_;
  const bool in_place_;
  StateMap::TopLevels* top_;
};

// Sorts `changes` by key hash; `invalid_argument` when one key is changed twice.
Status sort_changes(std::vector<StateMapChange>& changes) {
  std::sort(changes.begin(), changes.end(), [](const StateMapChange& a, const StateMapChange& b) {
    return a.key_hash < b.key_hash;
  });
  for (size_t i = 1; i < changes.size(); ++i) {
    if (changes[i].key_hash == changes[i - 1].key_hash) {
      return Status::error("invalid_argument", "a state map update changes one key twice");
    }
  }
  return Status::ok_status();
}

Hash with_nibble(Hash path, size_t index, uint8_t value) {
  uint8_t& byte = path[index / 2];
  byte = index % 2 == 0 ? static_cast<uint8_t>((byte & 0x0f) | (value << 4))
                        : static_cast<uint8_t>((byte & 0xf0) | value);
  return path;
}

// StateMap::audit's walk: every node below the root, hashed from its children.
class Auditor {
 public:
  Auditor(const CryptoSuite& suite, const StateMapNodeSource& source)
      : suite_(suite), source_(source) {}

  // The hash of `node`, at `depth` on `path`, recomputed; `entries` counts the entries below.
  Result<Hash> node_hash_of(Node& node, const Hash& path, size_t depth, uint64_t& entries) {
    for (size_t s = 0; s < state_map_detail::kSlots; ++s) {
      const Child& c = node.children[s];
      if (c.kind == Child::Kind::empty) continue;
      const Hash child_path = with_nibble(path, depth, static_cast<uint8_t>(s));
      if (c.kind == Child::Kind::leaf) {
        for (size_t i = 0; i <= depth; ++i) {
          if (nibble(c.leaf.key_hash, i) != nibble(child_path, i)) {
            return where("holds an entry off its key's path", path, depth);
          }
        }
        ++entries;
        continue;
      }
      if (depth + 1 >= kNibbles) return where("runs deeper than 256 bits", path, depth);
      auto child = load(source_, node_key(c.version, child_path, depth + 1));
      if (!child.ok()) return child.status();
      auto hash = node_hash_of(*child, child_path, depth + 1, entries);
      if (!hash.ok()) return hash.status();
      if (*hash != c.hash) return where("names a child by another hash", path, depth);
    }
    return part_hash(suite_, node, rehash(suite_, node, kAllSlots), 1);
  }

 private:
  static Status where(const std::string& what, const Hash& path, size_t depth) {
    std::string prefix;
    for (size_t i = 0; i < depth; ++i) prefix.push_back("0123456789abcdef"[nibble(path, i)]);
    return corrupt("the state map node at path '" + prefix + "' " + what);
  }

  const CryptoSuite& suite_;
  const StateMapNodeSource& source_;
};

}  // namespace

StateMap::StateMap(const CryptoSuite& suite, const StateMapNodeSource& nodes)
    : suite_(suite), nodes_(nodes), top_(std::make_unique<TopLevels>()) {}

StateMap::~StateMap() = default;

void StateMap::forget_top_levels() { top_->clear(); }

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

// What a read reads from: the source's pinned view, or the source itself.
class ReadView {
 public:
  explicit ReadView(const StateMapNodeSource& source) : pinned_(source.pinned()), source_(source) {}
  const StateMapNodeSource& operator*() const { return pinned_ ? *pinned_ : source_; }

 private:
  std::unique_ptr<const StateMapNodeSource> pinned_;
  const StateMapNodeSource& source_;
};

Result<Hash> StateMap::root(uint64_t version) const {
  auto node = load_root(nodes_, version);  // one read: nothing to pin
  if (!node.ok()) return node.status();
  return part_hash(suite_, *node, rehash(suite_, *node, kAllSlots), 1);
}

Result<std::optional<Hash>> StateMap::get(uint64_t version, const Hash& key_hash) const {
  const ReadView view(nodes_);
  auto node = load_root(*view, version);
  for (size_t depth = 0;; ++depth) {
    if (!node.ok()) return node.status();
    const Child& c = node->children[nibble(key_hash, depth)];
    if (c.kind == Child::Kind::empty) return std::optional<Hash>();
    if (c.kind == Child::Kind::leaf) {
      if (c.leaf.key_hash != key_hash) return std::optional<Hash>();
      return std::optional<Hash>(c.leaf.value_hash);
    }
    if (depth + 1 >= kNibbles) return corrupt("a state map path runs deeper than 256 bits");
    node = load(*view, node_key(c.version, key_hash, depth + 1));
  }
}

Result<StateProof> StateMap::prove(uint64_t version, const Hash& key_hash) const {
  const ReadView view(nodes_);
  std::vector<Hash> top_down;
  auto node = load_root(*view, version);
  for (size_t depth = 0;; ++depth) {
    if (!node.ok()) return node.status();
    const auto shape = rehash(suite_, *node, kAllSlots);
    // Down the node's binary tree while the part the path is in holds two entries or more.
    size_t at = 1;
    for (size_t bit = depth * 4; at < state_map_detail::kSlots; ++bit) {
      if (shape.kind[at] != Child::Kind::subtree) break;
      const size_t next = state_path_bit(key_hash, bit) ? 1 : 0;
      top_down.push_back(part_hash(suite_, *node, shape, 2 * at + 1 - next));
      at = 2 * at + next;
    }
    if (shape.kind[at] != Child::Kind::subtree) {
      StateProof proof;
      if (shape.kind[at] == Child::Kind::leaf) {
        proof.leaf = node->children[shape.entry[at]].leaf;
      }
      proof.siblings.assign(top_down.rbegin(), top_down.rend());
      return proof;
    }
    if (depth + 1 >= kNibbles) return corrupt("a state map path runs deeper than 256 bits");
    const Child& c = node->children[at - state_map_detail::kSlots];
    node = load(*view, node_key(c.version, key_hash, depth + 1));
  }
}

Result<StateMapWrite> StateMap::update(std::optional<uint64_t> base, uint64_t version,
                                       std::vector<StateMapChange> changes) {
  if (base && (*base == UINT64_MAX || version != *base + 1)) {
    return Status::error("invalid_argument", "a state map version must be its base's next");
  }
  auto existing = nodes_.read_node(state_map_root_key(version));
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) {
    return Status::error("invalid_argument",
                         "version " + std::to_string(version) + " of the state map is written");
  }
  MEDTRAIL_RETURN_IF_ERROR(sort_changes(changes));
  StateMapWrite out;
  out.version = version;
  Node root;
  if (base) {
    // The root is read from the source: it names every kept node below it by hash, so what
    // the source holds decides, whichever writes were kept.
    auto loaded = load_root(nodes_, *base);
    if (!loaded.ok()) return loaded.status();
    root = std::move(*loaded);
    out.stale.push_back(stale_key(version, state_map_root_key(*base)));
  }
  const bool keep = top_->begin(version, base);
  Updater updater(suite_, nodes_, out, /*in_place=*/false, keep ? top_.get() : nullptr);
  uint16_t changed = 0;
  MEDTRAIL_RETURN_IF_ERROR(updater.change_children(root, 0, changes, changed));
  // Written whether or not it changed, and rehashed whole: it was read without its inner hashes.
  out.root = updater.write(root, kAllSlots, Hash{}, 0).hash;
  return out;
}

Result<StateMapWrite> StateMap::extend(uint64_t version,
                                       std::vector<StateMapChange> additions) {
  for (const StateMapChange& c : additions) {
    if (!c.value_hash) {
      return Status::error("invalid_argument", "extending a state map version with a removal");
    }
  }
  MEDTRAIL_RETURN_IF_ERROR(sort_changes(additions));
  top_->clear();  // the nodes this rewrites may be kept
  auto root = load_root(nodes_, version);
  if (!root.ok()) return root.status();
  StateMapWrite out;
  out.version = version;
  Updater updater(suite_, nodes_, out, /*in_place=*/true, nullptr);
  uint16_t changed = 0;
  MEDTRAIL_RETURN_IF_ERROR(updater.change_children(*root, 0, additions, changed));
  out.root = updater.write(*root, kAllSlots, Hash{}, 0).hash;  // read without its inner hashes
  return out;
}

Result<StateMap::Audit> StateMap::audit(uint64_t version) const {
  const ReadView view(nodes_);
  auto root = load_root(*view, version);
  if (!root.ok()) return root.status();
  Audit audit;
  auto hash = Auditor(suite_, *view).node_hash_of(*root, Hash{}, 0, audit.entries);
  if (!hash.ok()) return hash.status();
  audit.root = *hash;
  return audit;
}

}  // namespace medtrail::ledger
