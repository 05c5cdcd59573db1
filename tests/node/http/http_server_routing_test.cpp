// Routing, decoding, error bodies and keep-alive over a real socket.
#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "node/http/http_test_harness.h"
#include "support/http_client.h"
#include "support/poll.h"

namespace medtrail::node::http {
namespace {

using namespace std::chrono_literals;
using medtrail::testing::HttpConnection;
using medtrail::testing::wait_until;
using testing::ServerHarness;

Handler echo() {
  return [](const Request& request, Responder respond) {
    nlohmann::json body = {{"method", request.method}, {"path", request.path},
                           {"params", request.params}, {"query", request.query},
                           {"body", request.body},     {"remote", request.remote_address},
                           {"x_test", std::string(request.header("x-test"))}};
    respond(Response::json(200, body.dump()));
  };
}

TEST(HttpServerRouting, CapturesAndQueryArePercentDecoded) {
  ServerHarness harness;
  harness.server().route("GET", "/v1/records/{id}", echo());
  ASSERT_TRUE(harness.start().ok());
  HttpConnection client;
  ASSERT_TRUE(client.connect(harness.port()));
  auto response = client.request("GET", "/v1/records/a%20b%2Fc?x=1&y=hello%20world+again&x=2",
                                 "", "", {{"X-Test", "yes"}});
  ASSERT_TRUE(response.ok()) << response.error;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("content-type"), "application/json");
  auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["params"]["id"], "a b/c");
  EXPECT_EQ(body["path"], "/v1/records/a b/c");
  EXPECT_EQ(body["query"]["x"], "2");
  EXPECT_EQ(body["query"]["y"], "hello world again");
  EXPECT_EQ(body["x_test"], "yes");
  EXPECT_EQ(body["remote"].get<std::string>().rfind("127.0.0.1:", 0), 0u);
}

TEST(HttpServerRouting, MalformedPercentEscapeIs400) {
  ServerHarness harness;
  harness.server().route("GET", "/v1/records/{id}", echo());
  ASSERT_TRUE(harness.start().ok());
  HttpConnection client;
  ASSERT_TRUE(client.connect(harness.port()));
  for (const char* target : {"/v1/records/a%zz", "/v1/records/a?x=%4"}) {
    auto response = client.request("GET", target);
    ASSERT_TRUE(response.ok()) << target << ": " << response.error;
    EXPECT_EQ(response.status, 400) << target;
    EXPECT_EQ(nlohmann::json::parse(response.body)["error"]["code"], "bad_request");
  }
}

TEST(HttpServerRouting, UnknownPathIs404WithJsonError) {
  ServerHarness harness;
  harness.server().route("GET", "/v1/records/{id}", echo());
  ASSERT_TRUE(harness.start().ok());
  HttpConnection client;
  ASSERT_TRUE(client.connect(harness.port()));
  auto response = client.request("GET", "/v1/nothing");
  ASSERT_TRUE(response.ok()) << response.error;
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.header("content-type"), "application/json");
  EXPECT_EQ(response.header("content-length"), std::to_string(response.body.size()));
  auto body = nlohmann::json::parse(response.body);
  ASSERT_TRUE(body["error"].is_object());
  EXPECT_EQ(body["error"]["code"], "not_found");
  EXPECT_TRUE(body["error"]["message"].is_string());
}

TEST(HttpServerRouting, KnownPathOtherMethodIs405WithAllow) {
  ServerHarness harness;
  harness.server().route("POST", "/v1/records", echo());
  harness.server().route("GET", "/v1/records", echo());
  ASSERT_TRUE(harness.start().ok());
  HttpConnection client;
  ASSERT_TRUE(client.connect(harness.port()));
  auto response = client.request("DELETE", "/v1/records");
  ASSERT_TRUE(response.ok()) << response.error;
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.header("allow"), "GET, HEAD, POST");
  EXPECT_EQ(nlohmann::json::parse(response.body)["error"]["code"], "method_not_allowed");
}

TEST(HttpServerRouting, KeepAliveServesSeveralRequestsOnOneConnection) {
  ServerHarness harness;
  harness.server().route("POST", "/v1/echo", echo());
  ASSERT_TRUE(harness.start().ok());
  HttpConnection client;
  ASSERT_TRUE(client.connect(harness.port()));
  for (int i = 0; i < 5; ++i) {
    auto response = client.request("POST", "/v1/echo", "body " + std::to_string(i));
    ASSERT_TRUE(response.ok()) << i << ": " << response.error;
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(nlohmann::json::parse(response.body)["body"], "body " + std::to_string(i));
    EXPECT_NE(response.header("connection"), "close");
  }
  auto stats = harness.server().stats();
  EXPECT_EQ(stats.connections_accepted, 1u);
  EXPECT_EQ(stats.requests, 5u);
  EXPECT_EQ(stats.open_connections, 1u);
}

TEST(HttpServerRouting, HandlerThatThrowsIs500Internal) {
  ServerHarness harness;
  harness.server().route("GET", "/boom", [](const Request&, Responder) {
    throw std::runtime_error("secret patient data");
  });
  ASSERT_TRUE(harness.start().ok());
  HttpConnection client;
  ASSERT_TRUE(client.connect(harness.port()));
  auto response = client.request("GET", "/boom");
  ASSERT_TRUE(response.ok()) << response.error;
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(nlohmann::json::parse(response.body)["error"]["code"], "internal");
  EXPECT_EQ(response.body.find("secret"), std::string::npos);
  // The connection survives a handler failure.
  auto again = client.request("GET", "/boom");
  ASSERT_TRUE(again.ok()) << again.error;
  EXPECT_EQ(again.status, 500);
}

TEST(HttpServerRouting, ObserverSeesRouteStatusAndLatency) {
  struct Seen {
    std::string route;
    int status;
    std::chrono::nanoseconds latency;
  };
  std::mutex mutex;
  std::vector<Seen> seen;
  ServerHarness harness;
  harness.server().route("GET", "/v1/records/{id}", echo());
  harness.server().set_observer(
      [&](std::string_view route, int status, std::chrono::nanoseconds latency) {
        std::lock_guard lock(mutex);
        seen.push_back({std::string(route), status, latency});
      });
  ASSERT_TRUE(harness.start().ok());
  HttpConnection client;
  ASSERT_TRUE(client.connect(harness.port()));
  ASSERT_TRUE(client.request("GET", "/v1/records/7").ok());
  ASSERT_TRUE(client.request("GET", "/missing").ok());
  ASSERT_TRUE(wait_until([&] {
    std::lock_guard lock(mutex);
    return seen.size() == 2;
  }, 3s));
  std::lock_guard lock(mutex);
  EXPECT_EQ(seen[0].route, "/v1/records/{id}");
  EXPECT_EQ(seen[0].status, 200);
  EXPECT_GE(seen[0].latency.count(), 0);
  EXPECT_EQ(seen[1].route, "");
  EXPECT_EQ(seen[1].status, 404);
}

}  // namespace
}  // namespace medtrail::node::http
