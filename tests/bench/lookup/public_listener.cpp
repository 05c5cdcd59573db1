#include "bench/lookup/public_listener.h"

#include <stdexcept>

#include "api/api_routes.h"
#include "api/listener_options.h"

namespace medtrail::bench::lookup {

PublicListener::PublicListener(node::api::testing::ApiStack& stack,
                               const node::ListenerConfig& listener)
    : config_(stack.config()), ctx_(stack.context()) {
  config_.public_api = listener;
  config_.public_api.listen = "127.0.0.1:0";
  config_.api.listen = "127.0.0.1:0";
  ctx_.config = &config_;
  members_ = std::make_unique<node::http::Server>(
      stack.io(), node::api::listener_options(config_.api, config_.limits));
  public_ = std::make_unique<node::http::Server>(
      stack.io(), node::api::listener_options(config_.public_api, config_.limits));
  node::api::register_api_routes(*members_, ctx_, metrics_, public_.get());
  for (node::http::Server* server : {members_.get(), public_.get()}) {
    if (ledger::Status s = server->start(); !s.ok()) throw std::runtime_error(s.to_string());
  }
}

PublicListener::~PublicListener() { stop(); }

void PublicListener::stop() {
  public_->stop();
  members_->stop();
}

node::ListenerConfig without_defences(node::ListenerConfig listener) {
  listener.max_connections_per_address = 0;
  listener.requests_per_second_per_address = 0;
  listener.request_burst_per_address = 0;
  // The maxima node_config.cpp accepts.
  listener.head_timeout_ms = 600000;
  listener.idle_timeout_ms = 3600000;
  listener.request_timeout_ms = 600000;
  return listener;
}

}  // namespace medtrail::bench::lookup
