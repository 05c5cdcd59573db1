#include "medtrail/ledger/sealed_fields.h"

#include <sodium.h>

#include <algorithm>
#include <set>

namespace medtrail::ledger {
namespace {

static_assert(kWrappedKeyBytes == crypto_box_SEALBYTES + kDataKeyBytes);
static_assert(kSealedNonceBytes == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kDataKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kSealedTagBytes == crypto_aead_xchacha20poly1305_ietf_ABYTES);
static_assert(kEncryptionKeyBytes == crypto_box_PUBLICKEYBYTES);

constexpr std::string_view kAssociatedDataLabel = "medtrail-sealed-v1";
constexpr std::string_view kErasableAssociatedDataLabel = "medtrail-sealed-v2";
constexpr std::string_view kContentKeyLabel = "medtrail-sealed-v2-content-key";
constexpr std::string_view kPatientShareLabel = "medtrail-patient-share-v1";

// Kind, actor and subject are ids without NUL bytes, so the separators make the encoding
// unambiguous. Version 2 binds the subject too: the fields cannot be moved to another patient.
std::string associated_data(const SealedContext& context, int version, std::string_view subject) {
  std::string ad(version == kErasableSealedVersion ? kErasableAssociatedDataLabel : kAssociatedDataLabel);
  ad.push_back('\0');
  ad.append(context.kind);
  ad.push_back('\0');
  ad.append(context.actor);
  if (version == kErasableSealedVersion) {
    ad.push_back('\0');
    ad.append(subject);
  }
  return ad;
}

// Version 2's content key: keyed BLAKE2b-256 of the share under the data key. Either alone
// gives nothing.
SecureBytes content_key(ByteView data_key, ByteView share) {
  std::string message(kContentKeyLabel);
  message.push_back('\0');
  message.append(reinterpret_cast<const char*>(share.data()), share.size());
  SecureBytes key(kDataKeyBytes);
  crypto_generichash(key.data(), key.size(), reinterpret_cast<const uint8_t*>(message.data()), message.size(),
                     data_key.data(), data_key.size());
  sodium_memzero(message.data(), message.size());
  return key;
}

Status bad_sealed(const std::string& field, const std::string& why) {
  return Status::error("bad_sealed", "sealed." + field + ": " + why);
}

// A patient_ref is a hash's hex: the same one spelling.
bool is_patient_ref(std::string_view s) { return is_hash_hex(s); }

bool is_org_id(std::string_view s) {
  return !s.empty() && s.size() <= 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

// A string field of `obj`, which the caller has checked holds exactly its expected fields.
Result<std::string> string_field(const nlohmann::json& obj, const std::string& path, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end()) return bad_sealed(path + name, "missing");
  if (!it->is_string()) return bad_sealed(path + name, "must be a string");
  return it->get<std::string>();
}

Result<Bytes> base64_field(const nlohmann::json& obj, const std::string& path, const char* name,
                           size_t min_bytes, size_t max_bytes) {
  Result<std::string> field = string_field(obj, path, name);
  if (!field.ok()) return field.status();
  const std::string& text = *field;
  // Bound the text before decoding it.
  if (text.size() > 4 * ((max_bytes + 2) / 3)) return bad_sealed(path + name, "too long");
  Result<Bytes> bytes = from_base64(text);
  if (!bytes.ok()) return bad_sealed(path + name, "must be standard padded base64");
  if (bytes->size() < min_bytes || bytes->size() > max_bytes) {
    return bad_sealed(path + name, "must decode to " + std::to_string(min_bytes) + ".." +
                                       std::to_string(max_bytes) + " bytes");
  }
  return bytes;
}

bool has_exactly(const nlohmann::json& obj, std::initializer_list<const char*> names) {
  if (!obj.is_object() || obj.size() != names.size()) return false;
  return std::all_of(names.begin(), names.end(), [&](const char* n) { return obj.contains(n); });
}

Result<SealedKey> key_from_json(const nlohmann::json& value, size_t index) {
  const std::string path = "keys[" + std::to_string(index) + "].";
  if (!has_exactly(value, {"org", "key_id", "wrapped"})) {
    return bad_sealed("keys[" + std::to_string(index) + "]", "must be an object with exactly org, key_id and wrapped");
  }
  Result<std::string> org = string_field(value, path, "org");
  if (!org.ok()) return org.status();
  if (!is_org_id(*org)) return bad_sealed(path + "org", "must be an organisation id");
  Result<std::string> key_id = string_field(value, path, "key_id");
  if (!key_id.ok()) return key_id.status();
  SealedKey key{std::move(*org), std::move(*key_id), {}};
  if (key.key_id.size() != kEncryptionKeyIdHexSize || !is_lower_hex(key.key_id)) {
    return bad_sealed(path + "key_id", "must be 16 lowercase hex characters");
  }
  Result<Bytes> wrapped = base64_field(value, path, "wrapped", kWrappedKeyBytes, kWrappedKeyBytes);
  if (!wrapped.ok()) return wrapped.status();
  key.wrapped = std::move(*wrapped);
  return key;
}

}  // namespace

std::string encryption_key_id(ByteView public_key) {
  uint8_t digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, public_key.data(), public_key.size());
  return to_hex(ByteView(digest, kEncryptionKeyIdHexSize / 2));
}

