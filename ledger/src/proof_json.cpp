#include "medtrail/ledger/proof_json.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "proof_errors.h"

namespace medtrail::ledger {
namespace {

using nlohmann::json;

// Far more than any real tree needs (a path has at most 64 entries per proof part).
constexpr size_t kMaxPathLength = 130;

json hex_path(const std::vector<Hash>& path) {
  json out = json::array();
  for (const Hash& h : path) out.push_back(to_hex(h));
  return out;
}

Status bad(const std::string& what) { return Status::error("bad_proof_document", what); }

Result<uint64_t> get_size(const json& doc, const char* name) {
  auto it = doc.find(name);
  if (it == doc.end()) return bad(std::string("missing field ") + name);
  if (!it->is_number_unsigned()) return bad(std::string(name) + " must be a non-negative integer");
  return it->get<uint64_t>();
}

Result<Hash> get_hash(const json& doc, const char* name) {
  auto it = doc.find(name);
  if (it == doc.end()) return bad(std::string("missing field ") + name);
  if (!it->is_string()) return bad(std::string(name) + " must be a hex string");
  auto h = hash_from_hex(it->get_ref<const std::string&>());
  if (!h.ok()) return bad(std::string(name) + ": " + h.status().message());
  return h;
}

Result<std::vector<Hash>> get_hash_list(const json& doc, const std::string& name,
                                        size_t max_length) {
  auto it = doc.find(name);
  if (it == doc.end()) return bad("missing field " + name);
  if (!it->is_array()) return bad(name + " must be an array of hex hashes");
  if (it->size() > max_length) return proof_malformed(name + " is too long");
  std::vector<Hash> hashes;
  for (const json& e : *it) {
    if (!e.is_string()) return bad(name + " must be an array of hex hashes");
    auto h = hash_from_hex(e.get_ref<const std::string&>());
    if (!h.ok()) return bad(name + ": " + h.status().message());
    hashes.push_back(*h);
  }
  return hashes;
}

Result<std::vector<Hash>> get_path(const json& doc) {
  return get_hash_list(doc, "path", kMaxPathLength);
}

Result<ProofSummary> check_inclusion(const CryptoSuite& suite, const json& doc) {
  auto index = get_size(doc, "leaf_index");
  if (!index.ok()) return index.status();
  auto size = get_size(doc, "tree_size");
  if (!size.ok()) return size.status();
  auto root = get_hash(doc, "root");
  if (!root.ok()) return root.status();
  auto path = get_path(doc);
  if (!path.ok()) return path.status();

  Hash leaf{};
  if (doc.contains("leaf_hash") == doc.contains("leaf_data")) {
    return bad("give exactly one of leaf_hash and leaf_data");
  }
  if (doc.contains("leaf_hash")) {
    auto h = get_hash(doc, "leaf_hash");
    if (!h.ok()) return h.status();
    leaf = *h;
  } else {
    const json& data = doc["leaf_data"];
    if (!data.is_string()) return bad("leaf_data must be a hex string");
    auto bytes = from_hex(data.get_ref<const std::string&>());
    if (!bytes.ok()) return bad("leaf_data: " + bytes.status().message());
    leaf = merkle_leaf_hash(suite, *bytes);
  }
  InclusionProof proof{*index, *size, std::move(path).value()};
  MEDTRAIL_RETURN_IF_ERROR(verify_inclusion(suite, leaf, proof, *root));
  return ProofSummary{"inclusion", "leaf " + std::to_string(*index) + " is in the tree of size " +
                                       std::to_string(*size) + " with root " + to_hex(*root)};
}

// A hash given as "<name>_hash", or as "<name>" (hex of the bytes), hashed here: exactly one.
// `nullable`: "<name>": null stands for nothing (an absent state value), returned as nullopt.
Result<std::optional<Hash>> get_hashed(const json& doc, const std::string& name,
                                       Hash (*hash_bytes)(const CryptoSuite&, ByteView),
                                       const CryptoSuite& suite, bool nullable) {
  const std::string hashed = name + "_hash";
  if (doc.contains(name) == doc.contains(hashed)) {
    return bad("give exactly one of " + name + " and " + hashed);
  }
  if (doc.contains(hashed)) {
    auto h = get_hash(doc, hashed.c_str());
    if (!h.ok()) return h.status();
    return std::optional<Hash>(*h);
  }
  const json& given = doc[name];
  if (nullable && given.is_null()) return std::optional<Hash>();
  if (!given.is_string()) return bad(name + " must be a hex string" + (nullable ? " or null" : ""));
  auto bytes = from_hex(given.get_ref<const std::string&>());
  if (!bytes.ok()) return bad(name + ": " + bytes.status().message());
  return std::optional<Hash>(hash_bytes(suite, *bytes));
}

// How a state document's key or value is named to the reader: "its text" when the document
// gives the bytes and they are short, printable UTF-8; otherwise by hash.
std::string shown(const json& doc, const std::string& name, const Hash& hash) {
  constexpr size_t kMaxShown = 128;
  auto it = doc.find(name);
  if (it != doc.end() && it->is_string()) {
    auto bytes = from_hex(it->get_ref<const std::string&>());
    if (bytes.ok() && bytes->size() <= kMaxShown) {
      const std::string_view text = as_chars(*bytes);
      bool printable = is_valid_utf8(text);
      for (unsigned char c : text) printable = printable && c >= 0x20 && c != 0x7f && c != '"';
      if (printable) return "\"" + std::string(text) + "\"";
    }
  }
  return "with hash " + to_hex(hash);
}

// A state document's "leaf" and "siblings".
Result<StateProof> get_state_proof(const json& doc) {
  StateProof proof;
  auto leaf = doc.find("leaf");
  if (leaf == doc.end()) return bad("missing field leaf");
  if (!leaf->is_null()) {
    if (!leaf->is_object()) return bad("leaf must be an object or null");
    auto key_hash = get_hash(*leaf, "key_hash");
    if (!key_hash.ok()) return key_hash.status();
    auto value_hash = get_hash(*leaf, "value_hash");
    if (!value_hash.ok()) return value_hash.status();
    proof.leaf = StateMapLeaf{*key_hash, *value_hash};
  }
  auto siblings = get_hash_list(doc, "siblings", kStateMapDepth);
  if (!siblings.ok()) return siblings.status();
  proof.siblings = std::move(siblings).value();
  return proof;
}

Result<ProofSummary> check_state(const CryptoSuite& suite, const json& doc) {
  auto root = get_hash(doc, "root");
  if (!root.ok()) return root.status();
  auto key = get_hashed(doc, "key", &state_key_hash, suite, false);
  if (!key.ok()) return key.status();
  auto value = get_hashed(doc, "value", &state_value_hash, suite, true);
  if (!value.ok()) return value.status();
  auto proof = get_state_proof(doc);
  if (!proof.ok()) return proof.status();
  MEDTRAIL_RETURN_IF_ERROR(verify_state_proof_hashed(suite, *root, **key, *value, *proof));
  std::string what = "the key " + shown(doc, "key", **key);
  what += *value ? " holds the value " + shown(doc, "value", **value) : " holds nothing";
  return ProofSummary{"state", what + " in the state map with root " + to_hex(*root)};
}

Result<ProofSummary> check_consistency(const CryptoSuite& suite, const json& doc) {
  auto first = get_size(doc, "first_size");
  if (!first.ok()) return first.status();
  auto second = get_size(doc, "second_size");
  if (!second.ok()) return second.status();
  auto first_root = get_hash(doc, "first_root");
  if (!first_root.ok()) return first_root.status();
  auto second_root = get_hash(doc, "second_root");
  if (!second_root.ok()) return second_root.status();
  auto path = get_path(doc);
  if (!path.ok()) return path.status();
  ConsistencyProof proof{*first, *second, std::move(path).value()};
  MEDTRAIL_RETURN_IF_ERROR(verify_consistency(suite, proof, *first_root, *second_root));
  return ProofSummary{"consistency", "the tree of size " + std::to_string(*second) +
                                         " extends the tree of size " + std::to_string(*first)};
}

}  // namespace

std::string inclusion_proof_to_json(const CryptoSuite& suite, const InclusionProof& proof,
                                    const Hash& leaf_hash, const Hash& root) {
  json doc = {{"type", "inclusion"},
              {"suite", suite.name()},
              {"leaf_index", proof.leaf_index},
              {"tree_size", proof.tree_size},
              {"leaf_hash", to_hex(leaf_hash)},
              {"root", to_hex(root)},
              {"path", hex_path(proof.path)}};
  return doc.dump(2);
}

std::string consistency_proof_to_json(const CryptoSuite& suite, const ConsistencyProof& proof,
                                      const Hash& first_root, const Hash& second_root) {
  json doc = {{"type", "consistency"},
              {"suite", suite.name()},
              {"first_size", proof.first_size},
              {"second_size", proof.second_size},
              {"first_root", to_hex(first_root)},
              {"second_root", to_hex(second_root)},
              {"path", hex_path(proof.path)}};
  return doc.dump(2);
}

std::string state_proof_to_json(const CryptoSuite& suite, ByteView key,
                                const std::optional<ByteView>& value, const StateProof& proof,
                                const Hash& root) {
  return state_proof_document(suite, key, value, proof, root).dump(2);
}

json state_proof_document(const CryptoSuite& suite, ByteView key,
                          const std::optional<ByteView>& value, const StateProof& proof,
                          const Hash& root) {
  json leaf = nullptr;
  if (proof.leaf) {
    leaf = {{"key_hash", to_hex(proof.leaf->key_hash)},
            {"value_hash", to_hex(proof.leaf->value_hash)}};
  }
  json doc = {{"type", "state"},
              {"suite", suite.name()},
              {"root", to_hex(root)},
              {"key", to_hex(key)},
              {"value", value ? json(to_hex(*value)) : json(nullptr)},
              {"leaf", leaf},
              {"siblings", hex_path(proof.siblings)}};
  return doc;
}

Result<ProofSummary> verify_proof_document(std::string_view text) {
  if (text.size() > kMaxProofDocumentBytes) return bad("proof document is larger than 64 KiB");
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return bad("not valid JSON");
  if (!doc.is_object()) return bad("not a JSON object");
  auto type = doc.find("type");
  auto suite_name = doc.find("suite");
  if (type == doc.end() || !type->is_string()) return bad("missing string field type");
  if (suite_name == doc.end() || !suite_name->is_string()) return bad("missing string field suite");
  const CryptoSuite* suite = find_suite(suite_name->get_ref<const std::string&>());
  if (suite == nullptr) {
    return Status::error("unknown_suite", "unknown suite " + suite_name->get<std::string>());
  }
  if (*type == "inclusion") return check_inclusion(*suite, doc);
  if (*type == "consistency") return check_consistency(*suite, doc);
  if (*type == "state") return check_state(*suite, doc);
  return bad("type must be inclusion, consistency or state");
}

Status verify_served_consistency(std::string_view text, const CryptoSuite& suite,
                                 uint64_t first_size, const Hash& first_root, uint64_t second_size,
                                 const Hash& second_root) {
  if (text.size() > kMaxProofDocumentBytes) return bad("proof document is larger than 64 KiB");
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return bad("not a JSON object");
  auto path = get_path(doc);  // strings only, bounded: nothing nested is copied or printed
  if (!path.ok()) return path.status();
  return verify_consistency(suite,
                            ConsistencyProof{first_size, second_size, std::move(path).value()},
                            first_root, second_root);
}

Result<std::optional<Bytes>> verify_served_state(const json& doc, const CryptoSuite& suite,
                                                 const Hash& state_root, ByteView key) {
  if (!doc.is_object()) return bad("a state proof must be a JSON object");
  auto given_key = doc.find("key");
  if (given_key == doc.end() || !given_key->is_string())
    return bad("a served state proof must give the key's bytes");
  auto key_bytes = from_hex(given_key->get_ref<const std::string&>());
  if (!key_bytes.ok() || !std::ranges::equal(*key_bytes, key)) {
    return Status::error("proof_invalid", "the proof is for another key than the one asked for");
  }
  auto value = doc.find("value");
  if (value == doc.end() || !(value->is_null() || value->is_string())) {
    return bad("a served state proof must give the value's bytes or null");
  }
  std::optional<Bytes> value_bytes;
  if (value->is_string()) {
    auto bytes = from_hex(value->get_ref<const std::string&>());
    if (!bytes.ok()) return bad("value: " + bytes.status().message());
    value_bytes = std::move(*bytes);
  }
  auto proof = get_state_proof(doc);
  if (!proof.ok()) return proof.status();
  std::optional<ByteView> claimed;
  if (value_bytes) claimed = ByteView(*value_bytes);
  MEDTRAIL_RETURN_IF_ERROR(verify_state_proof(suite, state_root, key, claimed, *proof));
  return value_bytes;
}

Result<BlockHeader> checkpointed_header(const CryptoSuite& suite, const Hash& chain_id,
                                        const SignedCheckpoint& checkpoint,
                                        std::string_view header_hex) {
  auto bytes = from_hex(header_hex);
  if (!bytes.ok()) return proof_malformed("the header is not hex");
  auto header = decode_header(*bytes);
  if (!header.ok()) return proof_malformed("the header does not decode");
  if (header->chain_id != chain_id || checkpoint.checkpoint.chain_id != chain_id ||
      header->height != checkpoint.checkpoint.height ||
      block_hash(suite, *header) != checkpoint.checkpoint.block_hash) {
    return proof_invalid("the header is not the block the checkpoint signed");
  }
  return header;
}

}  // namespace medtrail::ledger
