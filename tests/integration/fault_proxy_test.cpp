// The chaos tests' fault-injecting proxy against an echo server: it forwards, delays, holds
// bytes through a stall and delivers them in order after, cuts and refuses, and passes again.
#include "integration/fault_proxy.h"

#include <gtest/gtest.h>

#include <utility>  // before Asio: its awaitable.hpp uses std::exchange

#include <boost/asio.hpp>
#include <thread>

#include "support/poll.h"

namespace medtrail::integration {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// Echoes every connection's bytes back until it closes.
class EchoServer {
 public:
  EchoServer() : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~EchoServer() {
    io_.stop();
    thread_.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;
      auto s = std::make_shared<tcp::socket>(std::move(socket));
      echo(s, std::make_shared<std::array<char, 4096>>());
      accept();
    });
  }
  void echo(std::shared_ptr<tcp::socket> s, std::shared_ptr<std::array<char, 4096>> buf) {
    s->async_read_some(asio::buffer(*buf), [this, s, buf](boost::system::error_code ec, size_t n) {
      if (ec) return;
      asio::async_write(*s, asio::buffer(buf->data(), n), [this, s, buf](boost::system::error_code e, size_t) {
        if (!e) echo(s, buf);
      });
    });
  }
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

// A blocking client with a receive timeout.
class Client {
 public:
  explicit Client(uint16_t port) : socket_(io_) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
    timeval tv{0, 200'000};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  void send(const std::string& text) { asio::write(socket_, asio::buffer(text)); }
  // What arrives within `wait` (at most `size` bytes); "" on timeout, "<closed>" on close.
  std::string receive(size_t size, std::chrono::milliseconds wait) {
    std::string got;
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (got.size() < size && std::chrono::steady_clock::now() < deadline) {
      char buf[4096];
      const ssize_t n = ::recv(socket_.native_handle(), buf, std::min(sizeof buf, size - got.size()), 0);
      if (n == 0) return got + "<closed>";
      if (n > 0) got.append(buf, static_cast<size_t>(n));
    }
    return got;
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
};

TEST(FaultProxy, ForwardsBothWays) {
  EchoServer echo;
  FaultProxy proxy(echo.port(), 1);
  Client c(proxy.port());
  c.send("hello");
  EXPECT_EQ(c.receive(5, 5s), "hello");
  // Counted once each write completes, which may be just after the client has the bytes.
  EXPECT_TRUE(testing::wait_until([&] { return proxy.stats().connections == 1 && proxy.stats().bytes == 10; }, 5s))
      << proxy.stats().connections << " connections, " << proxy.stats().bytes << " bytes";
}

TEST(FaultProxy, DelayHoldsEachChunkAtLeastTheDelayEachWay) {
  EchoServer echo;
  FaultProxy proxy(echo.port(), 2);
  proxy.set_delay(150ms, 50ms);
  Client c(proxy.port());
  const auto start = std::chrono::steady_clock::now();
  c.send("abc");
  EXPECT_EQ(c.receive(3, 5s), "abc");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);  // out and back
}

TEST(FaultProxy, AStallHoldsBytesAndDeliversThemInOrderOnHeal) {
  EchoServer echo;
  FaultProxy proxy(echo.port(), 3);
  Client c(proxy.port());
  c.send("0");
  ASSERT_EQ(c.receive(1, 5s), "0");
  proxy.set_mode(FaultProxy::Mode::kStall);
  c.send("1");
  c.send("2");
  c.send("3");
  EXPECT_EQ(c.receive(3, 300ms), "");
  proxy.set_mode(FaultProxy::Mode::kPass);
  EXPECT_EQ(c.receive(3, 5s), "123");
}

TEST(FaultProxy, ACutClosesConnectionsAndRefusesNewOnesUntilHealed) {
  EchoServer echo;
  FaultProxy proxy(echo.port(), 4);
  Client before(proxy.port());
  before.send("x");
  ASSERT_EQ(before.receive(1, 5s), "x");
  proxy.set_mode(FaultProxy::Mode::kCut);
  EXPECT_EQ(before.receive(1, 5s), "<closed>");
  Client during(proxy.port());
  during.send("y");
  EXPECT_EQ(during.receive(1, 5s), "<closed>");
  EXPECT_GE(proxy.stats().refused, 1u);
  proxy.set_mode(FaultProxy::Mode::kPass);
  Client after(proxy.port());
  after.send("z");
  EXPECT_EQ(after.receive(1, 5s), "z");
}

TEST(FaultProxy, AResetClosesTheCurrentConnectionsOnly) {
  EchoServer echo;
  FaultProxy proxy(echo.port(), 5);
  Client before(proxy.port());
  before.send("x");
  ASSERT_EQ(before.receive(1, 5s), "x");
  proxy.reset_connections();
  EXPECT_EQ(before.receive(1, 5s), "<closed>");
  Client after(proxy.port());
  after.send("z");
  EXPECT_EQ(after.receive(1, 5s), "z");
}

}  // namespace
}  // namespace medtrail::integration
