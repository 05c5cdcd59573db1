#include "medtrail/ledger/checkpoint_json.h"

#include <nlohmann/json.hpp>

namespace medtrail::ledger {
namespace {

using nlohmann::json;

Status bad(const std::string& what) { return Status::error("bad_checkpoint_document", what); }

Result<uint64_t> number(const json& doc, const char* name) {
  auto it = doc.find(name);
  if (it == doc.end() || !it->is_number_unsigned()) {
    return bad(std::string(name) + " must be a non-negative integer");
  }
  return it->get<uint64_t>();
}

Result<std::string> text(const json& doc, const char* name, size_t max) {
  auto it = doc.find(name);
  if (it == doc.end() || !it->is_string() || it->get_ref<const std::string&>().size() > max) {
    return bad(std::string(name) + " must be a string of at most " + std::to_string(max) + " bytes");
  }
  return it->get<std::string>();
}

Result<Hash> hash(const json& doc, const char* name) {
  auto hex = text(doc, name, 2 * kHashSize);
  if (!hex.ok()) return hex.status();
  auto h = hash_from_hex(*hex);
  if (!h.ok()) return bad(std::string(name) + ": " + h.status().message());
  return h;
}

Result<Bytes> bytes(const json& doc, const char* name) {
  auto hex = text(doc, name, 1024);
  if (!hex.ok()) return hex.status();
  auto b = from_hex(*hex);
  if (!b.ok()) return bad(std::string(name) + ": " + b.status().message());
  return b;
}

}  // namespace

json checkpoint_to_json(const SignedCheckpoint& signed_cp) {
  const Checkpoint& cp = signed_cp.checkpoint;
  json signatures = json::array();
  for (const CheckpointSignature& s : signed_cp.signatures) {
    signatures.push_back({{"signer", s.signer},
                          {"public_key", to_hex(s.public_key)},
                          {"signature", to_hex(s.signature)}});
  }
  return {{"chain_id", to_hex(cp.chain_id)},     {"height", cp.height},
          {"block_hash", to_hex(cp.block_hash)}, {"tree_size", cp.tree_size},
          {"tree_root", to_hex(cp.tree_root)},   {"signatures", std::move(signatures)}};
}

Result<SignedCheckpoint> checkpoint_from_json(std::string_view input) {
  if (input.size() > kMaxCheckpointJsonBytes) return bad("larger than a checkpoint may be");
  json doc = json::parse(input, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return bad("not a JSON object");
  SignedCheckpoint out;
  Checkpoint& cp = out.checkpoint;
  auto chain_id = hash(doc, "chain_id");
  auto height = number(doc, "height");
  auto block_hash = hash(doc, "block_hash");
  auto tree_size = number(doc, "tree_size");
  auto tree_root = hash(doc, "tree_root");
  for (const Status& s : {chain_id.status(), height.status(), block_hash.status(),
                          tree_size.status(), tree_root.status()}) {
    if (!s.ok()) return s;
  }
  cp.chain_id = *chain_id;
  cp.height = *height;
  cp.block_hash = *block_hash;
  cp.tree_size = *tree_size;
  cp.tree_root = *tree_root;
  auto sigs = doc.find("signatures");
  if (sigs == doc.end() || !sigs->is_array() || sigs->size() > kMaxCheckpointJsonSignatures) {
    return bad("signatures must be an array of at most " +
               std::to_string(kMaxCheckpointJsonSignatures) + " signatures");
  }
  for (const json& s : *sigs) {
    if (!s.is_object()) return bad("a signature must be an object");
    auto signer = text(s, "signer", 256);
    auto key = bytes(s, "public_key");
    auto signature = bytes(s, "signature");
    for (const Status& st : {signer.status(), key.status(), signature.status()}) {
      if (!st.ok()) return st;
    }
    out.signatures.push_back({*signer, *key, *signature});
  }
  return out;
}

}  // namespace medtrail::ledger
