// What a client sends the HTTP listeners, from the first byte to the route: Beast's parser with
// the listener's limits (http_connection.cpp), the request as handlers see it (from_beast), the
// target split and percent-decoded (decode_target), the client a trusted proxy names
// (forwarded_client), the route it matches; then an answer that echoes a decoded query value into
// a header, as the response encoder (to_beast) writes it.
// Properties: a route's captures are the decoded segments at their places; whatever a handler
// puts into a header, the response head parses back as one response with the same body.
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <algorithm>
#include <optional>
#include <sstream>

#include "fuzz_check.h"
#include "http/http_message.h"
#include "http/http_route_table.h"
#include "http/trusted_proxies.h"

using namespace medtrail;
using namespace medtrail::node::http;
namespace beast_http = boost::beast::http;

namespace {

const RouteTable& routes() {
  static const RouteTable table = [] {
    RouteTable t;
    const Handler none = [](const Request&, Responder) {};
    for (const char* pattern : {"/v1/records", "/v1/records/latest", "/v1/records/{id}", "/v1/trace/{code}",
                                "/v1/audit/trails/{family}/{id}", "/v1/prescriptions/{id}/verify", "/"}) {
      t.add("GET", pattern, none);
    }
    t.add("POST", "/v1/records", none);
    return t;
  }();
  return table;
}

const TrustedProxies& proxies() {
  static const TrustedProxies trusted = TrustedProxies::parse({"127.0.0.1", "10.0.0.0/8", "fd00::/8"}).value();
  return trusted;
}

std::optional<BeastRequest> parse(std::string_view bytes) {
  beast_http::request_parser<beast_http::string_body> parser;
  parser.header_limit(16 << 10);  // ListenerConfig's defaults
  parser.body_limit(1 << 20);
  parser.eager(true);
  boost::system::error_code ec;
  size_t used = 0;
  while (used < bytes.size() && !parser.is_done()) {
    const size_t n = parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (ec == beast_http::error::need_more && n == 0) return std::nullopt;
    if (ec && ec != beast_http::error::need_more) return std::nullopt;
    used += n;
  }
  if (!parser.is_done()) return std::nullopt;
  return parser.release();
}

void route(const Request& request, const std::vector<std::string>& segments) {
  RouteMatch match = routes().match(request.method, segments);
  if (match.kind != RouteMatch::Kind::kFound) return;
  fuzz::check(match.handler != nullptr, "a found route has a handler");
  for (const auto& [name, value] : match.params) {
    fuzz::check(std::find(segments.begin(), segments.end(), value) != segments.end(),
                "a capture is one of the decoded segments");
  }
}

// A handler's answer that carries request bytes, percent-decoded (any byte), in a header value and
// in the body: the head must still parse as exactly one response (nothing smuggled in).
void answer(const Request& request) {
  Response response = Response::error(404, "not_found", request.path);
  auto echo = request.query.find("echo");
  response.headers.emplace_back("X-Echo", echo == request.query.end() ? "" : echo->second);
  BeastResponse message = to_beast(std::move(response), 11, true);
  std::ostringstream wire;
  wire << message;
  const std::string text = wire.str();
  beast_http::response_parser<beast_http::string_body> parser;
  parser.eager(true);
  boost::system::error_code ec;
  const size_t used = parser.put(boost::asio::buffer(text), ec);
  fuzz::check(!ec && parser.is_done() && used == text.size(), "the answer parses as one response");
  fuzz::check(parser.get().body() == message.body(), "the answer's body survives");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  std::optional<BeastRequest> message = parse(fuzz::as_text(data, size));
  if (!message) return 0;
  Request request = from_beast(std::move(*message), "127.0.0.1:40000");
  request.client_address = forwarded_client(request.remote_address, request.header("x-forwarded-for"), proxies());
  fuzz::check(!request.client_address.empty(), "every request is counted by some address");
  auto segments = decode_target(request);
  if (!segments.ok()) {
    fuzz::check(segments.status().code() == "bad_request", "a target refused is `bad_request`");
    return 0;
  }
  route(request, *segments);
  answer(request);
  return 0;
}
