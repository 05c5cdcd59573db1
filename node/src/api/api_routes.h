#pragma once
// The node's HTTP API (docs/openapi.yaml): records, blocks, checkpoints, status, health and
// metrics. Registered on the server before it starts; when the node runs a public listener
// (docs/config.md), the public routes are registered there too, sharing their handlers (one
// lookup rate limit, one checkpoint cache).
#include "api/api_context.h"
#include "api/metrics.h"
#include "http/http_server.h"

namespace medtrail::node::api {

// `ctx` and `metrics` must outlive the servers.
void register_api_routes(http::Server& server, const ApiContext& ctx, Metrics& metrics,
                         http::Server* public_server = nullptr);

}  // namespace medtrail::node::api
