#include "node/api/api_test_client.h"

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>

namespace medtrail::node::api::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

struct ApiClient::Impl {
  uint16_t port;
  std::chrono::milliseconds timeout;
  asio::io_context io;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  // Runs one async operation to completion; the stream's deadline bounds it.
  template <class Start>
  beast::error_code run(Start start) {
    beast::error_code result = asio::error::would_block;
    stream->expires_after(timeout);
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    io.restart();
    io.run();
    return result;
  }

  bool connect() {
    stream.emplace(io);
    buffer.clear();
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    return !run([&](auto handler) { stream->async_connect(endpoint, std::move(handler)); });
  }
};

ApiClient::ApiClient(uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->port = port;
  impl_->timeout = timeout;
}

ApiClient::~ApiClient() = default;

Reply ApiClient::request(const std::string& method, const std::string& target,
                         const std::string& body, const std::string& content_type) {
  if (!impl_->stream && !impl_->connect()) return {};
  bhttp::request<bhttp::string_body> message;
  message.method_string(method);
  message.target(target);
  message.version(11);
  message.set(bhttp::field::host, "127.0.0.1");
  if (!content_type.empty()) message.set(bhttp::field::content_type, content_type);
  message.body() = body;
  message.prepare_payload();
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 << 20);
  beast::error_code ec = impl_->run(
      [&](auto handler) { bhttp::async_write(*impl_->stream, message, std::move(handler)); });
  if (!ec) {
    ec = impl_->run([&](auto handler) {
      bhttp::async_read(*impl_->stream, impl_->buffer, parser, std::move(handler));
    });
  }
  if (ec) {
    impl_->stream.reset();
    return {};
  }
  auto response = parser.release();
  Reply reply;
  reply.status = static_cast<int>(response.result_int());
  for (const auto& field : response) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    reply.headers[name] = std::string(field.value());
  }
  reply.body = std::move(response.body());
  if (!response.keep_alive()) impl_->stream.reset();
  return reply;
}

}  // namespace medtrail::node::api::testing
