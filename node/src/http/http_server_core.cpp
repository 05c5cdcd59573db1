#include "http/http_server_core.h"

#include <algorithm>
#include <cerrno>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/strand.hpp>

#include "http/client_address.h"
#include "http/http_connection.h"
#include "http/http_tls_context.h"
#include "medtrail/ledger/secure_bytes.h"
#include "net/listener.h"

namespace medtrail::node::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

ServerCore::ServerCore(asio::io_context& io, ServerOptions options)
    : io_(io),
      options_(std::move(options)),
      acceptor_(io),
      accept_backoff_(io),
      registry_(options_.max_connections, options_.max_connections_per_address,
                options_.eviction_grace, options_.slow_head_grace) {}

void ServerCore::add_route(std::string method, std::string pattern, Handler handler) {
  routes_.add(std::move(method), std::move(pattern), std::move(handler));
}

void ServerCore::set_observer(ResponseObserver observer) { observer_ = std::move(observer); }

Status ServerCore::start() {
  if (stopped_.load()) return Status::error("bind_failed", "server was stopped");
  bool has_cert = !options_.tls_cert_pem.empty();
  bool has_key = !options_.tls_key_pem.empty();
  if (has_cert != has_key) {
    return Status::error("bad_tls_identity", "TLS needs both a certificate and a key");
  }
  auto trusted = TrustedProxies::parse(options_.trusted_proxies);
  if (!trusted.ok()) return trusted.status();
  trusted_ = std::move(trusted.value());
  if (options_.requests_per_second_per_address > 0) {
    const double rate = options_.requests_per_second_per_address;
    const double burst = options_.request_burst_per_address > 0 ? options_.request_burst_per_address
                                                                 : std::max(1.0, rate);
    limiter_ = std::make_unique<RateLimiter>(RateLimit{rate, burst, 100000});
  }
  if (has_cert) {
    auto tls = make_server_tls_context(options_.tls_cert_pem, options_.tls_key_pem);
    ledger::wipe_string(options_.tls_key_pem);  // the context holds the key now
    if (!tls) return tls.status();
    tls_ = std::move(tls.value());
  }
  MEDTRAIL_RETURN_IF_ERROR(open_acceptor());
  std::lock_guard lock(accept_mutex_);
  do_accept();
  return Status();
}

Status ServerCore::open_acceptor() {
  const std::string where = options_.host + ":" + std::to_string(options_.port);
  boost::system::error_code ec;
  tcp::endpoint endpoint;
  asio::ip::address address = asio::ip::make_address(options_.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, options_.port);
  } else {
    tcp::resolver resolver(io_);
    auto results = resolver.resolve(options_.host, std::to_string(options_.port), ec);
    if (ec || results.empty()) {
      return Status::error("bind_failed", "resolve " + where + ": " + ec.message());
    }
    endpoint = results.begin()->endpoint();
  }
  std::lock_guard lock(accept_mutex_);
  MEDTRAIL_RETURN_IF_ERROR(net::open_listener(acceptor_, endpoint, where));
  port_.store(acceptor_.local_endpoint(ec).port());
  return Status();
}

// Requires accept_mutex_.
void ServerCore::do_accept() {
  if (stopped_.load() || !acceptor_.is_open()) return;
  // Each connection gets its own strand so handlers of one connection never run concurrently.
  acceptor_.async_accept(asio::make_strand(io_),
                         [self = shared_from_this()](boost::system::error_code ec,
                                                     tcp::socket socket) {
                           self->on_accept(ec, std::move(socket));
                         });
}

void ServerCore::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (stopped_.load() || ec == asio::error::operation_aborted) return;
  if (!ec) {
    admit(std::move(socket));
  } else {
    accept_errors_.fetch_add(1);
  }
  std::lock_guard lock(accept_mutex_);
  // Out of resources: the same error again until something closes. Anything else (a client
  // that reset before it was accepted) concerns that connection only.
  if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
      ec == asio::error::no_memory || ec.value() == ENFILE) {
    return accept_later();
  }
  do_accept();
}

// Requires accept_mutex_.
void ServerCore::accept_later() {
  if (stopped_.load()) return;
  accept_backoff_.expires_after(kAcceptBackoff);
  accept_backoff_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->stopped_.load()) return;
    std::lock_guard lock(self->accept_mutex_);
    self->do_accept();
  });
}

