#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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

}  // namespace
}  // namespace medtrail::node::http
