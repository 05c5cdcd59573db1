#pragma once
// The link this node sends to one peer on (private: includes Asio). It dials, authenticates
// the acceptor by its pin, says hello, then drains a bounded queue; when the link drops it
// redials with backoff. Frames queue while disconnected, so a short outage loses nothing.
//
// Queue policy: when the queue is full the NEWEST frame is refused (send() returns false)
// rather than the oldest evicted. The caller learns of the loss synchronously, and for Raft a
// frame that was refused is equivalent to one lost on the wire: the leader re-sends from
// nextIndex on the next heartbeat (Raft §5.3), so nothing needs to be evicted silently.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "peer/backoff.h"
#include "peer/frame_codec.h"
#include "peer/link_events.h"
#include "peer/peer_network.h"

namespace medtrail::node::peer {

class OutboundLink : public std::enable_shared_from_this<OutboundLink> {
 public:
  OutboundLink(boost::asio::io_context& io, std::shared_ptr<boost::asio::ssl::context> tls,
               std::string self_id, PeerEndpoint peer, LinkLimits limits,
               std::weak_ptr<LinkEvents> events);

  const PeerEndpoint& endpoint() const { return peer_; }
  // Starts dialing. Any thread; at most once.
  void start();
  // Closes for good. Any thread, idempotent; pending completions finish without re-arming.
  void close();
  // Queues a frame (1..max_frame_bytes, checked by the caller). False if closed or full.
  bool enqueue(std::string frame);

  struct Counters {
    // Authenticated the acceptor and sent the hello. The acceptor sends no verdict on the
    // hello, so a refused dialer looks connected until it sees the close.
    bool connected = false;
    uint64_t frames_sent = 0;
    uint64_t frames_dropped = 0;
    uint32_t queued_frames = 0;
  };
  Counters counters() const;

 private:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  using Stream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;
  // One TCP+TLS connection attempt. Completions hold it, so the stream outlives every
  // operation started on it even after the link has moved on to a new attempt.
  struct Connection {
    Connection(const Strand& strand, boost::asio::ssl::context& tls) : stream(strand, tls) {}
    Stream stream;
    bool ready = false;    // authenticated and hello sent
    bool writing = false;  // an async_write is in flight
    FrameHeader header{};
    std::string in_flight;
    std::array<char, 1> probe{};
  };
  using ConnectionPtr = std::shared_ptr<Connection>;

  void dial();
  void on_resolved(const ConnectionPtr& c, boost::system::error_code ec,
                   const boost::asio::ip::tcp::resolver::results_type& results);
  void on_connected(const ConnectionPtr& c, boost::system::error_code ec);
  void on_handshake(const ConnectionPtr& c, boost::system::error_code ec);
  void on_hello_sent(const ConnectionPtr& c, boost::system::error_code ec);
  void watch_for_close(const ConnectionPtr& c);
  void write_next();
  void fail(const ConnectionPtr& c);
  void close_on_strand();
  template <typename F>
  void with_events(F&& f);

  const std::shared_ptr<boost::asio::ssl::context> tls_;
  const PeerEndpoint peer_;
  const LinkLimits limits_;
  const std::weak_ptr<LinkEvents> events_;
  std::string hello_;
  std::string host_;
  std::string port_;

  // Everything below up to mutex_ is touched only on strand_.
  Strand strand_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer deadline_;  // handshake timeout of the current attempt
  boost::asio::steady_timer redial_;
  Backoff backoff_;
  ConnectionPtr current_;  // null between attempts

  std::atomic<bool> closed_{false};
  std::atomic<bool> connected_{false};

  mutable std::mutex mutex_;
  std::deque<std::string> queue_;
  uint64_t queued_bytes_ = 0;
  bool kick_posted_ = false;  // a write_next is queued on the strand
  uint64_t frames_sent_ = 0;
  uint64_t frames_dropped_ = 0;
};

}  // namespace medtrail::node::peer
