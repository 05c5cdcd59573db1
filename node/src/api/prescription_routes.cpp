// GET /v1/prescriptions/{id}: a pharmacist verifies a prescription before dispensing it — a
// signed, recorded read (docs/api-auth.md) answered with the prescription's view
// (prescription_view.h): would the chain accept my dispense of the rest, here and now?
#include "api/prescription_view.h"
#include "api/route_groups.h"
#include "medtrail/ledger/bytes.h"

namespace medtrail::node::api {

void register_prescription_routes(http::Server& server, const ApiContext& ctx,
                                  std::shared_ptr<RecordedReads> reads) {
  const ApiContext* c = &ctx;
  server.route("GET", "/v1/prescriptions/{id}",
               [c, reads](const http::Request& request, http::Responder respond) {
                 auto it = request.params.find("id");
                 std::string id = it == request.params.end() ? std::string() : it->second;
                 if (!ledger::is_hash_hex(id)) {
                   return respond(http::Response::error(400, "bad_rx_id", "a prescription id is 64 lowercase hex digits"));
                 }
                 reads->serve(request, std::move(respond), [c, id = std::move(id)](const Reader& reader) {
                   return prescription_view(*c, id, reader);
                 });
               });
}

}  // namespace medtrail::node::api