bool is_encryption_public_key(ByteView public_key) {
  if (public_key.size() != kEncryptionKeyBytes) return false;
  // crypto_scalarmult fails exactly when the result is all zeros: a point of small order.
  uint8_t scalar[crypto_scalarmult_SCALARBYTES];
  std::fill(std::begin(scalar), std::end(scalar), uint8_t{0x5a});
  uint8_t shared[crypto_scalarmult_BYTES];
  const bool ok = crypto_scalarmult(shared, scalar, public_key.data()) == 0;
  sodium_memzero(shared, sizeof shared);
  return ok;
}

EncryptionKey generate_encryption_key() {
  EncryptionKey key;
  key.public_key.resize(crypto_box_PUBLICKEYBYTES);
  key.secret_key = SecureBytes(crypto_box_SECRETKEYBYTES);
  crypto_box_keypair(key.public_key.data(), key.secret_key.data());
  return key;
}

Result<EncryptionKey> encryption_key_from_secret(ByteView secret) {
  if (secret.size() != crypto_box_SECRETKEYBYTES) return Status::error("bad_key", "an encryption secret key is 32 bytes");
  EncryptionKey key;
  key.secret_key = SecureBytes(secret);
  key.public_key.resize(crypto_box_PUBLICKEYBYTES);
  if (crypto_scalarmult_base(key.public_key.data(), key.secret_key.data()) != 0 ||
      !is_encryption_public_key(key.public_key)) {
    return Status::error("bad_key", "the encryption secret key gives no usable public key");
  }
  return key;
}

Bytes new_sealed_nonce() {
  Bytes nonce(kSealedNonceBytes);
  randombytes_buf(nonce.data(), nonce.size());
  return nonce;
}

SecureBytes new_patient_key() {
  SecureBytes key(kPatientKeyBytes);
  randombytes_buf(key.data(), key.size());
  return key;
}

SecureBytes patient_share(ByteView patient_key, std::string_view patient_ref, ByteView nonce) {
  std::string message(kPatientShareLabel);
  message.push_back('\0');
  message.append(patient_ref);
  message.push_back('\0');
  message.append(reinterpret_cast<const char*>(nonce.data()), nonce.size());
  SecureBytes share(kPatientShareBytes);
  crypto_generichash(share.data(), share.size(), reinterpret_cast<const uint8_t*>(message.data()), message.size(),
                     patient_key.data(), patient_key.size());
  return share;
}

