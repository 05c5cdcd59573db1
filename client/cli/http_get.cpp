#include "http_get.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>

namespace medtrail::cli {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

ledger::Result<HttpReply> http_get(const NodeUrl& node, const std::string& target,
                                   std::chrono::milliseconds timeout, size_t max_body_bytes,
                                   const HttpHeaders& headers) {
  auto unreachable = [&](const std::string& what) {
    return ledger::Status::error("unreachable", "http://" + node.host + ":" + node.port + target +
                                                    ": " + what);
  };
  // Asynchronous steps run for at most `timeout` in all: a node that accepts and never answers,
  // or answers a byte at a time, cannot hold the CLI (the synchronous calls have no deadline).
  boost::asio::io_context io;
  tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  http::request<http::empty_body> request(http::verb::get, target, 11);
  request.set(http::field::host, node.host);
  request.set(http::field::connection, "close");
  for (const auto& [name, value] : headers) request.set(name, value);
  http::response_parser<http::string_body> parser;
  parser.body_limit(max_body_bytes);
  beast::error_code result = boost::asio::error::timed_out;
  bool done = false;

  resolver.async_resolve(node.host, node.port, [&](beast::error_code ec, tcp::resolver::results_type endpoints) {
    if (ec) {
      result = ec;
      done = true;
      return;
    }
    stream.async_connect(endpoints, [&](beast::error_code ec, const tcp::endpoint&) {
      if (ec) {
        result = ec;
        done = true;
        return;
      }
      http::async_write(stream, request, [&](beast::error_code ec, size_t) {
        if (ec) {
          result = ec;
          done = true;
          return;
        }
        http::async_read(stream, buffer, parser, [&](beast::error_code ec, size_t) {
          result = ec;
          done = true;
        });
      });
    });
  });
  io.run_for(timeout);
  if (!done) {
    beast::error_code ignored;
    stream.socket().close(ignored);
    resolver.cancel();
    io.restart();
    io.run();  // lets the cancelled handlers finish before the locals they use go away
    return unreachable("no answer within " + std::to_string(timeout.count()) + " ms");
  }
  if (result) return unreachable(result.message());
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  HttpReply reply{static_cast<int>(parser.get().result_int()), std::move(parser.get().body()), {}};
  for (const auto& field : parser.get()) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = std::string(field.value());
  }
  return reply;
}

}  // namespace medtrail::cli
