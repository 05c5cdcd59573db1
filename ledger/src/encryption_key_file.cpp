#include "medtrail/ledger/encryption_key_file.h"

#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include <nlohmann/json.hpp>

#include "exclusive_file.h"

namespace medtrail::ledger {
namespace {

constexpr size_t kMaxKeyringFileBytes = 64 * 1024;

Status bad_key_file(const std::string& path, const std::string& why) {
  return Status::error("bad_key_file", path + ": " + why);
}

// The keyring's text; the caller wipes it.
std::string keyring_text(const std::vector<const EncryptionKey*>& keys) {
  nlohmann::json list = nlohmann::json::array();
  for (const EncryptionKey* key : keys) {
    list.push_back({{"public_key", to_hex(key->public_key)}, {"secret_key", to_hex(key->secret_key.view())}});
  }
  std::string text = nlohmann::json{{"suite", kEncryptionKeySuite}, {"keys", list}}.dump(2) + "\n";
  for (nlohmann::json& entry : list) wipe_string(entry["secret_key"].get_ref<std::string&>());
  return text;
}

Result<EncryptionKey> parse_key(const std::string& path, const nlohmann::json& entry, size_t index) {
  const std::string at = "keys[" + std::to_string(index) + "]";
  if (!entry.is_object() || entry.size() != 2 || !entry.contains("public_key") || !entry.contains("secret_key") ||
      !entry["public_key"].is_string() || !entry["secret_key"].is_string()) {
    return bad_key_file(path, at + " needs exactly the string fields public_key and secret_key");
  }
  Result<Bytes> secret = from_hex(entry["secret_key"].get_ref<const std::string&>());
  Result<Bytes> public_key = from_hex(entry["public_key"].get_ref<const std::string&>());
  if (!secret.ok() || !public_key.ok()) return bad_key_file(path, at + ": keys must be hex");
  Result<EncryptionKey> key = encryption_key_from_secret(*secret);
  sodium_memzero(secret->data(), secret->size());
  if (!key.ok()) return bad_key_file(path, at + ": " + key.status().message());
  if (key->public_key != *public_key) {
    return Status::error("key_mismatch", path + ": " + at + ".public_key does not belong to its secret_key");
  }
  return key;
}

Result<std::vector<EncryptionKey>> parse(const std::string& path, const nlohmann::json& doc) {
  if (!doc.is_object() || doc.size() != 2 || !doc.contains("suite") || !doc.contains("keys")) {
    return bad_key_file(path, "needs exactly the fields suite and keys");
  }
  if (doc["suite"] != kEncryptionKeySuite) {
    return bad_key_file(path, "suite must be \"" + std::string(kEncryptionKeySuite) + "\"");
  }
  const nlohmann::json& list = doc["keys"];
  if (!list.is_array() || list.empty() || list.size() > kMaxKeyringKeys) {
    return bad_key_file(path, "keys must hold 1.." + std::to_string(kMaxKeyringKeys) + " keys");
  }
  std::vector<EncryptionKey> keys;
  std::set<std::string> ids;
  for (size_t i = 0; i < list.size(); ++i) {
    Result<EncryptionKey> key = parse_key(path, list[i], i);
    if (!key.ok()) return key.status();
    if (!ids.insert(key->key_id()).second) return bad_key_file(path, "a key appears twice");
    keys.push_back(std::move(*key));
  }
  return keys;
}

void wipe_secrets(nlohmann::json& doc) {
  if (!doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) return;
  for (nlohmann::json& entry : doc["keys"]) {
    if (entry.is_object() && entry.contains("secret_key") && entry["secret_key"].is_string()) {
      wipe_string(entry["secret_key"].get_ref<std::string&>());
    }
  }
}

}  // namespace

Status save_new_encryption_keyring(const std::string& path, const EncryptionKey& key) {
  std::string text = keyring_text({&key});
  Status written = detail::write_new_file(path, text, 0600);
  wipe_string(text);
  return written;
}

Status add_to_encryption_keyring(const std::string& path, const EncryptionKey& key) {
  Result<std::vector<EncryptionKey>> keys = load_encryption_keyring(path);
  if (!keys.ok()) return keys.status();
  if (keys->size() >= kMaxKeyringKeys) {
    return Status::error("too_many_keys", path + " already holds " + std::to_string(kMaxKeyringKeys) + " keys");
  }
  std::vector<const EncryptionKey*> all;
  for (const EncryptionKey& k : *keys) all.push_back(&k);
  all.push_back(&key);
  std::string text = keyring_text(all);
  // A fresh temporary beside the file (0600 from its creation), then an atomic rename.
  const std::string temp = path + ".new";
  ::unlink(temp.c_str());
  Status written = detail::write_new_file(temp, text, 0600);
  wipe_string(text);
  if (!written.ok()) return written;
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    return Status::error("io_error", "cannot replace " + path);
  }
  return detail::sync_parent_directory(path);
}

Result<std::vector<EncryptionKey>> load_encryption_keyring(const std::string& path) {
  std::string text;
  MEDTRAIL_RETURN_IF_ERROR(detail::read_private_file(path, kMaxKeyringFileBytes, text));
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  wipe_string(text);
  Result<std::vector<EncryptionKey>> keys = doc.is_discarded()
                                                ? Result<std::vector<EncryptionKey>>(bad_key_file(path, "not valid JSON"))
                                                : parse(path, doc);
  wipe_secrets(doc);
  return keys;
}

}  // namespace medtrail::ledger