Result<SealResult> seal(std::string_view plaintext, const SealedContext& context,
                        const std::vector<SealRecipient>& recipients, const PatientShare* erasable) {
  if (plaintext.size() > kMaxSealedPlaintextBytes) {
    return Status::error("too_large", "confidential fields of " + std::to_string(plaintext.size()) +
                                          " bytes; at most " + std::to_string(kMaxSealedPlaintextBytes));
  }
  if (recipients.empty() || recipients.size() > kMaxSealedRecipients) {
    return Status::error("bad_recipient", "sealed fields need 1.." + std::to_string(kMaxSealedRecipients) + " readers");
  }
  std::set<std::string_view> orgs;
  for (const SealRecipient& r : recipients) {
    if (!is_org_id(r.org) || !orgs.insert(r.org).second) {
      return Status::error("bad_recipient", "reader \"" + r.org + "\" is not an organisation id, or is named twice");
    }
    if (!is_encryption_public_key(r.public_key)) {
      return Status::error("bad_recipient", "the encryption key of " + r.org + " is not a usable X25519 key");
    }
  }
  if (erasable != nullptr &&
      (!is_patient_ref(erasable->patient_ref) || erasable->nonce.size() != kSealedNonceBytes ||
       erasable->share.size() != kPatientShareBytes)) {
    return Status::error("bad_share", "an erasable seal needs a 64-hex patient_ref, a " +
                                          std::to_string(kSealedNonceBytes) + "-byte nonce and a " +
                                          std::to_string(kPatientShareBytes) + "-byte share");
  }
  SealResult result;
  result.data_key = SecureBytes(kDataKeyBytes);
  crypto_aead_xchacha20poly1305_ietf_keygen(result.data_key.data());
  Sealed& sealed = result.sealed;
  SecureBytes key;
  if (erasable != nullptr) {
    sealed.version = kErasableSealedVersion;
    sealed.subject = erasable->patient_ref;
    sealed.nonce = erasable->nonce;
    key = content_key(result.data_key.view(), erasable->share.view());
  } else {
    sealed.nonce = new_sealed_nonce();
    key = SecureBytes(result.data_key);
  }
  const std::string ad = associated_data(context, sealed.version, sealed.subject);
  sealed.ciphertext.resize(plaintext.size() + kSealedTagBytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      sealed.ciphertext.data(), &written, reinterpret_cast<const uint8_t*>(plaintext.data()), plaintext.size(),
      reinterpret_cast<const uint8_t*>(ad.data()), ad.size(), nullptr, sealed.nonce.data(), key.data());
  sealed.ciphertext.resize(written);
  for (const SealRecipient& r : recipients) {
    SealedKey key{r.org, encryption_key_id(r.public_key), Bytes(kWrappedKeyBytes)};
    if (crypto_box_seal(key.wrapped.data(), result.data_key.data(), kDataKeyBytes, r.public_key.data()) != 0) {
      return Status::error("bad_recipient", "could not wrap the data key for " + r.org);
    }
    sealed.keys.push_back(std::move(key));
  }
  return result;
}

Result<SecureBytes> unwrap_data_key(const Sealed& sealed, std::string_view org,
                                    const std::vector<EncryptionKey>& keyring) {
  for (const SealedKey& wrapped : sealed.keys) {
    if (wrapped.org != org || wrapped.wrapped.size() != kWrappedKeyBytes) continue;
    for (const EncryptionKey& key : keyring) {
      if (key.key_id() != wrapped.key_id) continue;
      SecureBytes data_key(kDataKeyBytes);
      if (crypto_box_seal_open(data_key.data(), wrapped.wrapped.data(), wrapped.wrapped.size(),
                               key.public_key.data(), key.secret_key.data()) != 0) {
        return Status::error("unwrap_failed", "the data key wrapped for " + std::string(org) + " under key " +
                                                  wrapped.key_id + " does not open");
      }
      return data_key;
    }
  }
  return Status::error("not_a_recipient",
                       "the sealed fields are not wrapped for " + std::string(org) + " under any key of this keyring");
}

Result<std::string> open_sealed(const Sealed& sealed, ByteView data_key, const SealedContext& context,
                                const SecureBytes* share) {
  const bool erasable = sealed.version == kErasableSealedVersion;
  if (erasable && share == nullptr) {
    return Status::error("share_needed", "these sealed fields are erasable: opening them needs the patient's share "
                                         "from the key service");
  }
  if (data_key.size() != kDataKeyBytes || sealed.nonce.size() != kSealedNonceBytes ||
      sealed.ciphertext.size() < kSealedTagBytes || (erasable && share->size() != kPatientShareBytes)) {
    return Status::error("open_failed", "the sealed fields do not open with this key");
  }
  const SecureBytes key = erasable ? content_key(data_key, share->view()) : SecureBytes(data_key);
  const std::string ad = associated_data(context, sealed.version, sealed.subject);
  std::string plaintext(sealed.ciphertext.size() - kSealedTagBytes, '\0');
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<uint8_t*>(plaintext.data()), &written, nullptr, sealed.ciphertext.data(),
          sealed.ciphertext.size(), reinterpret_cast<const uint8_t*>(ad.data()), ad.size(), sealed.nonce.data(),
          key.data()) != 0) {
    return Status::error("open_failed",
                         "the sealed fields do not open with this key (another key or share, changed bytes, or sealed "
                         "for another record)");
  }
  plaintext.resize(written);
  return plaintext;
}

