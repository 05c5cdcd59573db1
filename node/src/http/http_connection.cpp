// The per-connection state machine. States, all on the connection's strand:
//   handshake (TLS) -> read request -> dispatch -> [await responder] -> write -> read | finish
// A connection owns no thread; whatever async operation is pending (or the server's registry,
// while a responder is outstanding) keeps it alive.
#include "http/http_connection.h"

#include <array>
#include <atomic>
#include <optional>
#include <type_traits>

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "http/http_message.h"

namespace medtrail::node::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

using Deadline = ServerCore::Deadline;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// After an error response the client may still be sending the refused body; closing with
// unread bytes makes the kernel send RST, which can destroy the response before the client
// reads it. So we stop sending and discard input for a short, bounded while first.
constexpr std::chrono::milliseconds kMaxLinger{1000};
constexpr size_t kMaxLingerBytes = 1 << 20;
constexpr size_t kIdleReadBytes = 4096;

bool is_http_error(const boost::system::error_code& ec) {
  return ec.category() == beast_http::make_error_code(beast_http::error::bad_method).category();
}

template <class Stream>
class Connection : public ConnectionBase, public std::enable_shared_from_this<Connection<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  Connection(std::shared_ptr<ServerCore> server, Stream stream, std::string remote_address)
      : server_(std::move(server)),
        stream_(std::move(stream)),
        executor_(stream_.get_executor()),
        remote_address_(std::move(remote_address)) {}

  ~Connection() override {
    if (!closed_) server_->connection_closed(this);
  }

  void start() override {
    asio::post(executor_, [self = this->shared_from_this()] { self->begin(); });
  }

  void close_async() override {
    asio::post(executor_, [self = this->shared_from_this()] { self->close_now(); });
  }

 private:
  const ServerOptions& options() const { return server_->options(); }
  tcp::socket& socket() { return beast::get_lowest_layer(stream_).socket(); }
  void expire_after(std::chrono::milliseconds timeout) {
    beast::get_lowest_layer(stream_).expires_after(timeout);
  }

  void begin() {
    if (closed_) return;
    // A fresh connection has the head deadline from here: the TLS handshake, the wait for the
    // first byte and the head itself all count against it.
    phase_ = Deadline::kHead;
    expire_after(options().head_timeout);
    if constexpr (kTls) {
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) {
                                  if (ec == beast::error::timeout) {
                                    self->server_->count_deadline(Deadline::kHead);
                                  } else {
                                    self->server_->count_bad_request();
                                  }
                                  return self->close_now();
                                }
                                self->read_request(true);
                              });
    } else {
      read_request(true);
    }
  }

  void read_request(bool first) {
    if (closed_) return;
    parser_.emplace();
    parser_->header_limit(options().max_header_bytes);
    parser_->body_limit(options().max_body_bytes);
    if (!first) {
      // Between keep-alive requests the idle deadline applies until the next first byte.
      phase_ = Deadline::kIdle;
      if (buffer_.size() == 0) {
        server_->set_phase(this, ConnectionTable::Phase::kBetween);
        expire_after(options().idle_timeout);
      }
    }
    await_first_byte();
  }

  void await_first_byte() {
    if (buffer_.size() > 0) return read_head();
    stream_.async_read_some(buffer_.prepare(kIdleReadBytes),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              if (self->closed_) return;
                              if (ec) {
                                if (ec == beast::error::timeout) self->server_->count_deadline(self->phase_);
                                return self->close_now();
                              }
                              self->buffer_.commit(n);
                              self->read_head();
                            });
  }

  // The head is read on its own so that an oversized Content-Length is refused (the parser's
  // body_limit) before any body arrives, and so "Expect: 100-continue" can be honoured.
  void read_head() {
    if (closed_) return;
    server_->set_phase(this, ConnectionTable::Phase::kHead);
    if (phase_ == Deadline::kIdle) {
      phase_ = Deadline::kHead;
      expire_after(options().head_timeout);
    }
    beast_http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (closed_) return;
    server_->set_phase(this, ConnectionTable::Phase::kBusy);
    if (ec || parser_->is_done()) return on_read(ec);
    phase_ = Deadline::kBody;
    expire_after(options().request_timeout);
    auto expect = parser_->get()[beast_http::field::expect];
    // An HTTP/1.0 client cannot read an interim response: its expectation is ignored
    // (RFC 9110 §10.1.1).
    if (parser_->get().version() < 11 || !beast::iequals(expect, "100-continue")) {
      return read_body();
    }
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                      [self = this->shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) {
                          if (ec == beast::error::timeout) self->server_->count_deadline(Deadline::kBody);
                          return self->close_now();
                        }
                        self->read_body();
                      });
  }

  void read_body() {
    if (closed_) return;
    beast_http::async_read(stream_, buffer_, *parser_,
                           [self = this->shared_from_this()](beast::error_code ec, size_t) {
                             self->on_read(ec);
                           });
  }

  void on_read(beast::error_code ec) {
    if (closed_) return;
    if (!ec) return dispatch();
    if (ec == beast_http::error::end_of_stream) return close_now();
    started_ = Clock::now();
    route_.clear();
    version_ = 11;
    head_request_ = false;
    if (ec == beast_http::error::body_limit) {
      server_->count_bad_request();
      return write_response(Response::error(413, "payload_too_large", "request body too large"),
                            false);
    }
    if (ec == beast_http::error::header_limit) {
      server_->count_bad_request();
      return write_response(
          Response::error(431, "headers_too_large", "request header fields too large"), false);
    }
    if (is_http_error(ec)) {
      server_->count_bad_request();
      return write_response(Response::error(400, "bad_request", "malformed HTTP request"), false);
    }
    if (ec == beast::error::timeout) {
      server_->count_bad_request();
      server_->count_deadline(phase_);
    }
    close_now();
  }

  void dispatch() {
    server_->count_request();
    BeastRequest message = parser_->release();
    started_ = Clock::now();
    route_.clear();
    version_ = message.version();
    keep_alive_ = message.keep_alive();
    head_request_ = message.method() == beast_http::verb::head;
    Request request = from_beast(std::move(message), remote_address_);
    request.client_address = server_->client_of(remote_address_, request.header("x-forwarded-for"));
    if (uint32_t wait = server_->take_request_token(request.client_address); wait > 0) {
      Response response =
          Response::error(429, "rate_limited", "too many requests from this address; retry later");
      response.headers.emplace_back("Retry-After", std::to_string(wait));
      response.headers.emplace_back("Cache-Control", "no-store");
      return write_response(std::move(response), keep_alive_);
    }
    auto segments = decode_target(request);
    if (!segments) {
      server_->count_bad_request();
      return write_response(Response::error(400, "bad_request", segments.status().message()),
                            keep_alive_);
    }
    RouteMatch match = server_->routes().match(request.method, segments.value());
    if (match.kind == RouteMatch::Kind::kNotFound) {
      return write_response(Response::error(404, "not_found", "no such resource"), keep_alive_);
    }
    if (match.kind == RouteMatch::Kind::kMethodNotAllowed) {
      Response response = Response::error(405, "method_not_allowed",
                                          "method " + request.method + " not allowed here");
      response.headers.emplace_back("Allow", match.allow);
      return write_response(std::move(response), keep_alive_);
    }
    route_ = match.pattern;
    request.params = std::move(match.params);
    Responder responder = make_responder();
    try {
      (*match.handler)(request, responder);
    } catch (...) {
      // Nothing about the request is logged: bodies may hold patient data.
      responder(Response::error(500, "internal", "internal error"));
    }
  }

  Responder make_responder() {
    awaiting_ = ++request_seq_;
    auto answered = std::make_shared<std::atomic<bool>>(false);
    std::weak_ptr<Connection> weak = this->shared_from_this();
    uint64_t seq = awaiting_;
    asio::any_io_executor executor = executor_;
    return [weak, answered, seq, executor](Response response) {
      if (answered->exchange(true)) return;
      std::shared_ptr<Connection> self = weak.lock();
      if (!self) return;  // closed and released: nothing to answer
      asio::post(executor, [self, seq, response = std::move(response)]() mutable {
        if (self->awaiting_ != seq) return;
        self->awaiting_ = 0;
        self->write_response(std::move(response), self->keep_alive_);
      });
    };
  }

  void write_response(Response response, bool keep_alive) {
    if (closed_ || server_->stopped()) return close_now();
    auto message =
        std::make_shared<BeastResponse>(to_beast(std::move(response), version_, keep_alive));
    if (head_request_) strip_body_for_head(*message);
    int status = static_cast<int>(message->result_int());
    phase_ = Deadline::kWrite;
    expire_after(options().request_timeout);
    beast_http::async_write(
        stream_, *message,
        [self = this->shared_from_this(), message, status, keep_alive](beast::error_code ec,
                                                                      size_t) {
          self->server_->notify(self->route_, status, Clock::now() - self->started_);
          if (ec == beast::error::timeout) self->server_->count_deadline(Deadline::kWrite);
          if (ec || self->closed_) return self->close_now();
          if (keep_alive) return self->read_request(false);
          self->finish();
        });
  }

  // Closes after the last response: TLS close_notify, or a bounded linger for plain TCP.
  void finish() {
    expire_after(std::min(kMaxLinger, options().request_timeout));
    if constexpr (kTls) {
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->close_now(); });
    } else {
      beast::error_code ignored;
      socket().shutdown(tcp::socket::shutdown_send, ignored);
      linger();
    }
  }

  void linger() {
    if (closed_) return;
    stream_.async_read_some(asio::buffer(linger_buffer_),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              self->lingered_ += n;
                              if (ec || self->lingered_ > kMaxLingerBytes) return self->close_now();
                              self->linger();
                            });
  }

  void close_now() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
    server_->connection_closed(this);
  }

  const std::shared_ptr<ServerCore> server_;
  Stream stream_;
  const asio::any_io_executor executor_;  // the strand; copied so responders need no lock
  const std::string remote_address_;

  // Below: touched only on the strand.
  bool closed_ = false;
  Deadline phase_ = Deadline::kHead;  // whose deadline the pending read or write is under
  beast::flat_buffer buffer_;
  std::optional<beast_http::request_parser<beast_http::string_body>> parser_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_request_ = false;  // the answer goes without its body
  std::string route_;  // pattern of the request being answered; "" when none matched
  Clock::time_point started_{};
  // Sequence number of the request whose responder may still write; 0 when none. Guards against
  // a responder of an earlier request writing into a later one.
  uint64_t awaiting_ = 0;
  uint64_t request_seq_ = 0;
  std::array<char, 4096> linger_buffer_{};
  size_t lingered_ = 0;
};

}  // namespace

std::shared_ptr<ConnectionBase> make_connection(std::shared_ptr<ServerCore> server,
                                                tcp::socket socket, asio::ssl::context* tls,
                                                std::string remote_address) {
  if (tls != nullptr) {
    return std::make_shared<Connection<TlsStream>>(
        std::move(server), TlsStream(std::move(socket), *tls), std::move(remote_address));
  }
  return std::make_shared<Connection<PlainStream>>(
      std::move(server), PlainStream(std::move(socket)), std::move(remote_address));
}

}  // namespace medtrail::node::http
