#include "api/api_routes.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/route_groups.h"
#include "medtrail/ledger/pseudonym.h"

namespace medtrail::node::api {

namespace {

// What the public listener serves: anonymous reads that carry no personal data (the lookups and
// the citizen's page, the signed checkpoint, tiles, proofs), health, and a citizen's requests for
// their own ref and their own vaccination record (the identity check decides; the chain counts
// them). Everything
// else — submissions, recorded reads, audit, admin, metrics — only on the members' listener.
bool is_public_route(std::string_view method, std::string_view pattern) {
  if (method == "POST") return pattern == ledger::kCitizenPseudonymPath || pattern == ledger::kCitizenVaccinationsPath;
  if (method != "GET") return false;
  for (std::string_view prefix : {"/v1/trace/", "/trace/", "/tile/", "/v1/proofs/"}) {
    if (pattern.starts_with(prefix)) return true;
  }
  return pattern == "/checkpoint" || pattern == "/healthz" || pattern == "/readyz";
}

}  // namespace

void register_metrics_routes(http::Server& server, const ApiContext& ctx, Metrics& metrics,
                             std::vector<Metrics::Listener> listeners) {
  server.set_observer(
      [&metrics](std::string_view route, int status, std::chrono::nanoseconds latency) {
        metrics.observe(route, status, latency);
      });
  const ApiContext* c = &ctx;
  server.route("GET", "/metrics", [c, listeners, &metrics](const http::Request&, http::Responder respond) {
    std::string text = metrics.scrape(*c, listeners);
    http::Response response = http::Response::json(200, std::move(text));
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    respond(std::move(response));
  });
}

void register_api_routes(http::Server& server, const ApiContext& ctx, Metrics& metrics,
                         http::Server* public_server) {
  auto reads = std::make_shared<RecordedReads>(ctx);
  register_record_routes(server, ctx, reads);
  register_chain_routes(server, ctx, reads);
  register_prescription_routes(server, ctx, reads);
  register_audit_routes(server, ctx, reads);
  register_audit_search_routes(server, ctx, reads);
  register_pseudonym_routes(server, ctx, reads);
  register_patient_key_routes(server, ctx, reads);
  register_citizen_routes(server, ctx);
  register_proof_routes(server, ctx);
  register_tlog_routes(server, ctx, reads);
  register_trace_routes(server, ctx);
  register_status_routes(server, ctx);
  register_encryption_key_routes(server, ctx);
  register_admin_routes(server, ctx);
  std::vector<Metrics::Listener> listeners{{"api", &server}};
  if (public_server != nullptr) listeners.push_back({"public", public_server});
  register_metrics_routes(server, ctx, metrics, listeners);
  if (public_server == nullptr) return;
  public_server->routes_from(server, is_public_route);
  public_server->set_observer(
      [&metrics](std::string_view route, int status, std::chrono::nanoseconds latency) {
        metrics.observe(route, status, latency);
      });
}

}  // namespace medtrail::node::api
