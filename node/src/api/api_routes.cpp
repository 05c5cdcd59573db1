#include "api/api_routes.h"

#include <memory>
#include <string>

#include "api/route_groups.h"

namespace medtrail::node::api {

void register_metrics_routes(http::Server& server, const ApiContext& ctx, Metrics& metrics) {
  server.set_observer(
      [&metrics](std::string_view route, int status, std::chrono::nanoseconds latency) {
        metrics.observe(route, status, latency);
      });
  const ApiContext* c = &ctx;
  http::Server* s = &server;
  server.route("GET", "/metrics", [c, s, &metrics](const http::Request&, http::Responder respond) {
    std::string text = metrics.scrape(*c);
    // The server's own gauge: Metrics only sees the node's parts, not the server serving it.
    text +=
        "# HELP medtrail_http_connections_open Open HTTP connections\n"
        "# TYPE medtrail_http_connections_open gauge\n"
        "medtrail_http_connections_open " +
        std::to_string(s->stats().open_connections) + "\n";
    http::Response response = http::Response::json(200, std::move(text));
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    respond(std::move(response));
  });
}

void register_api_routes(http::Server& server, const ApiContext& ctx, Metrics& metrics) {
  auto reads = std::make_shared<RecordedReads>(ctx);
  register_record_routes(server, ctx, reads);
  register_chain_routes(server, ctx, reads);
  register_prescription_routes(server, ctx, reads);
  register_audit_routes(server, ctx, reads);
  register_audit_search_routes(server, ctx, reads);
  register_proof_routes(server, ctx);
  register_tlog_routes(server, ctx, reads);
  register_trace_routes(server, ctx);
  register_status_routes(server, ctx);
  register_admin_routes(server, ctx);
  register_metrics_routes(server, ctx, metrics);
}

}  // namespace medtrail::node::api
