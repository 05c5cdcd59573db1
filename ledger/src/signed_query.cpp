#include "medtrail/ledger/signed_query.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "medtrail/ledger/rfc3339.h"

namespace medtrail::ledger {

namespace {

using nlohmann::json;

Status bad_field(std::string_view field, std::string_view message) {
  return Status::error("bad_field", "body." + std::string(field) + " " + std::string(message));
}

const std::string* string_field(const json& body, std::string_view name) {
  auto it = body.find(name);
  return it != body.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

// One spelling per hash: the record is evidence, and "AB" and "ab" must not both be it.
Result<Hash> lowercase_hash(const std::string* hex) {
  if (hex == nullptr || !is_hash_hex(*hex)) return Status::error("bad_field", "");
  return hash_from_hex(*hex);
}

}  // namespace

bool is_query_target(std::string_view target) {
  // Origin-form as the server received it: visible ASCII only, so what was signed is what the
  // node compares byte for byte (no decoding, no normalising on either side).
  return !target.empty() && target.size() <= kMaxQueryTargetBytes && target.front() == '/' &&
         std::all_of(target.begin(), target.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

bool is_node_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool is_access_purpose(std::string_view purpose) {
  return std::find(std::begin(kAccessPurposes), std::end(kAccessPurposes), purpose) !=
         std::end(kAccessPurposes);
}

Result<std::string> sign_query(const CryptoSuite& suite, const Hash& chain_id, const KeyPair& key,
                               std::string_view signer, const QueryToSign& request, int64_t now_ms,
                               std::string_view nonce) {
  if (key.suite != suite.name()) {
    return Status::error("wrong_suite", "the key is " + key.suite + ", the chain " + std::string(suite.name()));
  }
  if (request.method != "GET" && request.method != "POST") return bad_field("method", "must be GET or POST");
  if (!is_query_target(request.target)) {
    return bad_field("target", "must be an origin-form target of visible ASCII, at most 2048 bytes");
  }
  if (!is_access_purpose(request.purpose)) return bad_field("purpose", "is not a purpose of use");
  if (!is_node_id(request.node)) return bad_field("node", "is the id of the node asked, [a-z0-9-] 1..64");
  const size_t slash = signer.find('/');
  if (slash == std::string_view::npos || slash == 0) {
    return Status::error("bad_field", "the signer is an identity id <org>/<name>");
  }
  json body = {{"chain", to_hex(chain_id)},
               {"node", request.node},
               {"method", request.method},
               {"target", request.target},
               {"body_hash", to_hex(suite.hash(to_bytes(request.body)))},
               {"purpose", request.purpose}};
  json payload = {{"v", kPayloadVersion},           {"kind", kAccessQueryKind},
                  {"org", signer.substr(0, slash)}, {"actor", signer},
                  {"ts", unix_ms_to_rfc3339(now_ms)}, {"nonce", nonce},
                  {"body", std::move(body)}};
  auto envelope = sign_envelope(to_bytes(payload.dump()), key);
  if (!envelope.ok()) return envelope.status();
  return std::string(kAuthScheme) + " " + to_base64(to_bytes(envelope_to_wire(*envelope)));
}

Result<Envelope> envelope_from_authorization(std::string_view value) {
  if (value.size() <= kAuthScheme.size() || !value.starts_with(kAuthScheme) ||
      value[kAuthScheme.size()] != ' ') {
    return Status::error("auth_scheme", "the Authorization header must be \"Medtrail <signed query>\"");
  }
  if (value.size() > kMaxAuthorizationBytes) {
    return Status::error("bad_auth", "the Authorization header is longer than 8 KiB");
  }
  auto wire = from_base64(value.substr(kAuthScheme.size() + 1));
  if (!wire.ok()) return Status::error("bad_auth", "the signed query is not base64");
  auto envelope = envelope_from_wire(as_chars(*wire));
  if (!envelope.ok()) {
    return Status::error("bad_auth", "the signed query is not an envelope: " + envelope.status().message());
  }
  return envelope;
}

Result<SignedQuery> read_signed_query(const json& body) {
  if (!body.is_object() || body.size() != 6) {
    return Status::error("bad_field", "body must hold exactly chain, node, method, target, body_hash, purpose");
  }
  SignedQuery q;
  auto chain_hash = lowercase_hash(string_field(body, "chain"));
  if (!chain_hash.ok()) return bad_field("chain", "must be the chain id, 64 lowercase hex");
  q.chain = *chain_hash;
  const std::string* node = string_field(body, "node");
  if (node == nullptr || !is_node_id(*node)) return bad_field("node", "is the id of the node asked, [a-z0-9-] 1..64");
  q.node = *node;
  const std::string* method = string_field(body, "method");
  if (method == nullptr || (*method != "GET" && *method != "POST")) return bad_field("method", "must be GET or POST");
  q.method = *method;
  const std::string* target = string_field(body, "target");
  if (target == nullptr || !is_query_target(*target)) {
    return bad_field("target", "must be an origin-form target of visible ASCII, at most 2048 bytes");
  }
  q.target = *target;
  auto hash = lowercase_hash(string_field(body, "body_hash"));
  if (!hash.ok()) return bad_field("body_hash", "must be 64 lowercase hex");
  q.body_hash = *hash;
  const std::string* purpose = string_field(body, "purpose");
  if (purpose == nullptr || !is_access_purpose(*purpose)) return bad_field("purpose", "is not a purpose of use");
  q.purpose = *purpose;
  return q;
}

}  // namespace medtrail::ledger
