#pragma once
// Opening a TCP listener, shared by the HTTP server and the peer links (header-only: both
// already build Asio, and a library for one function would only add a link step).
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/socket_base.hpp>
#include <string>

#include "medtrail/ledger/status.h"

namespace medtrail::node::net {

// Opens `acceptor` on `endpoint` and listens. reuse_address: a restarted node must get its port
// back while old connections sit in TIME_WAIT. On failure the acceptor is closed and the error
// is `bind_failed` naming the step and `where` (host:port as configured).
inline ledger::Status open_listener(boost::asio::ip::tcp::acceptor& acceptor,
                                    const boost::asio::ip::tcp::endpoint& endpoint,
                                    const std::string& where) {
  boost::system::error_code ec;
  auto fail = [&](const char* step) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    return ledger::Status::error("bind_failed",
                                 std::string(step) + " " + where + ": " + ec.message());
  };
  acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  acceptor.set_option(boost::asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (ec) return fail("reuse_address");
  acceptor.bind(endpoint, ec);
  if (ec) return fail("bind");
  acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  return ledger::Status();
}

}  // namespace medtrail::node::net
