#include "medtrail/ledger/served_state_proof.h"

#include <rocksdb/db.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "medtrail/ledger/block.h"
#include "medtrail/ledger/checkpoint_json.h"
#include "medtrail/ledger/proof_json.h"
#include "medtrail/ledger/state_proof.h"
#include "medtrail/ledger/trail_head.h"

namespace medtrail::ledger {

Result<std::optional<nlohmann::json>> served_state_proof(const ChainStore& store, uint64_t height,
                                                         std::string_view key) {
  auto current = store.get_state(key);
  if (!current.ok()) return current.status();
  std::optional<std::string_view> value;
  if (current->has_value()) value = **current;
  return served_state_proof_of(store, height, key, value);
}

Result<std::optional<nlohmann::json>> served_state_proof_of(const ChainStore& store,
                                                            uint64_t height, std::string_view key,
                                                            std::optional<std::string_view> held) {
  const CryptoSuite& suite = store.suite();
  auto root = store.state_map().root(height);
  if (!root.ok()) return root.status();
  const Hash key_hash = state_key_hash(suite, as_bytes(key));
  auto proof = store.state_map().prove(height, key_hash);
  if (!proof.ok()) return proof.status();
  // The value hash the key held at `height`, against the value the caller has: the proof is of
  // the map, the value of the store, and they meet only when that is the value of `height`.
  std::optional<Hash> then;
  if (proof->leaf && proof->leaf->key_hash == key_hash) then = proof->leaf->value_hash;
  std::optional<Hash> now;
  std::optional<ByteView> value;
  if (held) {
    value = as_bytes(*held);
    now = state_value_hash(suite, *value);
  }
  if (then != now) return std::optional<nlohmann::json>();
  return std::optional<nlohmann::json>(
      state_proof_document(suite, as_bytes(key), value, *proof, *root));
}

std::optional<nlohmann::json> served_state_proofs(const ChainStore& store,
                                                  const SignedCheckpoint& checkpoint,
                                                  const std::vector<std::string>& keys) {
  const uint64_t height = checkpoint.checkpoint.height;
  if (height == 0 || height > store.height() || keys.size() > kMaxServedStates) return std::nullopt;
  auto header = store.header_at(height);
  if (!header.ok()) return std::nullopt;
  nlohmann::json states = nlohmann::json::array();
  for (const std::string& key : keys) {
    auto proof = served_state_proof(store, height, key);
    if (!proof.ok()) return std::nullopt;
    if (*proof) {
      states.push_back(std::move(**proof));
    } else {
      states.push_back({{"key", to_hex(as_bytes(key))}, {"changed_after_checkpoint", true}});
    }
  }
  return nlohmann::json{{"checkpoint", checkpoint_to_json(checkpoint)},
                        {"header", to_hex(encode_header(*header))},
                        {"states", std::move(states)}};
}

namespace {

// The value of the subject's last entry below `tree_size`: its head at the height whose tree
// that is; nullopt when it has none there.
Result<std::optional<std::string>> trail_head_below(const ChainStore& store,
                                                    std::string_view subject, uint64_t tree_size) {
  if (tree_size == 0) return std::optional<std::string>();
  const std::string prefix = trail_entry_prefix(subject);
  const std::string last = trail_entry_key(subject, tree_size - 1);
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(rocksdb::ReadOptions(), store.column_family(ColumnFamily::kState)));
  it->SeekForPrev(rocksdb::Slice(last.data(), last.size()));
  if (!it->status().ok())
    return Status::error("io_error", "the trail could not be read: " + it->status().ToString());
  // Only this subject's entries share the prefix (it ends in NUL), unless a name held a NUL
  // byte: an entry is exactly the prefix and 8 bytes, as listed_leaves reads them.
  for (; it->Valid() && it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size()));
       it->Prev()) {
    if (it->key().size() == prefix.size() + 8)
      return std::optional<std::string>(it->value().ToString());
  }
  if (!it->status().ok())
    return Status::error("io_error", "the trail could not be read: " + it->status().ToString());
  return std::optional<std::string>();
}

}  // namespace

std::optional<nlohmann::json> served_trail_proofs(const ChainStore& store,
                                                  const SignedCheckpoint& checkpoint,
                                                  std::string_view subject,
                                                  std::optional<uint64_t> first_leaf,
                                                  std::optional<uint64_t> last_leaf) {
  const uint64_t height = checkpoint.checkpoint.height;
  if (height == 0 || height > store.height()) return std::nullopt;
  auto header = store.header_at(height);
  if (!header.ok()) return std::nullopt;
  auto head = trail_head_below(store, subject, checkpoint.checkpoint.tree_size);
  if (!head.ok()) return std::nullopt;
  std::optional<std::string_view> held;
  if (*head) held = **head;
  auto head_proof = served_state_proof_of(store, height, trail_head_key(subject), held);
  if (!head_proof.ok() || !*head_proof) return std::nullopt;
  nlohmann::json out = {{"header", to_hex(encode_header(*header))},
                        {"head", std::move(**head_proof)}};
  // An entry never changes once written: one below the tree size is proven as it is now.
  for (auto [name, leaf] : {std::pair{"first", first_leaf}, std::pair{"last", last_leaf}}) {
    if (!leaf) continue;
    if (*leaf >= checkpoint.checkpoint.tree_size) return std::nullopt;
    auto entry = served_state_proof(store, height, trail_entry_key(subject, *leaf));
    if (!entry.ok() || !*entry) return std::nullopt;
    out[name] = std::move(**entry);
  }
  return out;
}

}  // namespace medtrail::ledger
