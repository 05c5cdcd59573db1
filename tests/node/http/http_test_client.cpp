#include "node/http/http_test_client.h"

#include <algorithm>
#include <cctype>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace medtrail::node::http::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = beast::http;
using tcp = asio::ip::tcp;

std::string ClientResponse::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

struct TestClient::Impl {
  bool tls;
  std::chrono::milliseconds op_timeout;
  asio::io_context io;
  asio::ssl::context tls_context{asio::ssl::context::tls_client};
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*secure) : *plain; }

  // Runs one async operation to completion; the tcp_stream deadline bounds it.
  template <class Start>
  beast::error_code run(std::chrono::milliseconds timeout, Start start) {
    beast::error_code result = asio::error::would_block;
    lowest().expires_after(timeout);
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    io.restart();
    io.run();
    return result;
  }
  template <class F>
  beast::error_code with_stream(std::chrono::milliseconds timeout, F f) {
    if (tls) return run(timeout, [&](auto handler) { f(*secure, std::move(handler)); });
    return run(timeout, [&](auto handler) { f(*plain, std::move(handler)); });
  }
};

TestClient::TestClient(bool tls, std::chrono::milliseconds op_timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->tls = tls;
  impl_->op_timeout = op_timeout;
  impl_->tls_context.set_verify_mode(asio::ssl::verify_none);  // self-signed test identity
}

TestClient::~TestClient() = default;

bool TestClient::connect(uint16_t port, const std::string& from) {
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  if (impl_->tls) {
    impl_->secure.emplace(impl_->io, impl_->tls_context);
  } else {
    impl_->plain.emplace(impl_->io);
  }
  if (from != "127.0.0.1") {
    beast::error_code ec;
    tcp::socket& socket = impl_->lowest().socket();
    asio::ip::address local = asio::ip::make_address(from, ec);
    if (!ec) socket.open(tcp::v4(), ec);
    if (!ec) socket.bind(tcp::endpoint(local, 0), ec);
    if (ec) return false;
  }
  beast::error_code ec = impl_->run(impl_->op_timeout, [&](auto handler) {
    impl_->lowest().async_connect(endpoint, std::move(handler));
  });
  if (ec) return false;
  if (!impl_->tls) return true;
  ec = impl_->run(impl_->op_timeout, [&](auto handler) {
    impl_->secure->async_handshake(asio::ssl::stream_base::client, std::move(handler));
  });
  return !ec;
}

std::optional<ClientResponse> TestClient::request(
    const std::string& method, const std::string& target, const std::string& body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  beast_http::request<beast_http::string_body> message;
  message.method_string(method);
  message.target(target);
  message.version(11);
  message.set(beast_http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) message.set(name, value);
  message.body() = body;
  message.prepare_payload();
  beast::error_code ec = impl_->with_stream(impl_->op_timeout, [&](auto& stream, auto handler) {
    beast_http::async_write(stream, message, std::move(handler));
  });
  if (ec) return std::nullopt;
  return read_response();
}

bool TestClient::send_raw(std::string_view bytes) {
  beast::error_code ec = impl_->with_stream(impl_->op_timeout, [&](auto& stream, auto handler) {
    asio::async_write(stream, asio::buffer(bytes.data(), bytes.size()), std::move(handler));
  });
  return !ec;
}

std::optional<ClientResponse> TestClient::read_response() {
  beast_http::response_parser<beast_http::string_body> parser;
  parser.body_limit(64 << 20);
  beast::error_code ec = impl_->with_stream(impl_->op_timeout, [&](auto& stream, auto handler) {
    beast_http::async_read(stream, impl_->buffer, parser, std::move(handler));
  });
  if (ec) return std::nullopt;
  auto message = parser.release();
  ClientResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    response.headers[name] = std::string(field.value());
  }
  response.body = std::move(message.body());
  return response;
}

bool TestClient::wait_closed(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  impl_->buffer.clear();
  char scratch[4096];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    beast::error_code ec = impl_->with_stream(left, [&](auto& stream, auto handler) {
      stream.async_read_some(asio::buffer(scratch), std::move(handler));
    });
    if (ec == beast::error::timeout) return false;
    if (ec) return true;  // EOF, reset, TLS truncation: the server is gone
  }
}

void TestClient::close() {
  if (!impl_->plain && !impl_->secure) return;
  beast::error_code ignored;
  impl_->lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
  impl_->lowest().socket().close(ignored);
}

}  // namespace medtrail::node::http::testing
