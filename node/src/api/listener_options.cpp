#include "api/listener_options.h"

#include <chrono>
#include <utility>

namespace medtrail::node::api {

http::ServerOptions listener_options(const ListenerConfig& listener, const NodeLimits& limits,
                                     std::string cert_pem, std::string key_pem) {
  auto address = parse_host_port(listener.listen);  // checked by the config and by open()
  http::ServerOptions o;
  o.host = address->host;
  o.port = address->port;
  o.max_body_bytes = limits.max_request_bytes;
  o.max_header_bytes = limits.max_header_bytes;
  o.max_connections = listener.max_connections;
  o.max_connections_per_address = listener.max_connections_per_address;
  o.head_timeout = std::chrono::milliseconds(listener.head_timeout_ms);
  o.idle_timeout = std::chrono::milliseconds(listener.idle_timeout_ms);
  o.request_timeout = std::chrono::milliseconds(listener.request_timeout_ms);
  o.requests_per_second_per_address = listener.requests_per_second_per_address;
  o.request_burst_per_address = listener.request_burst_per_address;
  o.trusted_proxies = listener.trusted_proxies;
  o.tls_cert_pem = std::move(cert_pem);
  o.tls_key_pem = std::move(key_pem);
  return o;
}

}  // namespace medtrail::node::api
