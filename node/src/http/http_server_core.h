#pragma once
// State shared by the listener and every connection (private: includes Asio). Connections hold
// it by shared_ptr, so it outlives the Server object if a completion is still queued.

#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ssl/context.hpp>

#include "http/connection_table.h"
#include "http/http_route_table.h"
#include "http/http_server.h"
#include "http/rate_limiter.h"
#include "http/trusted_proxies.h"

namespace medtrail::node::http {

class ConnectionBase {
 public:
  virtual ~ConnectionBase() = default;
  virtual void start() = 0;
  // Closes the socket on the connection's strand; safe from any thread.
  virtual void close_async() = 0;
};

class ServerCore : public std::enable_shared_from_this<ServerCore> {
 public:
  ServerCore(boost::asio::io_context& io, ServerOptions options);
  virtual ~ServerCore() = default;

  void add_route(std::string method, std::string pattern, Handler handler);
  void add_routes_from(const ServerCore& other,
                       const std::function<bool(std::string_view, std::string_view)>& keep) {
    routes_.add_from(other.routes_, keep);
  }
  void set_observer(ResponseObserver observer);
  Status start();
  void stop();
  uint16_t port() const { return port_.load(); }
  Server::Stats stats() const;

  // For connections.
  const ServerOptions& options() const { return options_; }
  const RouteTable& routes() const { return routes_; }
  bool stopped() const { return stopped_.load(); }
  void notify(std::string_view route, int status, std::chrono::nanoseconds latency) const;
  void count_request() { requests_.fetch_add(1); }
  void count_bad_request() { bad_requests_.fetch_add(1); }
  // Called exactly once per registered connection, when it closes.
  void connection_closed(const ConnectionBase* connection);
  // What the connection is doing, for closing idle and slow ones near the cap
  // (connection_table.h).
  void set_phase(const ConnectionBase* connection, ConnectionTable::Phase phase);

  // The key a request is counted by (Request::client_address).
  std::string client_of(std::string_view peer, std::string_view forwarded_for) const {
    return forwarded_client(peer, forwarded_for, trusted_);
  }
  // 0 when `client` may send a request now, else the seconds until it may (Retry-After).
  uint32_t take_request_token(const std::string& client);

  enum class Deadline { kHead, kIdle, kBody, kWrite };
  void count_deadline(Deadline phase);

 private:
  void do_accept();
  // Out of file descriptors (or kernel memory) the pending connection stays in the backlog and
  // accept fails again at once: accepting again right away spun a core for as long as it
  // lasted. Waits kAcceptBackoff, then accepts again. Requires accept_mutex_.
  void accept_later();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
  // Registers and starts a connection if the table lets it in; otherwise the socket closes.
  void admit(boost::asio::ip::tcp::socket socket);
  Status open_acceptor();

  boost::asio::io_context& io_;
  ServerOptions options_;  // not const: start() wipes the key's text once the TLS context holds it
  // Written before start() only, then read without locks from io threads.
  RouteTable routes_;
  ResponseObserver observer_;
  std::shared_ptr<boost::asio::ssl::context> tls_;  // null: plain HTTP

  // Guards acceptor_: stop() may run on any thread while an accept is being re-armed.
  std::mutex accept_mutex_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_backoff_;
  std::atomic<uint16_t> port_{0};
  std::atomic<bool> stopped_{false};

  // Set in start(), then read-only.
  TrustedProxies trusted_;
  std::unique_ptr<RateLimiter> limiter_;  // null: no request rate limit

  // Owns each open connection while it waits for a responder (no async operation keeps it
  // alive then), and decides who may connect. stop() empties it under the lock and sets
  // registry_closed_, so a connection accepted concurrently is closed instead of registered.
  mutable std::mutex registry_mutex_;
  ConnectionTable registry_;
  bool registry_closed_ = false;

  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> refused_full_{0};
  std::atomic<uint64_t> refused_address_{0};
  std::atomic<uint64_t> evicted_{0};
  std::atomic<uint64_t> accept_errors_{0};
  std::atomic<uint64_t> deadlines_[4] = {};
  std::atomic<uint64_t> rate_limited_{0};
  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> bad_requests_{0};
  std::atomic<uint32_t> open_{0};
};

}  // namespace medtrail::node::http
