#include "support/http_client.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
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
struct HttpClient::Impl {
  std::string host;
  uint16_t port = 0;
  std::chrono::milliseconds timeout{};
  asio::io_context io;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  // Starts one operation on the stream and runs it to completion under the deadline.
  template <class Start>
  beast::error_code run(Start start) {
    beast::error_code result = asio::error::would_block;  // stays so if the handler never ran
    stream->expires_after(timeout);
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    io.restart();
    io.run();
    return result;
  }

  beast::error_code connect() {
    stream.emplace(io);
    buffer.clear();
    tcp::endpoint endpoint(asio::ip::make_address(host), port);
    beast::error_code ec =
        run([&](auto handler) { stream->async_connect(endpoint, std::move(handler)); });
    beast::error_code ignored;  // Nagle only delays small requests; not worth failing over
    if (!ec) stream->socket().set_option(tcp::no_delay(true), ignored);
    return ec;
  }

  // One request and its response on the open stream.
  beast::error_code round_trip(const http::request<http::string_body>& request, HttpResponse& out) {
    beast::error_code ec =
        run([&](auto handler) { http::async_write(*stream, request, std::move(handler)); });
    if (ec) return ec;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256u << 20);  // the integration tests read whole blocks of large batches
    ec = run([&](auto handler) { http::async_read(*stream, buffer, parser, std::move(handler)); });
    if (ec) return ec;
    auto response = parser.release();
    out.status = static_cast<int>(response.result_int());
    for (const auto& field : response) {
      out.headers[lowercase(field.name_string())] = std::string(field.value());
    }
    out.body = std::move(response.body());
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

HttpClient::HttpClient(uint16_t port, std::chrono::milliseconds timeout)
    : HttpClient("127.0.0.1", port, timeout) {}

HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

HttpResponse HttpClient::get(std::string_view target, const HttpHeaders& headers) {
  return request("GET", target, "", "", headers);
}

HttpResponse HttpClient::post(std::string_view target, std::string body,
                              std::string_view content_type, const HttpHeaders& headers) {
  return request("POST", target, std::move(body), content_type, headers);
}

HttpResponse HttpClient::request(std::string_view method, std::string_view target, std::string body,
                                 std::string_view content_type, const HttpHeaders& headers) {
  http::request<http::string_body> message;
  message.method_string(view(method));  // keeps a method Beast does not know, for 405 tests
  message.target(view(target));
  message.version(11);
  message.set(http::field::host, impl_->host + ":" + std::to_string(impl_->port));
  message.keep_alive(true);
  if (!content_type.empty()) message.set(http::field::content_type, view(content_type));
  for (const auto& [name, value] : headers) message.set(name, value);
  message.body() = std::move(body);
  message.prepare_payload();
  // A kept-alive connection the server has closed meanwhile fails at once: one retry on a
  // fresh connection. Resending is safe for what the tests send (a resent record answers
  // "duplicate"); a timeout is not retried, so the exchange stays bounded.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = impl_->stream.has_value();
    if (!reused) {
      if (auto ec = impl_->connect()) {
        impl_->stream.reset();
        return transport_failure("connect: " + ec.message());
      }
    }
    HttpResponse out;
    auto ec = impl_->round_trip(message, out);
    if (!ec) return out;
    impl_->stream.reset();
    if (!reused || ec == beast::error::timeout) {
      return transport_failure(std::string(method) + " " + std::string(target) + ": " +
                               ec.message());
    }
  }
  return transport_failure("unreachable");  // the second attempt always runs on a fresh stream
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
  asio::async_write(stream, asio::buffer(bytes),
                    [&](beast::error_code ec, size_t) { result = ec; });
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

}  // namespace medtrail::testing
