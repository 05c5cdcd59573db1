// POST /v1/pseudonym/evaluate?n=<count>: the patient pseudonym service (ledger/pseudonym.h,
// docs/privacy.md), on the one node genesis' service organisation runs it on. The member's
// signed query is committed first (RecordedReads), so the chain holds who asked, when and for
// how many — and the contract's daily limits decide — before any evaluation leaves the node.
// The body is checked before the query is recorded: a malformed request spends no allowance.
#include "api/route_groups.h"
#include "medtrail/ledger/pseudonym.h"

namespace medtrail::node::api {

void register_pseudonym_routes(http::Server& server, const ApiContext& ctx,
                               std::shared_ptr<RecordedReads> reads) {
  const ApiContext* c = &ctx;
  server.route("POST", std::string(ledger::kPseudonymPath),
               [c, reads](const http::Request& request, http::Responder respond) {
                 if (c->pseudonym_key == nullptr) {
                   return respond(http::Response::error(
                       404, "no_pseudonym_service",
                       no_service_here(*c)));
                 }
                 const std::optional<size_t> count = ledger::pseudonym_target_count(request.target);
                 if (!count) {
                   return respond(http::Response::error(
                       400, "bad_target",
                       "the target is " + std::string(ledger::kPseudonymPath) + "?n=<1.." + std::to_string(ledger::kMaxPseudonymBatch) + ">, nothing else"));
                 }
                 auto blinded = ledger::read_pseudonym_request(request.body, *count);
                 if (!blinded.ok()) {
                   return respond(http::Response::error(400, blinded.status().code(), blinded.status().message()));
                 }
                 reads->serve(request, std::move(respond), [c, blinded = std::move(*blinded)](const Reader&) {
                   auto evaluation = ledger::oprf_blind_evaluate(ledger::kPseudonymMode, *c->pseudonym_key, blinded);
                   if (!evaluation.ok()) {
                     return http::Response::error(500, "internal", "the evaluation failed: " + evaluation.status().message());
                   }
                   return http::Response::json(
                       200, ledger::pseudonym_response_json(*evaluation, c->pseudonym_key->public_key));
                 });
               });
}

}  // namespace medtrail::node::api
