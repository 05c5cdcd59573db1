#include "medtrail/ledger/pseudonym_key_file.h"

#include <sodium.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "exclusive_file.h"

namespace medtrail::ledger {
namespace {

constexpr size_t kMaxPseudonymKeyFileBytes = 4096;

Status bad_key_file(const std::string& path, const std::string& why) {
  return Status::error("bad_key_file", path + ": " + why);
}

Result<OprfServerKey> parse(const std::string& path, const nlohmann::json& doc) {
  if (!doc.is_object() || doc.size() != 3) {
    return bad_key_file(path, "needs exactly the fields suite, public_key and secret_key");
  }
  auto suite = doc.find("suite");
  auto public_hex = doc.find("public_key");
  auto secret_hex = doc.find("secret_key");
  if (suite == doc.end() || !suite->is_string() || public_hex == doc.end() || !public_hex->is_string() ||
      secret_hex == doc.end() || !secret_hex->is_string()) {
    return bad_key_file(path, "needs string fields suite, public_key and secret_key");
  }
  if (suite->get_ref<const std::string&>() != kPseudonymKeySuite) {
    return bad_key_file(path, "suite must be \"" + std::string(kPseudonymKeySuite) + "\"");
  }
  Result<Bytes> secret = from_hex(secret_hex->get_ref<const std::string&>());
  Result<Bytes> public_key = from_hex(public_hex->get_ref<const std::string&>());
  if (!secret.ok() || !public_key.ok()) return bad_key_file(path, "public_key and secret_key must be hex");
  SecureBytes secret_bytes(*secret);
  sodium_memzero(secret->data(), secret->size());
  Result<OprfServerKey> key = oprf_server_key_from_secret(secret_bytes.view());
  if (!key.ok()) return bad_key_file(path, "secret_key: " + key.status().message());
  if (!std::equal(key->public_key.begin(), key->public_key.end(), public_key->begin(), public_key->end())) {
    return Status::error("key_mismatch", path + ": public_key does not belong to secret_key");
  }
  return key;
}

}  // namespace

Status save_pseudonym_key_file(const std::string& path, const OprfServerKey& key) {
  nlohmann::json doc = {{"suite", kPseudonymKeySuite},
                        {"public_key", to_hex(key.public_key)},
                        {"secret_key", to_hex(key.secret.view())}};
  std::string text = doc.dump(2) + "\n";
  wipe_string(doc["secret_key"].get_ref<std::string&>());
  Status written = detail::write_new_file(path, text, 0600);
  wipe_string(text);
  return written;
}

Result<OprfServerKey> load_pseudonym_key_file(const std::string& path) {
  std::string text;
  MEDTRAIL_RETURN_IF_ERROR(detail::read_private_file(path, kMaxPseudonymKeyFileBytes, text));
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  wipe_string(text);
  Result<OprfServerKey> key =
      doc.is_discarded() ? Result<OprfServerKey>(bad_key_file(path, "not valid JSON")) : parse(path, doc);
  if (doc.is_object()) {
    auto secret = doc.find("secret_key");
    if (secret != doc.end() && secret->is_string()) wipe_string(secret->get_ref<std::string&>());
  }
  return key;
}

}  // namespace medtrail::ledger
