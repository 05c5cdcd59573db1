#include "medtrail/ledger/key_file.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "exclusive_file.h"

namespace medtrail::ledger {
namespace {

// A key file is a few hundred bytes; anything much larger is not one.
constexpr size_t kMaxKeyFileSize = 64 * 1024;

Status bad_key_file(const std::string& path, const std::string& why) {
  return Status::error("bad_key_file", path + ": " + why);
}



void append_hex(std::string& out, ByteView data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (uint8_t b : data) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Like from_hex, but the decoded secret never sits in an unwiped buffer.
bool decode_secret_hex(const std::string& hex, SecureBytes& out) {
  if (hex.size() % 2 != 0) return false;
  SecureBytes decoded(hex.size() / 2);
  for (size_t i = 0; i < decoded.size(); ++i) {
    int hi = hex_value(hex[2 * i]);
    int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    decoded.data()[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  out = std::move(decoded);
  return true;
}

// The file text, built by hand into one pre-sized buffer so that the secret's hex is never
// copied into a reallocated (and unwiped) block. Every value is hex or a registered suite name,
// so nothing needs JSON escaping.
std::string render_key_file(const CryptoSuite& suite, const KeyPair& key) {
  std::string key_id = suite.key_id(key.public_key);
  std::string text;
  text.reserve(128 + key_id.size() + 2 * (key.public_key.size() + key.secret.size()));
  text += "{\n  \"suite\": \"";
  text += suite.name();
  text += "\",\n  \"key_id\": \"";
  text += key_id;
  text += "\",\n  \"public_key\": \"";
  append_hex(text, key.public_key);
  text += "\",\n  \"secret_key\": \"";
  append_hex(text, key.secret.view());
  text += "\"\n}\n";
  return text;
}

const std::string* string_field(const nlohmann::json& doc, const char* name) {
  auto it = doc.find(name);
  if (it == doc.end() || !it->is_string()) return nullptr;
  return &it->get_ref<const std::string&>();
}

Result<KeyPair> parse_key_file(const std::string& path, nlohmann::json& doc) {
  if (!doc.is_object()) return bad_key_file(path, "not a JSON object");
  const std::string* suite_name = string_field(doc, "suite");
  const std::string* key_id = string_field(doc, "key_id");
  const std::string* public_hex = string_field(doc, "public_key");
  const std::string* secret_hex = string_field(doc, "secret_key");
  if (!suite_name || !key_id || !public_hex || !secret_hex) {
    return bad_key_file(path, "needs string fields suite, key_id, public_key and secret_key");
  }
  const CryptoSuite* suite = find_suite(*suite_name);
  if (suite == nullptr) {
    return Status::error("unknown_suite", path + ": unknown crypto suite \"" + *suite_name + "\"");
  }
  Result<Bytes> public_key = from_hex(*public_hex);
  SecureBytes secret;
  if (!public_key.ok() || !decode_secret_hex(*secret_hex, secret)) {
    return bad_key_file(path, "public_key and secret_key must be hex");
  }
  if (public_key->size() != suite->public_key_size()) {
    return bad_key_file(path, "public_key has the wrong size for " + *suite_name);
  }
  Result<KeyPair> key = suite->keypair_from_secret(secret.view());
  if (!key.ok()) return bad_key_file(path, "secret_key: " + key.status().message());
  if (key->public_key != *public_key) {
    return Status::error("key_mismatch", path + ": public_key does not belong to secret_key");
  }
  if (*key_id != suite->key_id(key->public_key)) {
    return Status::error("key_mismatch", path + ": key_id does not match public_key");
  }
  return key;
}

}  // namespace

Status save_key_file(const std::string& path, const KeyPair& key) {
  const CryptoSuite* suite = find_suite(key.suite);
  if (suite == nullptr) return Status::error("unknown_suite", "unknown crypto suite " + key.suite);
  // Refuse to write a file that load_key_file would reject.
  Result<KeyPair> rebuilt = suite->keypair_from_secret(key.secret.view());
  if (!rebuilt.ok()) return rebuilt.status();
  if (rebuilt->public_key != key.public_key) {
    return Status::error("key_mismatch", "public key does not belong to the secret");
  }

  // Never replaces an existing key; mode 0600 from creation (see exclusive_file.h).
  std::string text = render_key_file(*suite, key);
  Status written = detail::write_new_file(path, text, 0600);
  wipe_string(text);
  return written;
}

Result<KeyPair> load_key_file(const std::string& path) {
  std::string text;
  MEDTRAIL_RETURN_IF_ERROR(detail::read_private_file(path, kMaxKeyFileSize, text));
  Result<KeyPair> key = Status::error("bad_key_file", path + ": not valid JSON");
  try {
    nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_discarded()) key = parse_key_file(path, doc);
    if (doc.is_object()) {
      auto secret = doc.find("secret_key");
      if (secret != doc.end() && secret->is_string()) wipe_string(secret->get_ref<std::string&>());
    }
  } catch (const std::exception& e) {
    key = bad_key_file(path, e.what());
  }
  wipe_string(text);
  return key;
}

}  // namespace medtrail::ledger
