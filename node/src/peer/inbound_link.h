#pragma once
// A link a peer dialed to send to us (private: includes Asio). It runs the server side of the
// TLS handshake, reads the hello, checks the dialer's key against the pin of the node it
// names, then delivers frames in order. It never sends a frame.

#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>

#include "peer/frame_codec.h"
#include "peer/link_events.h"

namespace medtrail::node::peer {

class InboundLink : public std::enable_shared_from_this<InboundLink> {
 public:
  // `socket` must be bound to a strand of its own: every handler runs on its executor.
  InboundLink(boost::asio::ip::tcp::socket socket, std::shared_ptr<boost::asio::ssl::context> tls,
              LinkLimits limits, std::weak_ptr<LinkEvents> events);

  void start();
  // Any thread, idempotent.
  void close();

 private:
  // kBadHello counts twice: a malformed frame, and a dialer that failed to authenticate.
  enum class Failure { kAuth, kMalformed, kBadHello, kQuiet };

  void on_handshake(boost::system::error_code ec);
  void read_header();
  void on_header(boost::system::error_code ec);
  void on_body(boost::system::error_code ec);
  void on_hello();
  void fail(Failure why);
  template <typename F>
  void with_events(F&& f);

  const std::shared_ptr<boost::asio::ssl::context> tls_;
  const LinkLimits limits_;
  const std::weak_ptr<LinkEvents> events_;

  // Touched only on the socket's strand.
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
  boost::asio::steady_timer deadline_;  // until the hello is accepted
  std::string node_id_;                 // empty until authenticated
  FrameHeader header_{};
  std::string body_;
  bool done_ = false;

  std::atomic<bool> closed_{false};
};

}  // namespace medtrail::node::peer
