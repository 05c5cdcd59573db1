// Server is a thin handle on ServerCore, which connections share (see http_server_core.h).
#include "http/http_server.h"

#include "http/http_server_core.h"

namespace medtrail::node::http {

struct Server::Impl : ServerCore {
  using ServerCore::ServerCore;
};

Server::Server(boost::asio::io_context& io, ServerOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(options))) {}

Server::~Server() { impl_->stop(); }

void Server::route(std::string method, std::string pattern, Handler handler) {
  impl_->add_route(std::move(method), std::move(pattern), std::move(handler));
}

void Server::routes_from(const Server& other,
                         const std::function<bool(std::string_view, std::string_view)>& keep) {
  impl_->add_routes_from(*other.impl_, keep);
}

void Server::set_observer(ResponseObserver observer) { impl_->set_observer(std::move(observer)); }

Status Server::start() { return impl_->start(); }

uint16_t Server::port() const { return impl_->port(); }

void Server::stop() { impl_->stop(); }

Server::Stats Server::stats() const { return impl_->stats(); }

}  // namespace medtrail::node::http
