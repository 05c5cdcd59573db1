#pragma once
// Prometheus metrics (text exposition format, prometheus-cpp's core serializer; served by our
// own HTTP server). Request counts and latencies are observed as responses go out; the rest
// (admission queue, Raft role/term/commit, height, fsync latency, bytes on disk, peers) is read
// from the node's parts at scrape time.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/api_context.h"
#include "http/http_server.h"

namespace medtrail::node::api {

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // For http::Server::set_observer. Thread-safe.
  void observe(std::string_view route, int status, std::chrono::nanoseconds latency);
  // An HTTP listener the node runs, by name ("api", "public").
  struct Listener {
    std::string name;
    const http::Server* server;
  };
  // The whole exposition, text format 0.0.4.
  std::string scrape(const ApiContext& ctx, const std::vector<Listener>& listeners = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace medtrail::node::api
