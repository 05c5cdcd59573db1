#pragma once
// The node's HTTP API (docs/openapi.yaml): records, blocks, checkpoints, status, health and
// metrics. Registered on the server before it starts.
#include "api/api_context.h"
#include "api/metrics.h"
#include "http/http_server.h"

namespace medtrail::node::api {

// `ctx` and `metrics` must outlive the server.
void register_api_routes(http::Server& server, const ApiContext& ctx, Metrics& metrics);

}  // namespace medtrail::node::api
