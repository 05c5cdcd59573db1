#pragma once
// Patient pseudonyms no member can compute alone (docs/privacy.md). A patient_ref is the
// RFC 9497 VOPRF (ristretto255-SHA512) of the normalised resident id under the pseudonym
// service's key, which only the health authority's node holds. The asking member blinds the id,
// so the service never sees it; the service evaluates only for a signed query the chain has
// committed (docs/api-auth.md: who asked, when, how many — and the contract's daily limits);
// the member checks the service's proof against the public key in genesis and unblinds.
//
//   POST /v1/pseudonym/evaluate?n=<count>          Authorization: Medtrail <signed access.query>
//   {"blinded": ["<64 hex>", ...]}                 count elements, 1..kMaxPseudonymBatch
//   200 {"evaluated": ["<64 hex>", ...], "proof": "<128 hex>", "public_key": "<64 hex>"}
//
// The count is in the target, which the signed query names, so the contract can count it
// against the limits without the body; the body's hash is signed too, so the service evaluates
// exactly the elements the recorded query was for. Node and client share this file.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/oprf.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

// Verifiable: a service that evaluated under another key, or not at all, is caught by the
// member before a wrong pseudonym reaches the chain.
inline constexpr OprfMode kPseudonymMode = OprfMode::kVoprf;
inline constexpr std::string_view kPseudonymPath = "/v1/pseudonym/evaluate";
// A citizen's own ref (docs/privacy.md, "Citizens"): one blinded element and the credential the
// node's identity check reads; the node records the request as a pseudonym.citizen record it
// signs itself, then evaluates.
//   POST /v1/pseudonym/citizen   {"credential": "<1..512 printable ASCII>", "blinded": ["<64 hex>"]}
//   200 as above, with one evaluated element
inline constexpr std::string_view kCitizenPseudonymPath = "/v1/pseudonym/citizen";
inline constexpr std::string_view kCitizenPseudonymKind = "pseudonym.citizen";
inline constexpr size_t kMaxCitizenCredentialBytes = 512;
inline constexpr size_t kMaxPseudonymBatch = kOprfMaxBatch;
// A request or response body is well under this (64 elements of 64 hex characters).
inline constexpr size_t kMaxPseudonymBodyBytes = 16 * 1024;

// "/v1/pseudonym/evaluate?n=<count>".
std::string pseudonym_target(size_t count);
// The count a target names: exactly kPseudonymPath + "?n=" + 1..kMaxPseudonymBatch in decimal
// without leading zeros; nullopt for any other target.
std::optional<size_t> pseudonym_target_count(std::string_view target);

std::string pseudonym_request_json(std::span<const OprfElement> blinded);
// Errors: `bad_request` (not the JSON above, a wrong count, too large), `oprf_bad_element`.
Result<std::vector<OprfElement>> read_pseudonym_request(std::string_view body, size_t count);

// A citizen's request. Errors: `bad_request`, `oprf_bad_element`.
struct CitizenPseudonymRequest {
  std::string credential;
  OprfElement blinded{};
};
std::string citizen_pseudonym_request_json(std::string_view credential, const OprfElement& blinded);
Result<CitizenPseudonymRequest> read_citizen_pseudonym_request(std::string_view body);

// A citizen's own vaccination record (预防接种证, docs/privacy.md "A citizen's vaccination record"):
//   POST kCitizenVaccinationsPath   {"credential": "<what the identity check reads>"}
inline constexpr std::string_view kCitizenVaccinationsPath = "/v1/citizen/vaccinations";
std::string citizen_credential_request_json(std::string_view credential);
// Errors: `bad_request` (not exactly that object, or a credential that is not 1..512 printable
// ASCII characters).
Result<std::string> read_citizen_credential_request(std::string_view body);

// The ref the service computes by itself for a resident id (RFC 9497 Evaluate under its secret):
// the very ref finish_patient_refs gives a member for that id. Only the service's node can, and it
// does so only for a citizen whose identity check names the id. Errors: `bad_resident_id`.
Result<std::string> service_patient_ref(const OprfServerKey& key, std::string_view resident_id);

std::string pseudonym_response_json(const OprfEvaluation& evaluation, const OprfElement& public_key);
// Errors: `bad_response` (not the JSON above, a wrong count), `oprf_bad_element`.
struct PseudonymResponse {
  OprfEvaluation evaluation;
  OprfElement public_key{};
};
Result<PseudonymResponse> read_pseudonym_response(std::string_view body, size_t count);

// The patient_ref of an evaluation's output: lowercase hex of its first 32 bytes (the width of
// every other id on the chain).
std::string patient_ref_of(const OprfOutput& output);

// A member's side of one request: the ids, blinded with fresh blinds kept for finishing.
struct PseudonymRequest {
  std::vector<Bytes> inputs;  // the normalised ids' bytes
  std::vector<OprfBlinded> blinds;
  std::vector<OprfElement> blinded;
  std::string target;
  std::string body;
};
// Errors: `bad_resident_id` naming the position (ids are never echoed), `bad_request` for
// none or more than kMaxPseudonymBatch.
Result<PseudonymRequest> blind_resident_ids(std::span<const std::string> resident_ids);
// Verifies the service's proof against `service_key` (the genesis', never the response's own)
// and unblinds: the patient_refs in the ids' order. Errors: read_pseudonym_response's,
// `wrong_service_key` (the response names another key), `oprf_proof_failed`.
Result<std::vector<std::string>> finish_patient_refs(const PseudonymRequest& request,
                                                     std::string_view response_body,
                                                     const OprfElement& service_key);

}  // namespace medtrail::ledger
