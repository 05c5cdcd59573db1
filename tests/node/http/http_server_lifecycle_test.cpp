// TLS, start errors, and stopping with connections open.
#include <gtest/gtest.h>

#include "node/http/http_test_harness.h"
#include "node/http/http_test_identity.h"
#include "support/http_client.h"
#include "support/poll.h"

namespace medtrail::node::http {
namespace {

using namespace std::chrono_literals;
using medtrail::testing::HttpConnection;
using medtrail::testing::wait_until;
using testing::ServerHarness;

void add_hello(Server& server) {
  server.route("GET", "/hello", [](const Request&, Responder respond) {
    respond(Response::json(200, "{\"hello\":true}"));
  });
}

TEST(HttpServerLifecycle, HttpsRequestWithSelfSignedCertificate) {
  testing::TestIdentity identity = testing::make_self_signed_identity();
  ServerOptions options;
  options.tls_cert_pem = identity.cert_pem;
  options.tls_key_pem = identity.key_pem;
  ServerHarness harness(options);
  add_hello(harness.server());
  ASSERT_TRUE(harness.start().ok());
  HttpConnection client({.tls = true});
  ASSERT_TRUE(client.connect(harness.port()));
  for (int i = 0; i < 2; ++i) {
    auto response = client.request("GET", "/hello");
    ASSERT_TRUE(response.ok()) << response.error;
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "{\"hello\":true}");
  }
  // A plain-HTTP client on the TLS port gets nowhere.
  HttpConnection plain;
  ASSERT_TRUE(plain.connect(harness.port()));
  EXPECT_FALSE(plain.request("GET", "/hello").ok());
}

TEST(HttpServerLifecycle, BadPemIsBadTlsIdentity) {
  testing::TestIdentity identity = testing::make_self_signed_identity();
  testing::TestIdentity other = testing::make_self_signed_identity();
  struct Case {
    std::string cert;
    std::string key;
  };
  for (const Case& c : {Case{"not a pem", identity.key_pem}, Case{identity.cert_pem, "garbage"},
                        Case{identity.cert_pem, ""}, Case{identity.cert_pem, other.key_pem}}) {
    ServerOptions options;
    options.tls_cert_pem = c.cert;
    options.tls_key_pem = c.key;
    boost::asio::io_context io;
    Server server(io, options);
    Status status = server.start();
    EXPECT_EQ(status.code(), "bad_tls_identity") << status.to_string();
  }
}

TEST(HttpServerLifecycle, PortInUseIsBindFailed) {
  ServerHarness first;
  ASSERT_TRUE(first.start().ok());
  ServerOptions options;
  options.port = first.port();
  boost::asio::io_context io;
  Server second(io, options);
  EXPECT_EQ(second.start().code(), "bind_failed");
}

TEST(HttpServerLifecycle, StopWithOpenConnectionsLetsIoThreadsExit) {
  ServerHarness harness;
  add_hello(harness.server());
  std::vector<Responder> parked;
  std::mutex mutex;
  harness.server().route("GET", "/park", [&](const Request&, Responder respond) {
    std::lock_guard lock(mutex);
    parked.push_back(std::move(respond));
  });
  ASSERT_TRUE(harness.start().ok());
  HttpConnection idle;
  HttpConnection half;
  HttpConnection waiting;
  ASSERT_TRUE(idle.connect(harness.port()));
  ASSERT_TRUE(idle.request("GET", "/hello").ok());
  ASSERT_TRUE(half.connect(harness.port()));
  ASSERT_TRUE(half.send_raw("GET /hello HTTP/1.1\r\nHo"));
  ASSERT_TRUE(waiting.connect(harness.port()));
  ASSERT_TRUE(waiting.send_raw("GET /park HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(wait_until([&] {
    std::lock_guard lock(mutex);
    return parked.size() == 1;
  }, 3s));
  ASSERT_TRUE(wait_until([&] { return harness.server().stats().open_connections == 3; }, 3s));

  EXPECT_TRUE(harness.stop_and_join(5s));
  EXPECT_TRUE(idle.wait_closed(2s));
  EXPECT_TRUE(half.wait_closed(2s));
  EXPECT_TRUE(waiting.wait_closed(2s));
  harness.server().stop();  // idempotent
  parked.front()(Response::json(200, "{}"));  // no-op after stop
}

TEST(HttpServerLifecycle, StopFromAnotherThreadWhileRequestsRun) {
  ServerHarness harness;
  add_hello(harness.server());
  ASSERT_TRUE(harness.start().ok());
  std::atomic<bool> done{false};
  std::thread load([&] {
    while (!done.load()) {
      HttpConnection client({.timeout = 500ms});
      if (!client.connect(harness.port())) break;
      if (!client.request("GET", "/hello").ok()) break;
    }
  });
  ASSERT_TRUE(wait_until([&] { return harness.server().stats().requests >= 5; }, 3s));
  std::thread stopper([&] { harness.server().stop(); });
  stopper.join();
  EXPECT_TRUE(harness.stop_and_join(5s));
  done.store(true);
  load.join();
}

TEST(HttpServerLifecycle, DestructorStopsTheServer) {
  boost::asio::io_context io;
  std::thread runner;
  {
    Server server(io, ServerOptions{});
    ASSERT_TRUE(server.start().ok());
    runner = std::thread([&io] { io.run(); });
    HttpConnection client;
    ASSERT_TRUE(client.connect(server.port()));
  }
  runner.join();  // returns because the destructor closed the listener and the connection
}

}  // namespace
}  // namespace medtrail::node::http
