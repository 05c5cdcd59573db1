#pragma once
// Creates the per-connection state machine (defined in http_connection.cpp) for a plain or a
// TLS socket.

#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "http/http_server_core.h"

namespace medtrail::node::http {

// `tls` null: plain HTTP. The socket's executor must be a strand: the connection relies on it
// to serialise its handlers when the io_context runs on several threads.
std::shared_ptr<ConnectionBase> make_connection(std::shared_ptr<ServerCore> server,
                                                boost::asio::ip::tcp::socket socket,
                                                boost::asio::ssl::context* tls,
                                                std::string remote_address);

}  // namespace medtrail::node::http
