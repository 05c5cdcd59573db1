#pragma once
// Confidential fields of a record body (docs/privacy.md, "Confidential fields"). The author's
// client encrypts them under a fresh data key with XChaCha20-Poly1305 and wraps that key with an
// X25519 sealed box for each organisation entitled to read: its own, the regulators'. A
// prescription's data key also travels on the patient's slip (slip_key), so a pharmacy the
// patient chooses can read it and others cannot. The chain keeps the result as the body's
// `sealed` object and checks only its shape and its recipients; no node needs to read it.
//
//   "sealed": {"v": 1, "nonce": 48 lowercase hex, "ciphertext": base64,
//              "keys": [{"org": "hosp-a", "key_id": 16 lowercase hex, "wrapped": base64}]}
//
// The ciphertext's associated data binds it to the record's kind and actor: the same bytes
// copied into another signer's record, or another kind, do not open.
//
// Version 2 is erasable (docs/privacy.md, "Erasure"): the body also names its patient,
//
//   "sealed": {"v": 2, "subject": patient_ref, "nonce": ..., "ciphertext": ..., "keys": [...]}
//
// and the content key mixes the data key with the patient's share for this record, which only the
// key service can compute, from a per-patient key it keeps (patient_share). Reading needs both:
// the data key (a party's) and the share (the service's, asked for in a recorded query). Erasing
// the patient destroys their key: from then on nobody can compute a share, so no node, backup
// or export opens those fields again, while the chain's bytes, and every proof over them, stay
// as they were.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/secure_bytes.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

inline constexpr std::string_view kSealedField = "sealed";
inline constexpr int kSealedVersion = 1;
inline constexpr int kErasableSealedVersion = 2;
inline constexpr size_t kPatientKeyBytes = 32;
inline constexpr size_t kPatientShareBytes = 32;
inline constexpr size_t kEncryptionKeyBytes = 32;     // X25519
inline constexpr size_t kDataKeyBytes = 32;           // XChaCha20-Poly1305
inline constexpr size_t kSealedNonceBytes = 24;
inline constexpr size_t kSealedTagBytes = 16;
inline constexpr size_t kWrappedKeyBytes = 80;        // sealed box: 32 ephemeral + 16 MAC + 32
inline constexpr size_t kEncryptionKeyIdHexSize = 16;
// Bounds the chain's cost of a record's sealed part: a prescription's confidential fields are
// well under 2 KiB; sixteen readers covers the author and every regulator of a province.
inline constexpr size_t kMaxSealedPlaintextBytes = 16 * 1024;
inline constexpr size_t kMaxSealedRecipients = 16;

// The name a wrapped key gives its recipient key: the first 8 bytes of SHA-256 of the X25519
// public key, in lowercase hex.
std::string encryption_key_id(ByteView public_key);
// 32 bytes that a sealed box can be made for: not a point of small order (whose shared secret
// an eavesdropper knows).
bool is_encryption_public_key(ByteView public_key);

struct EncryptionKey {
  Bytes public_key;
  SecureBytes secret_key;
  std::string key_id() const { return encryption_key_id(public_key); }
};
EncryptionKey generate_encryption_key();
// Errors: `bad_key` (not 32 bytes, or a secret whose public key is of small order).
Result<EncryptionKey> encryption_key_from_secret(ByteView secret);

struct SealedKey {
  std::string org;
  std::string key_id;
  Bytes wrapped;
  bool operator==(const SealedKey&) const = default;
};

struct Sealed {
  int version = kSealedVersion;
  std::string subject;  // version 2: the patient_ref whose share the content key needs
  Bytes nonce;
  Bytes ciphertext;
  std::vector<SealedKey> keys;
  bool operator==(const Sealed&) const = default;
};

// Who may read: an organisation and its current encryption public key.
struct SealRecipient {
  std::string org;
  Bytes public_key;
};

// The record the sealed fields belong to: its kind and signer ("<org>/<user>").
struct SealedContext {
  std::string_view kind;
  std::string_view actor;
};

// Version 2: the patient's share for the record sealed under `nonce` (which the author draws
// first, with new_sealed_nonce, to ask the key service for the share).
struct PatientShare {
  std::string patient_ref;  // 64 lowercase hex
  Bytes nonce;
  SecureBytes share;
};

Bytes new_sealed_nonce();
// A patient's key, as the key service draws it on first use.
SecureBytes new_patient_key();
// The key service's share for one record: keyed BLAKE2b-256, under the patient's key, of a label,
// the patient_ref and the record's nonce. A share opens that record only.
SecureBytes patient_share(ByteView patient_key, std::string_view patient_ref, ByteView nonce);

struct SealResult {
  Sealed sealed;
  SecureBytes data_key;  // for the slip; wiped when dropped
};

// Encrypts `plaintext` (the confidential fields as JSON) under a fresh data key; with `erasable`,
// as version 2 under the share's nonce, the content key mixing in the share. Errors:
// `too_large` (plaintext above kMaxSealedPlaintextBytes), `bad_recipient` (none, more than
// kMaxSealedRecipients, an organisation twice, or a key that is_encryption_public_key refuses),
// `bad_share` (a ref that is not 64 lowercase hex, a nonce or share of another size).
Result<SealResult> seal(std::string_view plaintext, const SealedContext& context,
                        const std::vector<SealRecipient>& recipients, const PatientShare* erasable = nullptr);
// The data key wrapped for `org` under one of `keyring`'s keys (old ones too: a rotated key
// still opens what was sealed for it). Errors: `not_a_recipient` (no wrapped key for `org`
// under any key of the keyring), `unwrap_failed` (the wrapped bytes do not open).
Result<SecureBytes> unwrap_data_key(const Sealed& sealed, std::string_view org,
                                    const std::vector<EncryptionKey>& keyring);
// `share` is the patient's share for this record, needed by version 2 and ignored by version 1.
// Errors: `share_needed` (version 2 without a share), `open_failed` (another key or share, changed
// bytes, or another record's kind or actor).
Result<std::string> open_sealed(const Sealed& sealed, ByteView data_key, const SealedContext& context,
                                const SecureBytes* share = nullptr);

nlohmann::json sealed_to_json(const Sealed& sealed);
// Strict: exactly the fields above (version 1 or 2), each of its size; 1..kMaxSealedRecipients keys for distinct
// organisations; a ciphertext no longer than the largest plaintext sealed. Errors: `bad_sealed`
// naming the field.
Result<Sealed> sealed_from_json(const nlohmann::json& value);

// A data key as the slip prints it: base64url without padding (43 characters), fit for a URL
// fragment, which a browser never sends to the server. Errors: `bad_slip_key`.
std::string slip_key_to_text(ByteView data_key);
Result<SecureBytes> slip_key_from_text(std::string_view text);

}  // namespace medtrail::ledger
