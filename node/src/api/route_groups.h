#pragma once
// The API's routes by concern; register_api_routes (api_routes.cpp) calls each.
#include "api/api_context.h"
#include "api/metrics.h"
#include "api/recorded_reads.h"
#include "http/http_server.h"

namespace medtrail::node::api {

// The 404 message of a node that does not run the pseudonym service: where to ask instead.
inline std::string no_service_here(const ApiContext& ctx) {
  const bool named = ctx.genesis != nullptr && ctx.genesis->pseudonym.has_value();
  return "this node does not run the pseudonym service" +
         (named ? "; ask a node of " + ctx.genesis->pseudonym->org : std::string("; genesis names none"));
}

// False while the node shuts down (no flag wired counts as accepting).
inline bool is_accepting(const ApiContext& ctx) {
  return ctx.accepting == nullptr || ctx.accepting->load();
}

// POST /v1/records, GET /v1/records/{id} (a recorded read)
void register_record_routes(http::Server& server, const ApiContext& ctx,
                            std::shared_ptr<RecordedReads> reads);
// GET /v1/blocks/{height} (record ids for a recorded read only), GET /v1/checkpoints/latest,
// GET /v1/checkpoints/{height}
void register_chain_routes(http::Server& server, const ApiContext& ctx,
                           std::shared_ptr<RecordedReads> reads);
// GET /v1/prescriptions/{id}: a pharmacist's verification (a recorded read)
void register_prescription_routes(http::Server& server, const ApiContext& ctx,
                                  std::shared_ptr<RecordedReads> reads);
// GET /v1/audit/trails/{subject}: a subject's records for auditors (a recorded read, paged)
void register_audit_routes(http::Server& server, const ApiContext& ctx, std::shared_ptr<RecordedReads> reads);
// GET /v1/audit/search: records across the chain by kind, result, organisation, actor, time
// (a recorded read, paged)
void register_audit_search_routes(http::Server& server, const ApiContext& ctx,
                                  std::shared_ptr<RecordedReads> reads);
// POST /v1/pseudonym/evaluate?n=<count>: the patient pseudonym service (a recorded query)
void register_pseudonym_routes(http::Server& server, const ApiContext& ctx,
                               std::shared_ptr<RecordedReads> reads);
// POST /v1/patient-keys/{ref}?n=<count>&for=seal|open: the key service's shares of a patient's
// erasable sealed fields (a recorded query)
void register_patient_key_routes(http::Server& server, const ApiContext& ctx, std::shared_ptr<RecordedReads> reads);
// POST /v1/pseudonym/citizen (a citizen's own ref) and POST /v1/citizen/vaccinations (their own
// vaccination record), after the identity check (public too)
void register_citizen_routes(http::Server& server, const ApiContext& ctx);
// GET /v1/trace/{vaccine,tableware,rx}/{code} and /trace/... (the citizen's page): public
void register_trace_routes(http::Server& server, const ApiContext& ctx);
// GET /v1/proofs/inclusion, GET /v1/proofs/consistency (docs/proofs.md)
void register_proof_routes(http::Server& server, const ApiContext& ctx);
// GET /checkpoint (a signed note), GET /tile/<L>/<N>[.p/<W>] (public), GET /tile/entries/...
// (a recorded read): the C2SP tlog-tiles layout
void register_tlog_routes(http::Server& server, const ApiContext& ctx, std::shared_ptr<RecordedReads> reads);
// GET /v1/encryption-keys: members' current encryption keys, for sealing clients
void register_encryption_key_routes(http::Server& server, const ApiContext& ctx);
// GET /v1/status, /healthz, /readyz
void register_status_routes(http::Server& server, const ApiContext& ctx);
// POST /v1/admin/membership (needs ctx.signers and ctx.genesis)
void register_admin_routes(http::Server& server, const ApiContext& ctx);
// GET /metrics (with each listener's connection figures); also makes `metrics` the server's
// response observer.
void register_metrics_routes(http::Server& server, const ApiContext& ctx, Metrics& metrics,
                             std::vector<Metrics::Listener> listeners);

}  // namespace medtrail::node::api
