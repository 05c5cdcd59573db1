#include "support/http_client.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <optional>

namespace medtrail::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string HttpResponse::header(const std::string& lowercase_name) const {
  auto it = headers.find(lowercase_name);
  return it == headers.end() ? std::string() : it->second;
}

namespace {

beast::string_view view(std::string_view s) { return beast::string_view(s.data(), s.size()); }

std::string lowercase(beast::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

HttpResponse transport_failure(std::string error) {
  HttpResponse out;
  out.error = std::move(error);
  return out;
}

}  // namespace

// Asynchronous operations run to completion on a private io_context: the stream's expiry is
// what bounds each operation (blocking socket calls have no timeout in Asio).
struct HttpConnection::Impl {
  HttpConnectionOptions options;
  asio::io_context io;
  std::optional<asio::ssl::context> tls_context;  // declared before the stream that uses it
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  std::string host_header;
  std::string error;
  bool timed_out = false;

  bool has_stream() const { return plain.has_value() || secure.has_value(); }
  beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  // Starts one operation on the stream and runs it to completion under the deadline. Records
  // the outcome as the connection's error (prefixed with `what`).
  template <class Start>
  bool run(std::string_view what, std::chrono::milliseconds timeout, Start start) {
    beast::error_code result = asio::error::would_block;  // stays so if the handler never ran
    lowest().expires_after(timeout);
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    io.restart();
    io.run();
    timed_out = result == beast::error::timeout;
    error = result ? std::string(what) + ": " + result.message() : std::string();
    return !result;
  }
  // As run, with the stream the caller reads and writes: TLS when the connection is.
  template <class Operation>
  bool on_stream(std::string_view what, std::chrono::milliseconds timeout, Operation operation) {
    if (!has_stream()) {
      error = std::string(what) + ": not connected";
      timed_out = false;
      return false;
    }
    if (secure) {
      return run(what, timeout, [&](auto handler) { operation(*secure, std::move(handler)); });
    }
    return run(what, timeout, [&](auto handler) { operation(*plain, std::move(handler)); });
  }

  bool bind(const std::string& from, const tcp::endpoint& remote) {
    beast::error_code ec;
    tcp::socket& socket = lowest().socket();
    asio::ip::address local = asio::ip::make_address(from, ec);
    if (!ec) socket.open(remote.protocol(), ec);
    if (!ec) socket.bind(tcp::endpoint(local, 0), ec);
    error = ec ? "bind " + from + ": " + ec.message() : std::string();
    return !ec;
  }
};

HttpConnection::HttpConnection(HttpConnectionOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  if (options.tls) {
    impl_->tls_context.emplace(asio::ssl::context::tls_client);
    impl_->tls_context->set_verify_mode(asio::ssl::verify_none);
  }
}

HttpConnection::~HttpConnection() = default;
HttpConnection::HttpConnection(HttpConnection&&) noexcept = default;
HttpConnection& HttpConnection::operator=(HttpConnection&&) noexcept = default;

bool HttpConnection::connect(const std::string& host, uint16_t port, const std::string& from) {
  Impl& impl = *impl_;
  impl.plain.reset();
  impl.secure.reset();
  impl.buffer.clear();
  impl.host_header = host + ":" + std::to_string(port);
  beast::error_code ec;
  tcp::endpoint remote(asio::ip::make_address(host, ec), port);
  if (ec) {
    impl.error = "connect " + host + ": " + ec.message();
    return false;
  }
  if (impl.tls_context) {
    impl.secure.emplace(impl.io, *impl.tls_context);
  } else {
    impl.plain.emplace(impl.io);
  }
  if (!from.empty() && !impl.bind(from, remote)) return false;
  const bool connected = impl.run("connect", impl.options.timeout, [&](auto handler) {
    impl.lowest().async_connect(remote, std::move(handler));
  });
  if (!connected) return false;
  beast::error_code ignored;  // Nagle only delays small requests; not worth failing over
  impl.lowest().socket().set_option(tcp::no_delay(true), ignored);
  if (!impl.secure) return true;
  return impl.run("handshake", impl.options.timeout, [&](auto handler) {
    impl.secure->async_handshake(asio::ssl::stream_base::client, std::move(handler));
  });
}

bool HttpConnection::connect(uint16_t port, const std::string& from) {
  return connect("127.0.0.1", port, from);
}

bool HttpConnection::is_open() const {
  return impl_->has_stream() && impl_->lowest().socket().is_open();
}

HttpResponse HttpConnection::request(std::string_view method, std::string_view target,
                                     std::string_view body, std::string_view content_type,
                                     const HttpHeaders& headers) {
  http::request<http::string_body> message;
  message.method_string(view(method));  // keeps a method Beast does not know, for 405 tests
  message.target(view(target));
  message.version(11);
  message.set(http::field::host, impl_->host_header);
  if (!content_type.empty()) message.set(http::field::content_type, view(content_type));
  for (const auto& [name, value] : headers) message.set(name, value);
  message.body() = std::string(body);
  message.prepare_payload();
  const std::string what = std::string(method) + " " + std::string(target);
  if (!impl_->on_stream(what, impl_->options.timeout, [&](auto& stream, auto handler) {
        http::async_write(stream, message, std::move(handler));
      })) {
    return transport_failure(impl_->error);
  }
  HttpResponse out = read_response();
  if (!out.ok()) out.error = what + ": " + out.error;
  return out;
}

bool HttpConnection::send_raw(std::string_view bytes) {
  return impl_->on_stream("write", impl_->options.timeout, [&](auto& stream, auto handler) {
    asio::async_write(stream, asio::buffer(bytes.data(), bytes.size()), std::move(handler));
  });
}

HttpResponse HttpConnection::read_response() {
  http::response_parser<http::string_body> parser;
  parser.body_limit(256u << 20);  // the integration tests read whole blocks of large batches
  if (!impl_->on_stream("read", impl_->options.timeout, [&](auto& stream, auto handler) {
        http::async_read(stream, impl_->buffer, parser, std::move(handler));
      })) {
    return transport_failure(impl_->error);
  }
  auto message = parser.release();
  HttpResponse out;
  out.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    out.headers[lowercase(field.name_string())] = std::string(field.value());
  }
  out.body = std::move(message.body());
  out.keep_alive = message.keep_alive();
  return out;
}

