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
  std::string remote_address;                 // "ip:port" of the socket's peer
  // Who the request is counted by (rate limits): the peer's address, or the client a trusted
  // proxy names (trusted_proxies.h); an IPv6 client as its /64 (client_address.h).
  std::string client_address;
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

// A listener's limits. Every phase of a connection has its own deadline, so a client that is
// slow on purpose is cut at the first one it misses:
//   head:    from accept (TLS handshake included), or from a keep-alive request's first byte,
//            to the end of the request head
//   idle:    between keep-alive requests, until the next one's first byte
//   request: the body, and then the response's write
// Connections are shared fairly (connection_table.h): a share per client address, and near the
// cap a connection that has held a slot without using it makes room for a new one: one that
// has sent nothing for eviction_grace since it connected, else one whose request head has been
// arriving for slow_head_grace, else one idle between keep-alive requests for eviction_grace.
// How long a listener out of file descriptors waits before it accepts again (Server::Stats).
inline constexpr std::chrono::milliseconds kAcceptBackoff{100};

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0: pick a free port; see Server::port()
  uint64_t max_body_bytes = 8 << 20;     // larger: 413 payload_too_large
  uint32_t max_header_bytes = 16 << 10;  // larger: 431 (or 400) and close
  uint32_t max_connections = 1024;       // at the cap with none idle: new ones closed at once
  uint32_t max_connections_per_address = 0;  // 0: no share per address
  std::chrono::milliseconds head_timeout{10000};
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds request_timeout{30000};
  // Near the cap, a connection that has sent nothing, or is between two keep-alive requests, is
  // closed for a newcomer only once it has been so this long: not a real client whose request
  // is in flight, nor a busy one between two requests (connection_table.h).
  std::chrono::milliseconds eviction_grace{1000};
  // The same for a request head begun and not finished: a real client's head comes in one
  // packet, so the wait can be shorter.
  std::chrono::milliseconds slow_head_grace{250};
  // Requests per client address (a token bucket): beyond it 429 rate_limited with Retry-After.
  // 0: no limit.
  double requests_per_second_per_address = 0;
  double request_burst_per_address = 0;  // 0: one second's worth
  // Peers whose X-Forwarded-For names the client (addresses or networks, trusted_proxies.h);
  // they are exempt from the connection share. Malformed: start() fails with `bad_address`.
  std::vector<std::string> trusted_proxies;
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
  // Registers before start() the routes of `other` that `keep` selects, sharing their handlers
  // (a second listener for some of the same routes, with its own limits).
  void routes_from(const Server& other,
                   const std::function<bool(std::string_view method, std::string_view pattern)>& keep);
  void set_observer(ResponseObserver observer);

  // Binds and starts accepting. Errors: `bind_failed`, `bad_tls_identity`, `bad_address`.
  Status start();
  uint16_t port() const;
  // Stops accepting and closes every connection; pending responders become no-ops. Safe to
  // call from any thread, more than once.
  void stop();

  struct Stats {
    uint64_t connections_accepted = 0;
    uint64_t connections_refused = 0;  // both reasons below
    uint64_t refused_server_full = 0;  // at max_connections, nothing idle to close
    uint64_t refused_address_full = 0;  // the address held its share
    uint64_t evicted_idle = 0;  // idle connections closed to make room
    // accept() failed: out of file descriptors (the listener then waits kAcceptBackoff before
    // accepting again), or a client gone before it was accepted.
    uint64_t accept_errors = 0;
    // Closed by a deadline, by phase (a TLS handshake counts as head).
    uint64_t closed_head_timeout = 0;
    uint64_t closed_idle_timeout = 0;
    uint64_t closed_body_timeout = 0;
    uint64_t closed_write_timeout = 0;
    uint64_t rate_limited = 0;  // 429s of requests_per_second_per_address
    uint64_t requests = 0;
    uint64_t bad_requests = 0;  // malformed, oversized, timed out before a response
    uint32_t open_connections = 0;
    // Of those, keep-alive connections served and waiting for their next request: a connection
    // joins them once its response is written, a moment after the client has read it.
    uint32_t idle_between_requests = 0;
  };
  Stats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace medtrail::node::http
