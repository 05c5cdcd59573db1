#pragma once
// Conversion between Beast messages and the server's Request/Response (private: includes Beast).

#include <string>
#include <vector>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/http_server.h"

namespace medtrail::node::http {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using BeastResponse = boost::beast::http::response<boost::beast::http::string_body>;

// Copies method, target, lowercased headers and body; path, query and params are left to
// decode_target because decoding can fail.
Request from_beast(BeastRequest&& message, std::string remote_address);

// Fills request.path and request.query and returns the decoded path segments for routing.
// A target that is not origin-form or holds a malformed percent-escape is `bad_request`.
ledger::Result<std::vector<std::string>> decode_target(Request& request);

// Sets Content-Type, Content-Length and Connection; drops an extra header whose name is not a
// token or whose value holds a control character other than HTAB (it would inject a header or
// make the head unparsable).
// Adds Date unless the handler set one.
BeastResponse to_beast(Response response, unsigned version, bool keep_alive);

// The answer to a HEAD request: the GET answer's head, Content-Length included, without its body.
void strip_body_for_head(BeastResponse& message);

// Now as an HTTP date (IMF-fixdate): "Thu, 03 Dec 2026 22:40:00 GMT".
std::string http_date();

}  // namespace medtrail::node::http