bool HttpConnection::wait_closed(std::chrono::milliseconds timeout, std::string* received) {
  // Bytes read ahead of the last response come first.
  if (received) received->append(beast::buffers_to_string(impl_->buffer.data()));
  impl_->buffer.clear();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char chunk[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    size_t got = 0;
    bool read = impl_->on_stream("read", left, [&](auto& stream, auto handler) {
      stream.async_read_some(asio::buffer(chunk), [&got, handler = std::move(handler)](
                                                      beast::error_code ec, size_t n) mutable {
        got = n;
        handler(ec);
      });
    });
    if (received) received->append(chunk, got);
    // Not connected, or out of time: nothing seen of the server closing.
    if (!read) return impl_->has_stream() && !impl_->timed_out;
  }
}

void HttpConnection::close() {
  if (!impl_->has_stream()) return;
  beast::error_code ignored;
  impl_->lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
  impl_->lowest().socket().close(ignored);
  impl_->plain.reset();
  impl_->secure.reset();
}

const std::string& HttpConnection::error() const { return impl_->error; }

bool HttpConnection::timed_out() const { return impl_->timed_out; }

HttpClient::HttpClient(std::string host, uint16_t port, std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), connection_(HttpConnectionOptions{.timeout = timeout}) {}

HttpClient::HttpClient(uint16_t port, std::chrono::milliseconds timeout)
    : HttpClient("127.0.0.1", port, timeout) {}

HttpResponse HttpClient::get(std::string_view target, const HttpHeaders& headers) {
  return request("GET", target, "", "", headers);
}

HttpResponse HttpClient::post(std::string_view target, std::string_view body,
                              std::string_view content_type, const HttpHeaders& headers) {
  return request("POST", target, body, content_type, headers);
}

HttpResponse HttpClient::request(std::string_view method, std::string_view target,
                                 std::string_view body, std::string_view content_type,
                                 const HttpHeaders& headers) {
  // A kept-alive connection the server has closed meanwhile fails at once: one retry on a
  // fresh connection. Resending is safe for what the tests send (a resent record answers
  // "duplicate"); a timeout is not retried, so the exchange stays bounded.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = connection_.is_open();
    if (!reused && !connection_.connect(host_, port_)) {
      connection_.close();
      return transport_failure(connection_.error());
    }
    HttpResponse out = connection_.request(method, target, body, content_type, headers);
    if (out.ok() && out.keep_alive) return out;
    connection_.close();
    if (out.ok() || !reused || connection_.timed_out()) return out;
  }
  return transport_failure("unreachable");  // the second attempt always runs on a fresh stream
}

RawExchange raw_exchange(const std::string& host, uint16_t port, const std::string& bytes,
                         std::chrono::milliseconds timeout) {
  RawExchange out;
  HttpConnection connection(HttpConnectionOptions{.timeout = timeout});
  if (!connection.connect(host, port)) return out;
  out.connected = true;
  // A write the peer refused (it reset the connection already) leaves it closed, which the
  // read below sees at once; a write out of time leaves nothing to read.
  connection.send_raw(bytes);
  out.closed = connection.wait_closed(timeout, &out.received);
  return out;
}

}  // namespace medtrail::testing
