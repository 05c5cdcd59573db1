// Who may connect: pins, hello identities, and what happens to clients that do not speak
// the protocol.

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>

#include "node/peer/peer_test_util.h"
#include "peer/frame_codec.h"
#include "peer/peer_network.h"
#include "peer/peer_tls.h"
#include "support/poll.h"

namespace medtrail::node::peer {
namespace {

using namespace std::chrono_literals;
using namespace testing;  // NOLINT: test helpers
using medtrail::testing::wait_until;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// A hand-driven client on its own io_context; every wait is bounded by run_for.
class RawClient {
 public:
  explicit RawClient(uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  tcp::socket& socket() { return socket_; }
  asio::io_context& io() { return io_; }

  // True iff the other side closes the connection within `timeout` (data is read and ignored).
  template <typename Stream>
  bool closed_by_peer(Stream& stream, std::chrono::milliseconds timeout) {
    bool closed = false;
    std::function<void()> read_more = [&] {
      stream.async_read_some(asio::buffer(buffer_), [&](boost::system::error_code ec, size_t) {
        if (ec) {
          closed = true;
        } else {
          read_more();
        }
      });
    };
    read_more();
    io_.restart();
    io_.run_for(timeout);
    return closed;
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  std::array<char, 256> buffer_{};
};

std::string framed(const std::string& payload) {
  FrameHeader h = encode_frame_header(static_cast<uint32_t>(payload.size()));
  return std::string(h.begin(), h.end()) + payload;
}

struct Pair {
  Pair(IoThreads& io, const Member& a_member, std::vector<PeerEndpoint> a_peers)
      : a(io.io(), options_for(a_member, std::move(a_peers)), sink.handler()) {
    EXPECT_TRUE(a.start().ok());
  }
  FrameSink sink;
  PeerNetwork a;
};

TEST(PeerAuth, PeerWhoseKeyIsNotThePinnedOneIsRefused) {
  IoThreads io;
  Member a = make_member("a");
  Member b = make_member("b");
  Member pinned_for_b = make_member("b");  // membership names a different key for "b"
  Pair pa(io, a, {});
  a.port = pa.a.port();

  PeerNetwork net_b(io.io(), options_for(b, {a.endpoint()}), nullptr);
  ASSERT_TRUE(net_b.start().ok());
  b.port = net_b.port();
  pinned_for_b.port = b.port;
  pa.a.set_peers({pinned_for_b.endpoint()});

  for (int i = 0; i < 5; ++i) net_b.send("a", "let me in");
  // a refuses b's dial (hello names b, key is not b's pin), and refuses to send to b (the
  // acceptor at b's address shows the wrong key).
  ASSERT_TRUE(wait_until([&] { return pa.a.stats().auth_failures >= 2; }, 10s));
  EXPECT_FALSE(inbound_up(pa.a, "b"));
  EXPECT_FALSE(outbound_up(pa.a, "b"));
  // (b's own outbound may look up for a moment: the acceptor sends no verdict, it just closes.)
  EXPECT_EQ(pa.sink.size(), 0u);
}

TEST(PeerAuth, DialerClaimingAnotherNodesIdIsRefused) {
  IoThreads io;
  Member a = make_member("a");
  Member b = make_member("b");
  Member c = make_member("c");
  Pair pa(io, a, {});
  a.port = pa.a.port();
  c.port = unused_port();
  b.port = unused_port();
  pa.a.set_peers({b.endpoint(), c.endpoint()});

  // c's valid certificate, but a hello that says "b".
  Member impostor{"b", c.tls, 0};
  PeerNetwork net_impostor(io.io(), options_for(impostor, {a.endpoint()}), nullptr);
  ASSERT_TRUE(net_impostor.start().ok());
  for (int i = 0; i < 5; ++i) net_impostor.send("a", "i am b");
  ASSERT_TRUE(wait_until([&] { return pa.a.stats().auth_failures >= 2; }, 10s));
  EXPECT_FALSE(inbound_up(pa.a, "b"));
  EXPECT_FALSE(inbound_up(pa.a, "c"));
  EXPECT_EQ(pa.sink.size(), 0u);
}

TEST(PeerAuth, UnknownNodeIsRefused) {
  IoThreads io;
  Member a = make_member("a");
  Member stranger = make_member("stranger");
  Pair pa(io, a, {});
  a.port = pa.a.port();
  PeerNetwork net(io.io(), options_for(stranger, {a.endpoint()}), nullptr);
  ASSERT_TRUE(net.start().ok());
  net.send("a", "hi");
  ASSERT_TRUE(wait_until([&] { return pa.a.stats().auth_failures >= 1; }, 10s));
  EXPECT_EQ(pa.sink.size(), 0u);
  EXPECT_TRUE(pa.a.peer_states().empty());
}

TEST(PeerAuth, PlainTcpClientIsRefusedAndTheNodeKeepsServing) {
  IoThreads io;
  Member a = make_member("a");
  Member b = make_member("b");
  PeerNetwork net_b(io.io(), options_for(b, {}), nullptr);
  ASSERT_TRUE(net_b.start().ok());
  b.port = net_b.port();
  Pair pa(io, a, {b.endpoint()});
  a.port = pa.a.port();

  RawClient plain(a.port);
  asio::write(plain.socket(), asio::buffer(std::string("GET / HTTP/1.1\r\nHost: a\r\n\r\n")));
  EXPECT_TRUE(plain.closed_by_peer(plain.socket(), std::chrono::seconds(5)));
  ASSERT_TRUE(wait_until([&] { return pa.a.stats().auth_failures >= 1; }, 10s));

  net_b.set_peers({a.endpoint()});
  ASSERT_TRUE(net_b.send("a", "still serving"));
  ASSERT_TRUE(wait_until([&] { return pa.sink.size() == 1; }, 10s));
  EXPECT_EQ(pa.sink.from("b"), std::vector<std::string>{"still serving"});
}

TEST(PeerAuth, SilentClientIsDroppedAtTheHandshakeTimeout) {
  IoThreads io;
  Member a = make_member("a");
  PeerNetworkOptions o = options_for(a, {});
  o.handshake_timeout = std::chrono::milliseconds(100);
  PeerNetwork net(io.io(), o, nullptr);
  ASSERT_TRUE(net.start().ok());
  RawClient silent(net.port());
  EXPECT_TRUE(silent.closed_by_peer(silent.socket(), std::chrono::seconds(5)));
  EXPECT_TRUE(wait_until([&] { return net.stats().auth_failures == 1; }, 10s));
}

// A TLS client with b's identity that completes the handshake and speaks raw frames.
class RawPeer {
 public:
  RawPeer(const Member& self, uint16_t port)
      : client_(port),
        tls_(*make_peer_tls_context(self.tls.certificate_pem, self.tls.private_key_pem)),
        stream_(client_.socket(), *tls_) {
    stream_.handshake(asio::ssl::stream_base::client);
  }
  void write(const std::string& bytes) { asio::write(stream_, asio::buffer(bytes)); }
  bool closed_by_peer() { return client_.closed_by_peer(stream_, std::chrono::seconds(5)); }

 private:
  RawClient client_;
  std::shared_ptr<asio::ssl::context> tls_;
  asio::ssl::stream<tcp::socket&> stream_;
};

TEST(PeerAuth, OversizedLengthPrefixClosesTheLinkAndCountsMalformed) {
  IoThreads io;
  Member a = make_member("a");
  Member b = make_member("b");
  b.port = unused_port();
  Pair pa(io, a, {b.endpoint()});
  a.port = pa.a.port();

  RawPeer peer(b, a.port);
  peer.write(framed(*encode_hello("b")));
  peer.write(framed("fine"));
  ASSERT_TRUE(wait_until([&] { return pa.sink.size() == 1; }, 10s));
  EXPECT_TRUE(inbound_up(pa.a, "b"));
  FrameHeader too_big = encode_frame_header((1 << 20) + 1);
  peer.write(std::string(too_big.begin(), too_big.end()) + "xxxx");
  EXPECT_TRUE(peer.closed_by_peer());
  EXPECT_TRUE(wait_until([&] { return pa.a.stats().malformed_frames == 1; }, 10s));
  EXPECT_TRUE(wait_until([&] { return !inbound_up(pa.a, "b"); }, 10s));
  EXPECT_EQ(pa.sink.size(), 1u);
}

TEST(PeerAuth, ZeroLengthFrameClosesTheLink) {
  IoThreads io;
  Member a = make_member("a");
  Member b = make_member("b");
  b.port = unused_port();
  Pair pa(io, a, {b.endpoint()});
  RawPeer peer(b, pa.a.port());
  peer.write(framed(*encode_hello("b")));
  peer.write(std::string(4, '\0'));
  EXPECT_TRUE(peer.closed_by_peer());
  EXPECT_TRUE(wait_until([&] { return pa.a.stats().malformed_frames == 1; }, 10s));
}

TEST(PeerAuth, FirstFrameThatIsNotAHelloIsRefused) {
  IoThreads io;
  Member a = make_member("a");
  Member b = make_member("b");
  b.port = unused_port();
  Pair pa(io, a, {b.endpoint()});
  RawPeer peer(b, pa.a.port());
  peer.write(framed("raft message without a hello"));
  EXPECT_TRUE(peer.closed_by_peer());
  EXPECT_TRUE(wait_until([&] { return pa.a.stats().auth_failures == 1; }, 10s));
  EXPECT_EQ(pa.sink.size(), 0u);
}

}  // namespace
}  // namespace medtrail::node::peer
