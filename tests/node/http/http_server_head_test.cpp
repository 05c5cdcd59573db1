// HEAD and Date: what proxies and caches in front of the node expect of an HTTP/1.1 origin.
#include <gtest/gtest.h>

#include <regex>

#include "node/http/http_test_harness.h"
#include "support/http_client.h"

namespace medtrail::node::http {
namespace {

using namespace std::chrono_literals;
using testing::ServerHarness;

TEST(HttpServerHead, HeadOfAGetRouteIsItsHeadWithoutTheBody) {
  ServerHarness harness;
  harness.server().route("GET", "/thing", [](const Request& request, Responder respond) {
    Response r = Response::json(200, "{\"method\":\"" + request.method + "\"}");
    r.headers.emplace_back("Cache-Control", "public, max-age=5");
    respond(std::move(r));
  });
  ASSERT_TRUE(harness.start().ok());
  // Connection: close, so the whole answer is what arrives before the server closes: a body
  // after the head would show.
  medtrail::testing::RawExchange head = medtrail::testing::raw_exchange(
      "127.0.0.1", harness.port(), "HEAD /thing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 3s);
  ASSERT_TRUE(head.closed) << head.received;
  EXPECT_EQ(head.received.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << head.received;
  EXPECT_NE(head.received.find("Content-Length: 17\r\n"), std::string::npos) << head.received;
  EXPECT_NE(head.received.find("Cache-Control: public, max-age=5\r\n"), std::string::npos);
  EXPECT_TRUE(head.received.ends_with("\r\n\r\n")) << "a body followed the head: " << head.received;

  medtrail::testing::RawExchange get = medtrail::testing::raw_exchange(
      "127.0.0.1", harness.port(), "GET /thing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 3s);
  EXPECT_TRUE(get.received.ends_with("\r\n\r\n{\"method\":\"GET\"}")) << get.received;
}

TEST(HttpServerHead, EveryAnswerCarriesADate) {
  ServerHarness harness;
  ASSERT_TRUE(harness.start().ok());
  medtrail::testing::RawExchange answer = medtrail::testing::raw_exchange(
      "127.0.0.1", harness.port(), "GET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 3s);
  ASSERT_EQ(answer.received.rfind("HTTP/1.1 404", 0), 0u) << answer.received;
  // IMF-fixdate, RFC 9110 §5.6.7.
  static const std::regex kDate(
      "\r\nDate: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} "
      "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT\r\n");
  EXPECT_TRUE(std::regex_search(answer.received, kDate)) << answer.received;
}

}  // namespace
}  // namespace medtrail::node::http