void ServerCore::admit(tcp::socket socket) {
  boost::system::error_code endpoint_ec;
  tcp::endpoint remote = socket.remote_endpoint(endpoint_ec);
  if (endpoint_ec) return;  // already gone; the socket closes as it goes out of scope
  const std::string ip = remote.address().to_string();
  std::string remote_address = ip + ":" + std::to_string(remote.port());
  const bool proxy = trusted_.contains(ip);
  const std::string address = client_address(remote_address);
  std::shared_ptr<ConnectionBase> connection;
  std::shared_ptr<ConnectionBase> evict;
  {
    // Created under the lock so that every connection that exists was also counted open.
    std::lock_guard lock(registry_mutex_);
    if (registry_closed_) return;
    const auto now = ConnectionTable::Clock::now();
    switch (registry_.admit(address, proxy, now, evict)) {
      case ConnectionTable::Verdict::kAddressFull:
        refused_address_.fetch_add(1);
        return;
      case ConnectionTable::Verdict::kServerFull:
        refused_full_.fetch_add(1);
        return;
      case ConnectionTable::Verdict::kAdmit:
        break;
    }
    connection = make_connection(shared_from_this(), std::move(socket), tls_.get(),
                                 std::move(remote_address));
    registry_.add(connection, address, proxy, now);
    accepted_.fetch_add(1);
    open_.fetch_add(1);
  }
  if (evict) {
    evicted_.fetch_add(1);
    evict->close_async();
  }
  connection->start();
}

void ServerCore::stop() {
  if (stopped_.exchange(true)) return;
  // Closes are posted before the listener closes: a connection waiting for its responder has
  // no pending operation, so once the accept is cancelled the caller's io.run() could return
  // before a close posted later ever ran.
  std::vector<std::shared_ptr<ConnectionBase>> open;
  {
    std::lock_guard lock(registry_mutex_);
    registry_closed_ = true;
    open = registry_.take_all();
  }
  for (auto& connection : open) connection->close_async();
  std::lock_guard lock(accept_mutex_);
  accept_backoff_.cancel();
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

void ServerCore::connection_closed(const ConnectionBase* connection) {
  open_.fetch_sub(1);
  std::shared_ptr<ConnectionBase> last;  // released outside the lock
  std::lock_guard lock(registry_mutex_);
  last = registry_.remove(connection);
}

void ServerCore::set_phase(const ConnectionBase* connection, ConnectionTable::Phase phase) {
  std::lock_guard lock(registry_mutex_);
  registry_.set_phase(connection, phase, ConnectionTable::Clock::now());
}

uint32_t ServerCore::take_request_token(const std::string& client) {
  if (!limiter_) return 0;
  uint32_t wait = limiter_->take(client, RateLimiter::Clock::now());
  if (wait > 0) rate_limited_.fetch_add(1);
  return wait;
}

void ServerCore::count_deadline(Deadline phase) {
  deadlines_[static_cast<size_t>(phase)].fetch_add(1);
}

void ServerCore::notify(std::string_view route, int status,
                        std::chrono::nanoseconds latency) const {
  if (!observer_) return;
  try {
    observer_(route, status, latency);
  } catch (...) {
    // An observer is metrics: its failure must not take the connection down.
  }
}

Server::Stats ServerCore::stats() const {
  Server::Stats stats;
  stats.connections_accepted = accepted_.load();
  stats.refused_server_full = refused_full_.load();
  stats.refused_address_full = refused_address_.load();
  stats.connections_refused = stats.refused_server_full + stats.refused_address_full;
  stats.evicted_idle = evicted_.load();
  stats.accept_errors = accept_errors_.load();
  stats.closed_head_timeout = deadlines_[static_cast<size_t>(Deadline::kHead)].load();
  stats.closed_idle_timeout = deadlines_[static_cast<size_t>(Deadline::kIdle)].load();
  stats.closed_body_timeout = deadlines_[static_cast<size_t>(Deadline::kBody)].load();
  stats.closed_write_timeout = deadlines_[static_cast<size_t>(Deadline::kWrite)].load();
  stats.rate_limited = rate_limited_.load();
  stats.requests = requests_.load();
  stats.bad_requests = bad_requests_.load();
  stats.open_connections = open_.load();
  std::lock_guard lock(registry_mutex_);
  stats.idle_between_requests = static_cast<uint32_t>(registry_.between_requests());
  return stats;
}

}  // namespace medtrail::node::http
