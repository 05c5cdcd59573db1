#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <boost/beast/http/write.hpp>
#include <sstream>

#include "http/http_message.h"
#include "http/http_server.h"

namespace medtrail::node::http {
namespace {

TEST(HttpResponse, ErrorBodyIsEscapedJson) {
  Response response = Response::error(400, "bad_request", "quote \" backslash \\ newline \n");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.content_type, "application/json");
  auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["error"]["code"], "bad_request");
  EXPECT_EQ(body["error"]["message"], "quote \" backslash \\ newline \n");
  EXPECT_EQ(body.size(), 1u);
}

TEST(HttpResponse, RequestHeaderLookupIsByLowercaseName) {
  Request request;
  request.headers["content-type"] = "application/json";
  EXPECT_EQ(request.header("content-type"), "application/json");
  EXPECT_EQ(request.header("x-missing"), "");
}

// Whatever a handler puts into a header, the head on the wire stays one well-formed response:
// a header whose name is not a token or whose value holds a control character (RFC 9110 §5.5:
// only HTAB among them) is dropped. The CR/LF case was always covered; a value with any other
// control byte went out, and a client's parser refused the whole response (found by
// tests/fuzz/http_request_fuzz.cpp, a decoded query value echoed into a header).
TEST(HttpResponse, HeadersAHandlerCannotWriteAreDropped) {
  Response response = Response::json(200, "{}");
  response.headers = {{"X-Ok", "a\tb c"},     {"X-Cr", "a\rb"},           {"X-Nul", std::string("a\0b", 3)},
                      {"X-Ctl", "a\x06" "b"},   {"X-Del", "a\x7f"},         {"Bad Name", "v"},
                      {"Bad:Name", "v"},      {"", "v"},                   {"X-Utf8", "\xe6\xb6\x88"}};
  std::ostringstream wire;
  wire << to_beast(response, 11, true);
  const std::string head = wire.str().substr(0, wire.str().find("\r\n\r\n"));
  EXPECT_NE(head.find("X-Ok: a\tb c\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("X-Utf8: \xe6\xb6\x88"), std::string::npos) << head;
  for (const char* dropped : {"X-Cr", "X-Nul", "X-Ctl", "X-Del", "Bad Name", "Bad:Name"}) {
    EXPECT_EQ(head.find(dropped), std::string::npos) << dropped << " went out:\n" << head;
  }
}

}  // namespace
}  // namespace medtrail::node::http
