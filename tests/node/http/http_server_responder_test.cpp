// Responders answered later, from other threads, twice, or after the client or server is gone.
#include <gtest/gtest.h>

#include <mutex>
#include <optional>
#include <thread>

#include "node/http/http_test_harness.h"
#include "support/http_client.h"
#include "support/poll.h"

namespace medtrail::node::http {
namespace {

using namespace std::chrono_literals;
using medtrail::testing::HttpConnection;
using medtrail::testing::wait_until;
using testing::ServerHarness;

// Keeps the responder of the last request so the test decides when (and if) to answer.
class ParkedResponder {
 public:
  Handler handler() {
    return [this](const Request&, Responder respond) {
      std::lock_guard lock(mutex_);
      responder_ = std::move(respond);
    };
  }
  bool wait() {
    return wait_until([this] {
      std::lock_guard lock(mutex_);
      return responder_.has_value();
    }, 3s);
  }
  Responder take() {
    std::lock_guard lock(mutex_);
    Responder out = std::move(*responder_);
    responder_.reset();
    return out;
  }

 private:
  std::mutex mutex_;
  std::optional<Responder> responder_;
};

TEST(HttpServerResponder, DeferredAnswerFromAnotherThread) {
  std::vector<std::thread> workers;
  std::mutex workers_mutex;
  ServerHarness harness;
  harness.server().route("POST", "/v1/records", [&](const Request& request, Responder respond) {
    std::lock_guard lock(workers_mutex);
    workers.emplace_back([respond, body = request.body] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      respond(Response::json(201, "{\"committed\":\"" + body + "\"}"));
    });
  });
  ASSERT_TRUE(harness.start().ok());
  HttpConnection client;
  ASSERT_TRUE(client.connect(harness.port()));
  auto started = std::chrono::steady_clock::now();
  auto response = client.request("POST", "/v1/records?wait=commit", "r1");
  ASSERT_TRUE(response.ok()) << response.error;
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(50));
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.body, "{\"committed\":\"r1\"}");
  // The connection reads the next request only after the deferred answer.
  auto second = client.request("POST", "/v1/records", "r2");
  ASSERT_TRUE(second.ok()) << second.error;
  EXPECT_EQ(second.body, "{\"committed\":\"r2\"}");
  std::lock_guard lock(workers_mutex);
  for (auto& worker : workers) worker.join();
}

TEST(HttpServerResponder, AnswerAfterClientDisconnectedIsHarmless) {
  ParkedResponder parked;
  ServerHarness harness;
  harness.server().route("GET", "/slow", parked.handler());
  harness.server().route("GET", "/fast", [](const Request&, Responder respond) {
    respond(Response::json(200, "{}"));
  });
  ASSERT_TRUE(harness.start().ok());
  {
    HttpConnection client;
    ASSERT_TRUE(client.connect(harness.port()));
    ASSERT_TRUE(client.send_raw("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(parked.wait());
    client.close();
  }
  std::thread answer([respond = parked.take()] { respond(Response::json(200, "{\"late\":1}")); });
  answer.join();
  EXPECT_TRUE(wait_until([&] { return harness.server().stats().open_connections == 0; }, 3s));
  HttpConnection client;
  ASSERT_TRUE(client.connect(harness.port()));
  auto response = client.request("GET", "/fast");
  ASSERT_TRUE(response.ok()) << response.error;
  EXPECT_EQ(response.status, 200);
}

TEST(HttpServerResponder, AnswerAfterStopIsNoop) {
  ParkedResponder parked;
  ServerHarness harness;
  harness.server().route("GET", "/slow", parked.handler());
  ASSERT_TRUE(harness.start().ok());
  HttpConnection client;
  ASSERT_TRUE(client.connect(harness.port()));
  ASSERT_TRUE(client.send_raw("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(parked.wait());
  Responder respond = parked.take();
  EXPECT_TRUE(harness.stop_and_join());
  EXPECT_EQ(harness.server().stats().open_connections, 0u);
  respond(Response::json(200, "{}"));
  EXPECT_TRUE(client.wait_closed(std::chrono::milliseconds(2000)));
}

TEST(HttpServerResponder, SecondCallIsIgnored) {
  ServerHarness harness;
  int calls = 0;
  harness.server().route("GET", "/twice", [&calls](const Request&, Responder respond) {
    ++calls;
    respond(Response::json(201, "{\"first\":" + std::to_string(calls) + "}"));
    respond(Response::json(500, "{\"second\":true}"));
  });
  ASSERT_TRUE(harness.start().ok());
  HttpConnection client;
  ASSERT_TRUE(client.connect(harness.port()));
  for (int i = 1; i <= 2; ++i) {
    auto response = client.request("GET", "/twice");
    ASSERT_TRUE(response.ok()) << response.error;
    EXPECT_EQ(response.status, 201);
    EXPECT_EQ(response.body, "{\"first\":" + std::to_string(i) + "}");
  }
}

}  // namespace
}  // namespace medtrail::node::http
