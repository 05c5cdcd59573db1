#include "node/http/http_test_harness.h"

#include "support/poll.h"

namespace medtrail::node::http::testing {

ServerHarness::ServerHarness(ServerOptions options) : server_(io_, std::move(options)) {}

ServerHarness::~ServerHarness() { stop_and_join(); }

Status ServerHarness::start() {
  Status status = server_.start();
  if (!status.ok()) return status;
  for (int i = 0; i < 2; ++i) {
    running_.fetch_add(1);
    threads_.emplace_back([this] {
      io_.run();
      running_.fetch_sub(1);
    });
  }
  return status;
}

bool ServerHarness::stop_and_join(std::chrono::milliseconds timeout) {
  server_.stop();
  bool exited = medtrail::testing::wait_until([this] { return running_.load() == 0; }, timeout);
  if (!exited) io_.stop();  // don't hang the suite; the test asserts on the result
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  return exited;
}

}  // namespace medtrail::node::http::testing
