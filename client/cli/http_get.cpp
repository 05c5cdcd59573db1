#include "http_get.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace medtrail::cli {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

ledger::Result<HttpReply> http_get(const NodeUrl& node, const std::string& target,
                                   std::chrono::milliseconds timeout, size_t max_body_bytes) {
  auto unreachable = [&](const std::string& what) {
    return ledger::Status::error("unreachable", "http://" + node.host + ":" + node.port + target +
                                                    ": " + what);
  };
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code ec;
  tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(node.host, node.port, ec);
  if (ec) return unreachable(ec.message());
  stream.expires_after(timeout);  // one deadline for the whole exchange
  stream.connect(endpoints, ec);
  if (ec) return unreachable(ec.message());
  http::request<http::empty_body> request(http::verb::get, target, 11);
  request.set(http::field::host, node.host);
  request.set(http::field::connection, "close");
  http::write(stream, request, ec);
  if (ec) return unreachable(ec.message());
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(max_body_bytes);
  http::read(stream, buffer, parser, ec);
  if (ec) return unreachable(ec.message());
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return HttpReply{static_cast<int>(parser.get().result_int()), std::move(parser.get().body())};
}

}  // namespace medtrail::cli
