#include "medtrail/ledger/cosignature.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace medtrail::ledger {

namespace {

constexpr std::string_view kEmDash = "\xE2\x80\x94";  // U+2014, which opens a signature line
constexpr uint8_t kCosignatureV1 = 0x04;
constexpr size_t kEd25519PublicKeySize = 32;
constexpr size_t kEd25519SignatureSize = 64;

// Printable ASCII without '+' (signed-note's key names have no spaces or '+'; this is narrower,
// so that a name is the same bytes to every reader).
bool is_key_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(),
                                      [](char c) { return c > 0x20 && c < 0x7f && c != '+'; });
}

void put_be(Bytes& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

uint64_t get_be(ByteView b, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | b[at + static_cast<size_t>(i)];
  return v;
}

}  // namespace

uint32_t cosigner_key_id(std::string_view name, ByteView public_key) {
  const uint8_t tail[2] = {'\n', kCosignatureV1};
  const Hash h = ed25519_sha256().hash_parts({as_bytes(name), ByteView(tail, 2), public_key});
  return static_cast<uint32_t>(get_be(ByteView(h.data(), h.size()), 0, 4));
}

std::string cosigner_vkey(std::string_view name, ByteView public_key) {
  char id[9];
  std::snprintf(id, sizeof id, "%08x", cosigner_key_id(name, public_key));
  Bytes material = {kCosignatureV1};
  material.insert(material.end(), public_key.begin(), public_key.end());
  return std::string(name) + "+" + id + "+" + to_base64(material);
}

std::string cosigned_message(std::string_view note_text, uint64_t timestamp) {
  return "cosignature/v1\ntime " + std::to_string(timestamp) + "\n" + std::string(note_text);
}

Result<std::string> cosign(std::string_view name, const KeyPair& key, std::string_view note_text,
                           uint64_t timestamp) {
  if (key.suite != ed25519_sha256().name() || key.public_key.size() != kEd25519PublicKeySize) {
    return Status::error("bad_key", "a cosignature/v1 key is an Ed25519 key");
  }
  if (!is_key_name(name)) {
    return Status::error("bad_name",
                         "a cosigner name is non-empty, without spaces, '+' or newlines");
  }
  if (timestamp > uint64_t{INT64_MAX}) return Status::error("bad_time", "the time is out of range");
  const std::string message = cosigned_message(note_text, timestamp);
  auto signature = ed25519_sha256().sign(key, as_bytes(message));
  if (!signature.ok()) return signature.status();
  Bytes blob;
  put_be(blob, cosigner_key_id(name, key.public_key), 4);
  put_be(blob, timestamp, 8);
  blob.insert(blob.end(), signature->begin(), signature->end());
  return std::string(kEmDash) + " " + std::string(name) + " " + to_base64(blob) + "\n";
}

Result<uint64_t> verify_cosignature(std::string_view line, std::string_view name,
                                    ByteView public_key, std::string_view note_text) {
  if (line.ends_with('\n')) line.remove_suffix(1);
  const std::string prefix = std::string(kEmDash) + " " + std::string(name) + " ";
  if (!line.starts_with(prefix)) {
    return Status::error("not_this_cosigner", "the line is not signed by " + std::string(name));
  }
  auto blob = from_base64(line.substr(prefix.size()));
  if (!blob.ok() || blob->size() < 4) {
    return Status::error("bad_cosignature", "the signature does not read");
  }
  if (get_be(*blob, 0, 4) != cosigner_key_id(name, public_key)) {
    return Status::error("not_this_cosigner", "the key ID is another key's");
  }
  if (blob->size() != 4 + 8 + kEd25519SignatureSize) {
    return Status::error("bad_cosignature", "a cosignature/v1 is a time and an Ed25519 signature");
  }
  const uint64_t timestamp = get_be(*blob, 4, 8);
  if (timestamp > uint64_t{INT64_MAX}) {
    return Status::error("bad_cosignature", "the time is out of range");
  }
  const std::string message = cosigned_message(note_text, timestamp);
  if (!ed25519_sha256().verify(public_key, as_bytes(message),
                               ByteView(blob->data() + 12, kEd25519SignatureSize))) {
    return Status::error("bad_cosignature", "the signature does not verify");
  }
  return timestamp;
}

}  // namespace medtrail::ledger
