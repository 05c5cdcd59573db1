#include "medtrail/ledger/served_state_proof.h"

#include <nlohmann/json.hpp>

#include "medtrail/ledger/block.h"
#include "medtrail/ledger/checkpoint_json.h"
#include "medtrail/ledger/proof_json.h"
#include "medtrail/ledger/state_proof.h"

namespace medtrail::ledger {

Result<std::optional<nlohmann::json>> served_state_proof(const ChainStore& store, uint64_t height,
                                                         std::string_view key) {
  const CryptoSuite& suite = store.suite();
  auto current = store.get_state(key);
  if (!current.ok()) return current.status();
  auto root = store.state_map().root(height);
  if (!root.ok()) return root.status();
  const Hash key_hash = state_key_hash(suite, as_bytes(key));
  auto proof = store.state_map().prove(height, key_hash);
  if (!proof.ok()) return proof.status();
  // The value hash the key held at `height`, against the one it holds now: the proof is of the
  // map, the value of the store, and they meet only when the key has not changed in between.
  std::optional<Hash> then;
  if (proof->leaf && proof->leaf->key_hash == key_hash) then = proof->leaf->value_hash;
  std::optional<Hash> now;
  std::optional<ByteView> value;
  if (current->has_value()) {
    value = as_bytes(**current);
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

}  // namespace medtrail::ledger
