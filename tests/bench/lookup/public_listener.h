#pragma once
// A public listener ([public], node_config.h) on the harness's node, as medtrail-node opens one:
// the public routes with their own limits, beside a members' listener whose /metrics reports it
// (as listener "public"). scripts/bench abuse floods the first and scrapes the second.
#include <cstdint>

#include "api/metrics.h"
#include "config/node_config.h"
#include "http/http_server.h"
#include "support/node/api_stack.h"

namespace medtrail::bench::lookup {

class PublicListener {
 public:
  // On 127.0.0.1, free ports; `listener.listen` is ignored. Throws if a listener cannot start.
  PublicListener(node::api::testing::ApiStack& stack, const node::ListenerConfig& listener);
  ~PublicListener();
  PublicListener(const PublicListener&) = delete;
  PublicListener& operator=(const PublicListener&) = delete;

  uint16_t port() const { return public_->port(); }
  uint16_t metrics_port() const { return members_->port(); }
  // Stops both; their connections' last handlers still run on the stack's io threads.
  void stop();

 private:
  node::NodeConfig config_;  // the stack's, with this listener as public_api
  node::api::ApiContext ctx_;
  node::api::Metrics metrics_;
  std::unique_ptr<node::http::Server> members_;
  std::unique_ptr<node::http::Server> public_;
};

// The public listener with its defences as good as off, for a control run: no share per
// address, no request rate, every deadline at the configuration's maximum. The connection cap
// and the eviction of the longest-idle connection near it stay: neither can be turned off.
node::ListenerConfig without_defences(node::ListenerConfig listener);

}  // namespace medtrail::bench::lookup
