#include "integration/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

namespace medtrail::integration {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Asynchronous operations run to completion on a private io_context: the stream's expiry is
// what bounds each exchange (blocking socket calls have no timeout in Asio).
struct HttpClient::Impl {
  std::string host;
  uint16_t port;
  std::chrono::milliseconds timeout;
  asio::io_context io;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  beast::error_code run() {
    io.restart();
    io.run();
    return {};
  }

  beast::error_code connect() {
    stream.emplace(io);
    buffer.clear();
    beast::error_code result;
    stream->expires_after(timeout);
    tcp::endpoint endpoint(asio::ip::make_address(host), port);
    stream->async_connect(endpoint, [&](beast::error_code ec) { result = ec; });
    run();
    if (!result) stream->socket().set_option(tcp::no_delay(true));
    return result;
  }

  // One request/response on the open stream.
  beast::error_code round_trip(http::request<http::string_body>& request, HttpResponse& out) {
    beast::error_code result;
    stream->expires_after(timeout);
    http::async_write(*stream, request, [&](beast::error_code ec, size_t) { result = ec; });
    run();
    if (result) return result;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256u << 20);
    stream->expires_after(timeout);
    http::async_read(*stream, buffer, parser, [&](beast::error_code ec, size_t) { result = ec; });
    run();
    if (result) return result;
    auto response = parser.release();
    out.status = static_cast<int>(response.result_int());
    out.body = std::move(response.body());
    out.retry_after = std::string(response[http::field::retry_after]);
    if (!response.keep_alive()) stream.reset();
    return {};
  }
};

HttpClient::HttpClient(std::string host, uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout = timeout;
}

HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

HttpResponse HttpClient::get(std::string_view target) { return exchange("GET", target, "", ""); }

HttpResponse HttpClient::post(std::string_view target, std::string body,
                              std::string_view content_type) {
  return exchange("POST", target, std::move(body), content_type);
}

HttpResponse HttpClient::exchange(std::string_view method, std::string_view target,
                                  std::string body, std::string_view content_type) {
  http::request<http::string_body> request(
      http::string_to_verb(beast::string_view(method.data(), method.size())),
      beast::string_view(target.data(), target.size()), 11);
  request.set(http::field::host, impl_->host + ":" + std::to_string(impl_->port));
  request.keep_alive(true);
  if (!content_type.empty()) {
    request.set(http::field::content_type,
                beast::string_view(content_type.data(), content_type.size()));
  }
  request.body() = std::move(body);
  request.prepare_payload();
  // A kept-alive connection the node has closed meanwhile fails at once: one fresh retry.
  // Submissions are idempotent (a resent record answers "duplicate"), so resending is safe.
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = impl_->stream.has_value();
    if (!reused) {
      if (auto ec = impl_->connect()) {
        impl_->stream.reset();
        return HttpResponse{0, "", "", "connect: " + ec.message()};
      }
    }
    HttpResponse out;
    auto ec = impl_->round_trip(request, out);
    if (!ec) return out;
    impl_->stream.reset();
    if (!reused || ec == beast::error::timeout) {
      return HttpResponse{0, "", "", std::string(method) + " " + std::string(target) + ": " +
                                         ec.message()};
    }
  }
  return HttpResponse{0, "", "", "unreachable"};
}

RawExchange raw_exchange(const std::string& host, uint16_t port, const std::string& bytes,
                         std::chrono::milliseconds timeout) {
  RawExchange out;
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code result;
  stream.expires_after(timeout);
  stream.async_connect(tcp::endpoint(asio::ip::make_address(host), port),
                       [&](beast::error_code ec) { result = ec; });
  io.run();
  if (result) return out;
  out.connected = true;
  stream.expires_after(timeout);
  asio::async_write(stream, asio::buffer(bytes), [&](beast::error_code ec, size_t) { result = ec; });
  io.restart();
  io.run();
  // A write error means the peer already reset the connection: closed.
  if (result) {
    out.closed = result != beast::error::timeout;
    return out;
  }
  std::string chunk(4096, '\0');
  for (;;) {
    size_t n = 0;
    stream.async_read_some(asio::buffer(chunk), [&](beast::error_code ec, size_t got) {
      result = ec;
      n = got;
    });
    io.restart();
    io.run();
    out.received.append(chunk.data(), n);
    if (result) {
      out.closed = result != beast::error::timeout;
      return out;
    }
  }
}

}  // namespace medtrail::integration
