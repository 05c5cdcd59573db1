#pragma once
// A signed API query: an `access.query` record that a reader signs for one HTTP request and
// sends in its Authorization header. The node checks that the record describes the request it
// came with, commits it to the chain (the reader's own signature makes the read
// non-repudiable), and answers only then. The scheme is docs/api-auth.md.
//
//   Authorization: Medtrail <standard base64 of the envelope's wire JSON>
//
// The payload's body binds the request:
//   {"chain": "<chain id, 64 hex>", "node": "<the node asked>", "method": "GET",
//    "target": "/v1/records/...", "body_hash": "<the chain suite's hash of the request body>",
//    "purpose": "audit"}
// and the payload's `ts` and `nonce` make each one fresh. Naming the node makes one node's
// replay guard enough: a copy sent to another node is refused there (`wrong_node`), even before
// that node has applied the block with the original. Node and client share this file.
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

inline constexpr std::string_view kAccessQueryKind = "access.query";
inline constexpr std::string_view kAuthScheme = "Medtrail";
// A longer Authorization value is refused unread (a query record is well under 2 KiB).
inline constexpr size_t kMaxAuthorizationBytes = 8 * 1024;
inline constexpr size_t kMaxQueryTargetBytes = 2048;
// Purposes a reader may declare (FHIR AuditEvent purposeOfEvent, as access.read).
inline constexpr std::string_view kAccessPurposes[] = {
    "treatment", "dispensing", "payment", "public_health", "research", "audit", "emergency"};

// What the body of an access.query names.
struct SignedQuery {
  Hash chain{};
  std::string node;    // the node id the query is addressed to
  std::string method;  // "GET" or "POST"
  std::string target;  // origin-form path and query, exactly as sent
  Hash body_hash{};
  std::string purpose;
};

// A request to sign.
struct QueryToSign {
  std::string method = "GET";
  std::string target;
  std::string body;  // the request body ("" for a GET)
  std::string purpose;
  std::string node;  // the node the query is sent to (its id, as GET /v1/status names it)
};

// The Authorization header value of `request`, signed by `key` as `signer` ("<org>/<name>") for
// the chain `chain_id` of `suite`, at `now_ms` with `nonce` (1..128 printable ASCII; callers
// pass fresh random hex). Errors: the key's suite is not the chain's (`wrong_suite`), a field
// out of its bounds (`bad_field`), or signing failed.
Result<std::string> sign_query(const CryptoSuite& suite, const Hash& chain_id, const KeyPair& key,
                               std::string_view signer, const QueryToSign& request, int64_t now_ms,
                               std::string_view nonce);

// The envelope an Authorization value carries. Errors: `auth_scheme` (not "Medtrail <...>"),
// `bad_auth` (too long, not base64, not an envelope).
Result<Envelope> envelope_from_authorization(std::string_view value);

// Reads an access.query body: exactly chain, node, method, target, body_hash, purpose. Errors:
// `bad_field` naming the field.
Result<SignedQuery> read_signed_query(const nlohmann::json& body);

bool is_query_target(std::string_view target);
bool is_node_id(std::string_view id);  // [a-z0-9-], 1..64
bool is_access_purpose(std::string_view purpose);

}  // namespace medtrail::ledger
