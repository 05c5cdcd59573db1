#include "medtrail/ledger/envelope.h"

#include <algorithm>
#include <array>
#include <span>
#include <utility>

#include <nlohmann/json.hpp>

#include "medtrail/ledger/rfc3339.h"
#include "strict_json.h"

namespace medtrail::ledger {
namespace {

constexpr size_t kMaxOrgIdBytes = 64;
constexpr size_t kMaxKindBytes = 64;
constexpr size_t kMaxNonceBytes = 128;

// ---- Field formats. Hand-written: this runs for every admitted envelope. ----

bool is_lower_digit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// [a-z0-9][a-z0-9._-]*
bool is_id_part(std::string_view s) {
  if (s.empty() || !is_lower_digit(s[0])) return false;
  return std::all_of(s.begin() + 1, s.end(),
                     [](char c) { return is_lower_digit(c) || c == '.' || c == '_' || c == '-'; });
}

// Printable ASCII, space included.
bool is_nonce(std::string_view s) {
  if (s.empty() || s.size() > kMaxNonceBytes) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

Status missing(std::string_view what, std::string_view name) {
  return Status::error("missing_field",
                       std::string(what) + " is missing field \"" + std::string(name) + "\"");
}

Status wrong_type(std::string_view what, std::string_view name, std::string_view expected,
                  JsonType got) {
  return Status::error("wrong_type", std::string(what) + " field \"" + std::string(name) +
                                         "\" must be " + std::string(expected) + ", got " +
                                         json_type_name(got));
}

Status bad_field(std::string_view name, std::string_view rule) {
  return Status::error("bad_field", "field \"" + std::string(name) + "\" " + std::string(rule));
}

// Checks presence and string type of the fields in [first, last) of a scan.
Status require_strings(const ObjectScan& scan, std::span<const std::string_view> names,
                       size_t first, size_t last, std::string_view what) {
  for (size_t i = first; i < last; ++i) {
    if (scan.fields[i].type == JsonType::kAbsent) return missing(what, names[i]);
  }
  for (size_t i = first; i < last; ++i) {
    JsonType t = scan.fields[i].type;
    if (t != JsonType::kString) return wrong_type(what, names[i], "a string", t);
  }
  return Status();
}

constexpr std::array<std::string_view, 4> kWireFields = {"payload", "signer", "suite", "signature"};
enum WireField : size_t { kWirePayload, kWireSigner, kWireSuite, kWireSignature };

constexpr std::array<std::string_view, 7> kPayloadFields = {"v",  "kind",  "org", "actor",
                                                            "ts", "nonce", "body"};
enum PayloadField : size_t { kV, kKind, kOrg, kActor, kTs, kNonce, kBody };
static_assert(kPayloadFields.size() <= kMaxScannedFields);

// Everything parse_payload checks except actor == signer.
Result<PayloadFields> parse_payload_bytes(ByteView payload, nlohmann::json* body = nullptr) {
  if (payload.size() > kMaxPayloadBytes) {
    return Status::error("payload_too_large", "payload is " + std::to_string(payload.size()) +
                                                  " bytes, the limit is " +
                                                  std::to_string(kMaxPayloadBytes));
  }
  std::string_view text = as_chars(payload);
  if (!is_valid_utf8(text)) return Status::error("invalid_utf8", "payload is not valid UTF-8");

  ObjectScan scan;
  nlohmann::json document;
  MEDTRAIL_RETURN_IF_ERROR(scan_closed_object(text, kPayloadFields, scan, body != nullptr ? &document : nullptr));

  // The version decides the schema, so it is checked before anything else about the fields.
  const ScannedField& v = scan.fields[kV];
  if (v.type == JsonType::kAbsent) return missing("payload", "v");
  if (v.type != JsonType::kInteger) return wrong_type("payload", "v", "an integer", v.type);
  if (!v.integer_fits || v.integer != kPayloadVersion) {
    return Status::error("unsupported_version",
                         "payload version is not " + std::to_string(kPayloadVersion));
  }
  if (!scan.unknown_field.empty()) {
    return Status::error("unknown_field",
                         "payload has unknown field \"" + scan.unknown_field + "\"");
  }
  for (size_t i = kKind; i <= kBody; ++i) {
    if (scan.fields[i].type == JsonType::kAbsent) return missing("payload", kPayloadFields[i]);
  }
  MEDTRAIL_RETURN_IF_ERROR(require_strings(scan, kPayloadFields, kKind, kBody, "payload"));
  if (scan.fields[kBody].type != JsonType::kObject) {
    return wrong_type("payload", "body", "an object", scan.fields[kBody].type);
  }

  PayloadFields out;
  out.v = v.integer;
  out.kind = std::move(scan.fields[kKind].text);
  out.org = std::move(scan.fields[kOrg].text);
  out.actor = std::move(scan.fields[kActor].text);
  out.ts = std::move(scan.fields[kTs].text);
  out.nonce = std::move(scan.fields[kNonce].text);
  if (!is_kind(out.kind)) {
    return bad_field("kind", "must be dotted lower-case words (e.g. rx.issue), at most 64 bytes");
  }
  if (!is_org_id(out.org)) {
    return bad_field("org", "must match [a-z0-9][a-z0-9._-]*, at most 64 bytes");
  }
  if (!is_identity_id(out.actor)) {
    return bad_field("actor", "must be an identity id <org>/<name>, at most 128 bytes");
  }
  if (!is_rfc3339(out.ts)) {
    return Status::error("bad_timestamp",
                         "field \"ts\" must be an RFC 3339 date-time with a zone, e.g. "
                         "2026-11-23T10:00:00Z");
  }
  if (!is_nonce(out.nonce)) {
    return bad_field("nonce", "must be 1 to 128 printable ASCII characters");
  }
  std::string_view actor_org = std::string_view(out.actor).substr(0, out.actor.find('/'));
  if (actor_org != out.org) {
    return bad_field("actor", "belongs to organisation \"" + std::string(actor_org) +
                                  "\", not to the payload's org \"" + out.org + "\"");
  }
  if (body != nullptr) *body = std::move(document["body"]);
  return out;
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      out += "\\u00";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

}  // namespace

bool is_org_id(std::string_view s) { return s.size() <= kMaxOrgIdBytes && is_id_part(s); }

// [a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*
bool is_kind(std::string_view s) {
  if (s.empty() || s.size() > kMaxKindBytes) return false;
  bool segment_start = true;
  for (char c : s) {
    if (segment_start) {
      if (c < 'a' || c > 'z') return false;
      segment_start = false;
    } else if (c == '.') {
      segment_start = true;
    } else if (!is_lower_digit(c) && c != '_') {
      return false;
    }
  }
  return !segment_start;
}

// <org>/<name>, exactly one slash.
bool is_identity_id(std::string_view s) {
  if (s.size() < 3 || s.size() > kMaxSignerIdBytes) return false;
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return false;
  return is_id_part(s.substr(0, slash)) && is_id_part(s.substr(slash + 1));
}

Result<Envelope> envelope_from_wire(std::string_view wire_json) {
  if (wire_json.size() > kMaxEnvelopeWireBytes) {
    return Status::error("envelope_too_large", "envelope is " + std::to_string(wire_json.size()) +
                                                   " bytes, the limit is " +
                                                   std::to_string(kMaxEnvelopeWireBytes));
  }
  if (!is_valid_utf8(wire_json)) {
    return Status::error("invalid_utf8", "envelope is not valid UTF-8");
  }
  ObjectScan scan;
  MEDTRAIL_RETURN_IF_ERROR(scan_closed_object(wire_json, kWireFields, scan));
  if (!scan.unknown_field.empty()) {
    return Status::error("unknown_field",
                         "envelope has unknown field \"" + scan.unknown_field + "\"");
  }
  MEDTRAIL_RETURN_IF_ERROR(require_strings(scan, kWireFields, 0, kWireFields.size(), "envelope"));

  const CryptoSuite* suite = find_suite(scan.fields[kWireSuite].text);
  if (suite == nullptr) {
    return Status::error("unknown_suite", "unknown suite \"" + scan.fields[kWireSuite].text + "\"");
  }
  auto payload = from_base64(scan.fields[kWirePayload].text);
  if (!payload.ok()) {
    return Status::error("bad_payload_encoding", "payload: " + payload.status().message());
  }
  if (payload->size() > kMaxPayloadBytes) {
    return Status::error("payload_too_large", "payload is " + std::to_string(payload->size()) +
                                                  " bytes, the limit is " +
                                                  std::to_string(kMaxPayloadBytes));
  }
  auto signature = from_base64(scan.fields[kWireSignature].text);
  if (!signature.ok()) {
    return Status::error("bad_signature_encoding", "signature: " + signature.status().message());
  }
  if (signature->size() != suite->signature_size()) {
    return Status::error("bad_signature_encoding",
                         "signature is " + std::to_string(signature->size()) + " bytes, " +
                             std::string(suite->name()) + " signatures are " +
                             std::to_string(suite->signature_size()));
  }
  if (!is_identity_id(scan.fields[kWireSigner].text)) {
    return bad_field("signer", "must be an identity id <org>/<name>, at most 128 bytes");
  }
  Envelope env;
  env.payload = std::move(*payload);
  env.signer = std::move(scan.fields[kWireSigner].text);
  env.suite = std::move(scan.fields[kWireSuite].text);
  env.signature = std::move(*signature);
  return env;
}

std::string envelope_to_wire(const Envelope& envelope) {
  std::string out;
  out.reserve((envelope.payload.size() + envelope.signature.size()) * 4 / 3 + 64 +
              envelope.signer.size() + envelope.suite.size());
  out += "{\"payload\":\"";
  out += to_base64(envelope.payload);
  out += "\",\"signer\":";
  append_json_string(out, envelope.signer);
  out += ",\"suite\":";
  append_json_string(out, envelope.suite);
  out += ",\"signature\":\"";
  out += to_base64(envelope.signature);
  out += "\"}";
  return out;
}

Result<PayloadFields> parse_payload(const Envelope& envelope, nlohmann::json* body) {
  auto fields = parse_payload_bytes(envelope.payload, body);
  if (fields.ok() && fields->actor != envelope.signer) {
    return Status::error("actor_mismatch", "payload actor \"" + fields->actor +
                                               "\" is not the signer \"" + envelope.signer + "\"");
  }
  return fields;
}

Status verify_envelope_signature(const Envelope& envelope, ByteView public_key) {
  const CryptoSuite* suite = find_suite(envelope.suite);
  if (suite == nullptr) {
    return Status::error("unknown_suite", "unknown suite \"" + envelope.suite + "\"");
  }
  if (envelope.signature.size() != suite->signature_size()) {
    return Status::error("bad_signature_encoding",
                         "signature is " + std::to_string(envelope.signature.size()) +
                             " bytes, expected " + std::to_string(suite->signature_size()));
  }
  if (public_key.size() != suite->public_key_size()) {
    return Status::error("bad_key", "public key is " + std::to_string(public_key.size()) +
                                        " bytes, expected " +
                                        std::to_string(suite->public_key_size()));
  }
  if (!suite->verify(public_key, envelope.payload, envelope.signature)) {
    return Status::error("signature_mismatch",
                         "signature does not verify for signer \"" + envelope.signer + "\"");
  }
  return Status();
}

Result<PayloadFields> validate_envelope(const Envelope& envelope, ByteView public_key,
                                        nlohmann::json* body) {
  auto fields = parse_payload(envelope, body);
  if (!fields.ok()) return fields;
  MEDTRAIL_RETURN_IF_ERROR(verify_envelope_signature(envelope, public_key));
  return fields;
}

Hash record_hash(const CryptoSuite& suite, const Envelope& envelope) {
  return suite.hash(envelope.payload);
}

std::string record_id(const CryptoSuite& suite, const Envelope& envelope) {
  return to_hex(record_hash(suite, envelope));
}

Result<Hash> record_hash(const Envelope& envelope) {
  const CryptoSuite* suite = find_suite(envelope.suite);
  if (suite == nullptr) {
    return Status::error("unknown_suite", "unknown suite \"" + envelope.suite + "\"");
  }
  return record_hash(*suite, envelope);
}

Result<std::string> record_id(const Envelope& envelope) {
  auto hash = record_hash(envelope);
  if (!hash.ok()) return hash.status();
  return to_hex(*hash);
}

Result<Envelope> sign_envelope(Bytes payload, const KeyPair& key) {
  const CryptoSuite* suite = find_suite(key.suite);
  if (suite == nullptr) {
    return Status::error("unknown_suite", "unknown suite \"" + key.suite + "\"");
  }
  auto fields = parse_payload_bytes(payload);
  if (!fields.ok()) return fields.status();
  auto signature = suite->sign(key, payload);
  if (!signature.ok()) return signature.status();
  Envelope env;
  env.payload = std::move(payload);
  env.signer = std::move(fields->actor);
  env.suite = key.suite;
  env.signature = std::move(*signature);
  return env;
}

}  // namespace medtrail::ledger
