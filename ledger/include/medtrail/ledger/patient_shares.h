#pragma once
// The key service's protocol for erasable sealed fields (sealed_fields.h, version 2; docs/privacy.md,
// "Erasure"). An author draws a record's nonce and asks for the patient's share of it before
// sealing; a reader asks for the share of the nonce a record carries before opening. Each request
// is a signed query the chain records first (docs/api-auth.md): the patient's trail shows every
// organisation that asked.
//
//   POST /v1/patient-keys/<patient_ref>?n=<1..64>&for=seal|open
//   body   {"nonces": ["<48 hex>", ...]}          exactly n
//   200    {"shares": ["<64 hex>", ...]}          in the nonces' order
//
// `for=seal` lets the service draw the patient's key when it has none; `for=open` never does: a
// patient without a key (erased, or never sealed for) is 410 `patient_key_erased`.
//
// The target names the patient and the count, so the contract that judges the query sees both.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/secure_bytes.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

inline constexpr std::string_view kPatientKeysPath = "/v1/patient-keys/";
inline constexpr size_t kMaxShareBatch = 64;
inline constexpr size_t kMaxShareBodyBytes = 8 * 1024;

enum class ShareUse { kSeal, kOpen };

struct ShareTarget {
  std::string patient_ref;
  size_t count = 0;
  ShareUse use = ShareUse::kOpen;
};

std::string patient_share_target(std::string_view patient_ref, size_t count, ShareUse use);
// Exactly kPatientKeysPath + 64 lowercase hex + "?n=" + 1..kMaxShareBatch (no leading zero) +
// "&for=seal" or "&for=open"; nullopt for any other target.
std::optional<ShareTarget> parse_patient_share_target(std::string_view target);

std::string patient_share_request_json(std::span<const Bytes> nonces);
// Errors: `bad_request` (not {"nonces": [...]} with exactly `count` 48-hex nonces, or too large).
Result<std::vector<Bytes>> read_patient_share_request(std::string_view body, size_t count);

std::string patient_share_response_json(std::span<const SecureBytes> shares);
// Errors: `bad_response` (not {"shares": [...]} with exactly `count` 64-hex shares).
Result<std::vector<SecureBytes>> read_patient_share_response(std::string_view body, size_t count);

}  // namespace medtrail::ledger
