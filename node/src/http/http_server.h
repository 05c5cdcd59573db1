#pragma once
// A small HTTP/1.1 server on Boost.Beast: keep-alive, optional TLS, routes with {param}
// captures, bounded header and body sizes, timeouts for slow clients, JSON errors. Beast and
// Asio stay out of this header (build time: it is included by the node's wiring code).
//
// Handlers may answer later and from any thread (a ?wait=commit submission answers when Raft
// commits): they get a Responder that must be called exactly once. A connection serves its
// requests one at a time in order (no pipelining of responses).

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "medtrail/ledger/status.h"

namespace boost::asio {
class io_context;
}

namespace medtrail::node::http {

using ledger::Result;
using ledger::Status;

struct Request {
  std::string method;                         // "GET", "POST", ...
  std::string target;                         // as received, e.g. "/v1/records?wait=commit"
  std::string path;                           // percent-decoded path without the query
  std::map<std::string, std::string> query;   // percent-decoded; last value wins
  std::map<std::string, std::string> params;  // captures of the route pattern
  std::map<std::string, std::string> headers; // names lowercased
  std::string body;
  std::string remote_address;                 // "ip:port"
  std::string_view header(std::string_view name) const;  // "" if absent; name lowercase
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra, e.g. Retry-After

  static Response json(int status, std::string body);
  // {"error": {"code": code, "message": message}} with proper JSON escaping.
  static Response error(int status, std::string_view code, std::string_view message);
};

using Responder = std::function<void(Response)>;
using Handler = std::function<void(const Request&, Responder)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0: pick a free port; see Server::port()
  uint64_t max_body_bytes = 8 << 20;     // larger: 413 payload_too_large
  uint32_t max_header_bytes = 16 << 10;  // larger: 431 (or 400) and close
  uint32_t max_connections = 1024;       // beyond: new connections are closed at once
  std::chrono::milliseconds request_timeout{30000};  // to read one whole request
  std::chrono::milliseconds idle_timeout{60000};     // keep-alive between requests
  std::string tls_cert_pem;  // both set: HTTPS (TLS 1.2+); both empty: plain HTTP
  std::string tls_key_pem;
};

// Called after each response: the matched route pattern ("" when none), status, latency.
using ResponseObserver =
    std::function<void(std::string_view route, int status, std::chrono::nanoseconds latency)>;

class Server {
 public:
  // The server runs on `io`; the caller runs io (on as many threads as it likes).
  Server(boost::asio::io_context& io, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Registers before start(). Pattern: literal segments and "{name}" segments, e.g.
  // "/v1/records/{id}". Unknown path: 404 not_found; known path, other method: 405
  // method_not_allowed (with Allow).
  void route(std::string method, std::string pattern, Handler handler);
  void set_observer(ResponseObserver observer);

  // Binds and starts accepting. Errors: `bind_failed`, `bad_tls_identity`.
  Status start();
  uint16_t port() const;
  // Stops accepting and closes every connection; pending responders become no-ops. Safe to
  // call from any thread, more than once.
  void stop();

  struct Stats {
    uint64_t connections_accepted = 0;
    uint64_t connections_refused = 0;  // over max_connections
    uint64_t requests = 0;
    uint64_t bad_requests = 0;  // malformed, oversized, timed out
    uint32_t open_connections = 0;
  };
  Stats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace medtrail::node::http
