// POST /v1/patient-keys/<patient_ref>?n=<count>&for=seal|open: the key service's shares of a
// patient's erasable sealed fields (ledger/patient_shares.h, docs/privacy.md "Erasure"), on the
// pseudonym service's node. The asker's signed query is committed first (RecordedReads): the
// patient's trail shows who asked before any share leaves the node. The target and body are
// checked before: a malformed request records nothing.
#include "api/route_groups.h"
#include "core/patient_key_store.h"
#include "medtrail/ledger/patient_shares.h"
#include "medtrail/ledger/sealed_fields.h"

namespace medtrail::node::api {

void register_patient_key_routes(http::Server& server, const ApiContext& ctx, std::shared_ptr<RecordedReads> reads) {
  const ApiContext* c = &ctx;
  server.route("POST", std::string(ledger::kPatientKeysPath) + "{ref}",
               [c, reads](const http::Request& request, http::Responder respond) {
                 if (c->patient_keys == nullptr) {
                   return respond(http::Response::error(404, "no_key_service", no_service_here(*c)));
                 }
                 const std::optional<ledger::ShareTarget> target = ledger::parse_patient_share_target(request.target);
                 if (!target) {
                   return respond(http::Response::error(
                       400, "bad_target",
                       "the target is " + std::string(ledger::kPatientKeysPath) + "<patient_ref>?n=<1.." +
                           std::to_string(ledger::kMaxShareBatch) + ">&for=seal|open, nothing else"));
                 }
                 auto nonces = ledger::read_patient_share_request(request.body, target->count);
                 if (!nonces.ok()) {
                   return respond(http::Response::error(400, nonces.status().code(), nonces.status().message()));
                 }
                 reads->serve(request, std::move(respond),
                              [c, target = *target, nonces = std::move(*nonces)](const Reader&) {
                                auto key = c->patient_keys->key_for(target.patient_ref, erasure_counts(*c->store),
                                                                    target.use == ledger::ShareUse::kSeal);
                                if (!key.ok()) {
                                  return http::Response::error(503, "unavailable",
                                                               "the key service cannot read its keys now");
                                }
                                if (!key->has_value()) {
                                  return http::Response::error(
                                      410, "patient_key_erased",
                                      "the key service holds no key for this patient: erased (patient.erase), or "
                                      "never sealed for; the fields can no longer be opened");
                                }
                                std::vector<ledger::SecureBytes> shares;
                                shares.reserve(nonces.size());
                                for (const ledger::Bytes& nonce : nonces) {
                                  shares.push_back(ledger::patient_share((*key)->view(), target.patient_ref, nonce));
                                }
                                return http::Response::json(200, ledger::patient_share_response_json(shares));
                              });
               });
}

}  // namespace medtrail::node::api
