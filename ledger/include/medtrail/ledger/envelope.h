#pragma once
// The envelope: a payload (the exact JSON bytes a person signed), the signer's identity id,
// the suite, and the signature over the payload bytes. Nobody re-serialises a payload:
// the record id, the leaf and every signature are over the bytes as they came.
//
// Wire form (fixed, see docs/design.md):
//   {"payload": "<base64>", "signer": "<org>/<name>", "suite": "ed25519-sha256",
//    "signature": "<base64>"}
//
// Error codes (stable, tested one by one):
//   malformed_json, not_an_object, duplicate_key, unknown_field, missing_field, wrong_type,
//   envelope_too_large, payload_too_large, invalid_utf8, bad_payload_encoding,
//   unknown_suite, bad_signature_encoding, signature_mismatch, actor_mismatch,
//   unsupported_version, bad_timestamp, bad_field (a string field out of its pattern/length),
//   bad_key (a public key of the wrong size for the suite).

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

// 56 KiB: with the leaf's other bounded fields a stored leaf stays below 64 KiB, the largest
// entry a C2SP tlog-tiles entry bundle can carry (checked at compile time in serialization.h).
inline constexpr size_t kMaxPayloadBytes = 56 * 1024;
// base64 of the largest payload and signature, plus field names and a signer id.
inline constexpr size_t kMaxEnvelopeWireBytes = 96 * 1024;
inline constexpr size_t kMaxSignerIdBytes = 128;
inline constexpr int kPayloadVersion = 1;

struct Envelope {
  Bytes payload;
  std::string signer;
  std::string suite;
  Bytes signature;
  bool operator==(const Envelope&) const = default;
};

// The common fields every payload carries; `body` stays inside the payload bytes and is
// read by the contract for `kind`.
struct PayloadFields {
  int64_t v = 0;
  std::string kind;   // dotted lowercase, e.g. "rx.issue"
  std::string org;    // organisation id
  std::string actor;  // identity id "<org>/<name>", equal to the signer
  std::string ts;     // the client's claim, RFC 3339 with a zone, e.g. 2026-11-23T10:00:00Z
  std::string nonce;  // 1..128 printable ASCII characters
};

// The payload's field formats: an organisation id ([a-z0-9][a-z0-9._-]*, at most 64 bytes), an
// identity id (<org>/<name>, two such parts) and a kind (dotted lower-case words, e.g. rx.issue).
bool is_org_id(std::string_view s);
bool is_identity_id(std::string_view s);
bool is_kind(std::string_view s);

// Parses the wire JSON and decodes base64. Checks structure only (not the payload, not
// the signature): field set, types, sizes, known suite, signature length for the suite.
Result<Envelope> envelope_from_wire(std::string_view wire_json);
std::string envelope_to_wire(const Envelope& envelope);

// Validates the payload bytes: size, UTF-8, a JSON object without duplicate keys, the
// common fields with their types and formats, `body` an object, actor == signer. With `body`,
// the same single pass also hands over the body's tree (for the contracts), set on success.
Result<PayloadFields> parse_payload(const Envelope& envelope, nlohmann::json* body = nullptr);

// Checks the signature over the payload bytes with the signer's public key.
Status verify_envelope_signature(const Envelope& envelope, ByteView public_key);

// parse_payload + verify_envelope_signature: everything a node checks before admission
// apart from whether the key belongs to the signer.
Result<PayloadFields> validate_envelope(const Envelope& envelope, ByteView public_key,
                                        nlohmann::json* body = nullptr);

// A record's hash on a chain of `suite`: that suite's hash of the payload bytes, and its
// lowercase hex (the record id). Total: an envelope naming another suite, or none, still gets
// an id (it is never a leaf of that chain, but its refusal is reported under that id).
Hash record_hash(const CryptoSuite& suite, const Envelope& envelope);
std::string record_id(const CryptoSuite& suite, const Envelope& envelope);
// The same under the envelope's own suite, for tools that hold no chain: `unknown_suite` when
// the envelope names a suite this build does not have.
Result<Hash> record_hash(const Envelope& envelope);
Result<std::string> record_id(const Envelope& envelope);

// Offline signing: validates `payload`, takes the signer from its `actor`, signs.
Result<Envelope> sign_envelope(Bytes payload, const KeyPair& key);

}  // namespace medtrail::ledger