nlohmann::json sealed_to_json(const Sealed& sealed) {
  nlohmann::json keys = nlohmann::json::array();
  for (const SealedKey& key : sealed.keys) {
    keys.push_back({{"org", key.org}, {"key_id", key.key_id}, {"wrapped", to_base64(key.wrapped)}});
  }
  nlohmann::json out = {{"v", sealed.version},
                        {"nonce", to_hex(sealed.nonce)},
                        {"ciphertext", to_base64(sealed.ciphertext)},
                        {"keys", std::move(keys)}};
  if (sealed.version == kErasableSealedVersion) out["subject"] = sealed.subject;
  return out;
}

Result<Sealed> sealed_from_json(const nlohmann::json& value) {
  const nlohmann::json* v = value.is_object() && value.contains("v") ? &value.at("v") : nullptr;
  const bool erasable = v != nullptr && v->is_number_integer() && v->get<int64_t>() == kErasableSealedVersion;
  if (erasable ? !has_exactly(value, {"v", "subject", "nonce", "ciphertext", "keys"})
               : !has_exactly(value, {"v", "nonce", "ciphertext", "keys"})) {
    return Status::error("bad_sealed", erasable ? "sealed: version 2 is an object with exactly v, subject, nonce, "
                                                  "ciphertext and keys"
                                                : "sealed: must be an object with exactly v, nonce, ciphertext and keys");
  }
  if (!erasable && (!v->is_number_integer() || v->get<int64_t>() != kSealedVersion)) {
    return bad_sealed("v", "must be 1 or 2");
  }
  Sealed sealed;
  if (erasable) {
    sealed.version = kErasableSealedVersion;
    Result<std::string> subject = string_field(value, "", "subject");
    if (!subject.ok()) return subject.status();
    if (!is_patient_ref(*subject)) return bad_sealed("subject", "must be a patient_ref (64 lowercase hex)");
    sealed.subject = std::move(*subject);
  }
  Result<std::string> nonce_text = string_field(value, "", "nonce");
  if (!nonce_text.ok()) return nonce_text.status();
  const std::string& nonce = *nonce_text;
  if (nonce.size() != 2 * kSealedNonceBytes || !is_lower_hex(nonce)) {
    return bad_sealed("nonce", "must be 48 lowercase hex characters");
  }
  sealed.nonce = std::move(*from_hex(nonce));
  Result<Bytes> ciphertext =
      base64_field(value, "", "ciphertext", kSealedTagBytes, kMaxSealedPlaintextBytes + kSealedTagBytes);
  if (!ciphertext.ok()) return ciphertext.status();
  sealed.ciphertext = std::move(*ciphertext);
  const nlohmann::json& keys = value.at("keys");
  if (!keys.is_array() || keys.empty() || keys.size() > kMaxSealedRecipients) {
    return bad_sealed("keys", "must be an array of 1.." + std::to_string(kMaxSealedRecipients) + " wrapped keys");
  }
  std::set<std::string> orgs;
  for (size_t i = 0; i < keys.size(); ++i) {
    Result<SealedKey> parsed = key_from_json(keys[i], i);
    if (!parsed.ok()) return parsed.status();
    SealedKey& key = *parsed;
    if (!orgs.insert(key.org).second) {
      return bad_sealed("keys[" + std::to_string(i) + "].org", "names an organisation a second time");
    }
    sealed.keys.push_back(std::move(key));
  }
  return sealed;
}

std::string slip_key_to_text(ByteView data_key) {
  std::string text(sodium_base64_ENCODED_LEN(data_key.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(text.data(), text.size(), data_key.data(), data_key.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  text.resize(text.size() - 1);  // the terminating NUL
  return text;
}

Result<SecureBytes> slip_key_from_text(std::string_view text) {
  constexpr size_t kSlipKeyChars = 43;
  SecureBytes key(kDataKeyBytes);
  size_t written = 0;
  const char* end = nullptr;
  if (text.size() != kSlipKeyChars ||
      sodium_base642bin(key.data(), key.size(), text.data(), text.size(), nullptr, &written, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      written != kDataKeyBytes || end != text.data() + text.size()) {
    return Status::error("bad_slip_key", "a slip key is 43 base64url characters (32 bytes)");
  }
  return key;
}

}  // namespace medtrail::ledger
