#pragma once
// Runs a Server on its own io_context with two io threads, as the node does, and tears it down
// checking that the threads actually exit after stop().

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "http/http_server.h"

namespace medtrail::node::http::testing {

class ServerHarness {
 public:
  explicit ServerHarness(ServerOptions options = {});
  ~ServerHarness();

  Server& server() { return server_; }
  uint16_t port() const { return server_.port(); }
  // Starts the server, then the io threads.
  Status start();
  // stop() and join; false if the io threads were still running after `timeout`.
  bool stop_and_join(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

 private:
  boost::asio::io_context io_;  // declared first: outlives the server
  Server server_;
  std::vector<std::thread> threads_;
  std::atomic<int> running_{0};
};

}  // namespace medtrail::node::http::testing
