#pragma once
// A listener's configuration ([api], [public]; node_config.h) as the HTTP server's options: the
// one mapping the node and the benchmarks' harness both use.
#include <string>

#include "config/node_config.h"
#include "http/http_server.h"

namespace medtrail::node::api {

// `listener.listen` must be a valid host:port (the config checked it); cert and key PEMs are
// empty for plain HTTP.
http::ServerOptions listener_options(const ListenerConfig& listener, const NodeLimits& limits,
                                     std::string cert_pem = {}, std::string key_pem = {});

}  // namespace medtrail::node::api
