#include "peer/peer_network.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "node/peer/peer_test_util.h"
#include "support/poll.h"

namespace medtrail::node::peer {
namespace {

using namespace std::chrono_literals;
using namespace testing;  // NOLINT: test helpers
using medtrail::testing::wait_until;

// N nodes on 127.0.0.1, each started on port 0 and then told about the others.
class Cluster {
 public:
  Cluster(IoThreads& io, const std::vector<std::string>& ids,
          const std::function<void(PeerNetworkOptions&)>& tweak = {})
      : io_(io) {
    for (const auto& id : ids) members_.push_back(make_member(id));
    for (auto& m : members_) {
      PeerNetworkOptions o = options_for(m, {});
      if (tweak) tweak(o);
      sinks_[m.id] = std::make_unique<FrameSink>();
      nets_[m.id] = std::make_unique<PeerNetwork>(io_.io(), o, sinks_[m.id]->handler());
      EXPECT_TRUE(nets_[m.id]->start().ok());
      m.port = nets_[m.id]->port();
    }
    for (auto& m : members_) nets_[m.id]->set_peers(endpoints());
  }

  std::vector<PeerEndpoint> endpoints() const {
    std::vector<PeerEndpoint> out;
    for (const auto& m : members_) out.push_back(m.endpoint());
    return out;
  }
  PeerNetwork& net(const std::string& id) { return *nets_.at(id); }
  FrameSink& sink(const std::string& id) { return *sinks_.at(id); }
  Member& member(const std::string& id) {
    for (auto& m : members_) {
      if (m.id == id) return m;
    }
    throw std::out_of_range(id);
  }
  void replace(const std::string& id, std::unique_ptr<PeerNetwork> net) {
    nets_[id] = std::move(net);
  }
  bool fully_connected() {
    for (auto& a : members_) {
      for (auto& b : members_) {
        if (a.id != b.id && (!outbound_up(net(a.id), b.id) || !inbound_up(net(a.id), b.id))) {
          return false;
        }
      }
    }
    return true;
  }

 private:
  IoThreads& io_;
  std::vector<Member> members_;
  std::map<std::string, std::unique_ptr<FrameSink>> sinks_;
  std::map<std::string, std::unique_ptr<PeerNetwork>> nets_;
};

std::vector<std::string> numbered(const std::string& prefix, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(prefix + std::to_string(i));
  return out;
}

TEST(PeerNetwork, TwoNodesExchangeFramesBothWaysInOrder) {
  IoThreads io;
  Cluster c(io, {"a", "b"});
  ASSERT_TRUE(wait_until([&] { return c.fully_connected(); }, 10s));
  for (const auto& f : numbered("a->b ", 100)) EXPECT_TRUE(c.net("a").send("b", f));
  for (const auto& f : numbered("b->a ", 100)) EXPECT_TRUE(c.net("b").send("a", f));
  ASSERT_TRUE(wait_until([&] {
    return c.sink("a").size() == 100 && c.sink("b").size() == 100;
  }, 10s));
  EXPECT_EQ(c.sink("b").from("a"), numbered("a->b ", 100));
  EXPECT_EQ(c.sink("a").from("b"), numbered("b->a ", 100));
  auto state = state_of(c.net("a"), "b");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->frames_sent, 100u);
  EXPECT_EQ(state->frames_received, 100u);
  EXPECT_EQ(state->frames_dropped, 0u);
  EXPECT_EQ(c.net("a").stats().auth_failures, 0u);
}

TEST(PeerNetwork, FramesQueuedBeforeTheLinkIsUpAreDelivered) {
  IoThreads io;
  Cluster c(io, {"a", "b"});
  // No waiting for the handshake: the queue carries these across it.
  for (const auto& f : numbered("early ", 20)) EXPECT_TRUE(c.net("a").send("b", f));
  ASSERT_TRUE(wait_until([&] { return c.sink("b").size() == 20; }, 10s));
  EXPECT_EQ(c.sink("b").from("a"), numbered("early ", 20));
}

TEST(PeerNetwork, ThreeNodesExchangeFramesInOrder) {
  IoThreads io;
  std::vector<std::string> ids = {"n0", "n1", "n2"};
  Cluster c(io, ids);
  ASSERT_TRUE(wait_until([&] { return c.fully_connected(); }, 10s));
  for (const auto& from : ids) {
    for (const auto& to : ids) {
      if (from == to) continue;
      for (const auto& f : numbered(from + "->" + to + " ", 50))
        EXPECT_TRUE(c.net(from).send(to, f));
    }
  }
  ASSERT_TRUE(wait_until([&] {
    return c.sink("n0").size() == 100 && c.sink("n1").size() == 100 && c.sink("n2").size() == 100;
  }, 10s));
  for (const auto& from : ids) {
    for (const auto& to : ids) {
      if (from == to) continue;
      EXPECT_EQ(c.sink(to).from(from), numbered(from + "->" + to + " ", 50));
    }
  }
}

TEST(PeerNetwork, FrameOfMaximumSizeArrivesIntact) {
  IoThreads io;
  Cluster c(io, {"a", "b"}, [](PeerNetworkOptions& o) { o.max_frame_bytes = 4 << 20; });
  std::string big(4 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 2654435761u >> 13);
  EXPECT_TRUE(c.net("a").send("b", big));
  EXPECT_TRUE(c.net("a").send("b", "after"));
  EXPECT_FALSE(c.net("a").send("b", big + "x"));  // one byte over
  ASSERT_TRUE(wait_until([&] { return c.sink("b").size() == 2; }, 10s));
  auto got = c.sink("b").from("a");
  EXPECT_TRUE(got[0] == big);
  EXPECT_EQ(got[1], "after");
  EXPECT_EQ(c.net("b").stats().malformed_frames, 0u);
}

TEST(PeerNetwork, SendToUnknownPeerOrOfBadSizeReturnsFalse) {
  IoThreads io;
  Cluster c(io, {"a", "b"});
  EXPECT_FALSE(c.net("a").send("nobody", "x"));
  EXPECT_FALSE(c.net("a").send("a", "to self"));
  EXPECT_FALSE(c.net("a").send("b", ""));
  EXPECT_FALSE(c.net("a").send("b", std::string((1 << 20) + 1, 'x')));
}

TEST(PeerNetwork, QueueBoundRefusesTheExcessWhilePeerIsDown) {
  IoThreads io;
  Member a = make_member("a");
  Member b = make_member("b");
  b.port = unused_port();
  PeerNetworkOptions o = options_for(a, {b.endpoint()});
  o.max_queue_frames = 4;
  PeerNetwork net(io.io(), o, nullptr);
  ASSERT_TRUE(net.start().ok());
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(net.send("b", "frame " + std::to_string(i)));
  EXPECT_FALSE(net.send("b", "one too many"));
  EXPECT_FALSE(net.send("b", "and another"));
  auto s = state_of(net, "b");
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->outbound_connected);
  EXPECT_EQ(s->queued_frames, 4u);
  EXPECT_EQ(s->frames_dropped, 2u);
}

TEST(PeerNetwork, QueueBoundCountsBytesToo) {
  IoThreads io;
  Member a = make_member("a");
  Member b = make_member("b");
  b.port = unused_port();
  PeerNetworkOptions o = options_for(a, {b.endpoint()});
  o.max_queue_bytes = 100;
  PeerNetwork net(io.io(), o, nullptr);
  ASSERT_TRUE(net.start().ok());
  EXPECT_TRUE(net.send("b", std::string(60, 'x')));
  EXPECT_FALSE(net.send("b", std::string(41, 'x')));
  EXPECT_TRUE(net.send("b", std::string(40, 'x')));
}

TEST(PeerNetwork, RestartedPeerIsReconnectedAndFramesFlowAgain) {
  IoThreads io;
  Cluster c(io, {"a", "b"});
  ASSERT_TRUE(wait_until([&] { return c.fully_connected(); }, 10s));
  ASSERT_TRUE(c.net("a").send("b", "before"));
  ASSERT_TRUE(wait_until([&] { return c.sink("b").size() == 1; }, 10s));

  Member& b = c.member("b");
  c.net("b").stop();
  c.replace("b", nullptr);
  ASSERT_TRUE(wait_until([&] { return !outbound_up(c.net("a"), "b"); }, 10s));

  FrameSink sink;
  auto restarted =
      std::make_unique<PeerNetwork>(io.io(), options_for(b, c.endpoints(), b.port), sink.handler());
  ASSERT_TRUE(restarted->start().ok());
  ASSERT_EQ(restarted->port(), b.port);
  PeerNetwork& b2 = *restarted;
  c.replace("b", std::move(restarted));

  ASSERT_TRUE(wait_until([&] { return outbound_up(c.net("a"), "b") && inbound_up(b2, "a"); }, 10s));
  ASSERT_TRUE(c.net("a").send("b", "after"));
  ASSERT_TRUE(b2.send("a", "hello again"));
  ASSERT_TRUE(wait_until([&] { return sink.size() >= 1 && c.sink("a").size() == 1; }, 10s));
  EXPECT_EQ(sink.from("a").back(), "after");
  EXPECT_EQ(c.sink("a").from("b"), std::vector<std::string>{"hello again"});
}

TEST(PeerNetwork, SetPeersRemovingAPeerClosesItsLinks) {
  IoThreads io;
  Cluster c(io, {"a", "b"});
  ASSERT_TRUE(wait_until([&] { return c.fully_connected(); }, 10s));

  c.net("a").set_peers({c.member("a").endpoint()});  // only itself: b is removed
  EXPECT_FALSE(state_of(c.net("a"), "b"));
  EXPECT_FALSE(c.net("a").send("b", "gone"));
  // a's outbound link to b is closed, and b's link into a is refused from now on.
  ASSERT_TRUE(wait_until([&] { return !inbound_up(c.net("b"), "a"); }, 10s));
  ASSERT_TRUE(wait_until([&] { return c.net("a").stats().auth_failures > 0; }, 10s));
  c.net("b").send("a", "ignored");
  EXPECT_EQ(c.sink("a").size(), 0u);

  // Adding it back restores both directions.
  c.net("a").set_peers(c.endpoints());
  ASSERT_TRUE(wait_until([&] { return c.fully_connected(); }, 10s));
  ASSERT_TRUE(c.net("a").send("b", "back"));
  ASSERT_TRUE(wait_until([&] { return c.sink("b").size() == 1; }, 10s));
}

TEST(PeerNetwork, StopWithOpenLinksLetsIoThreadsExit) {
  auto io = std::make_unique<IoThreads>();
  {
    Cluster c(*io, {"a", "b", "c"});
    ASSERT_TRUE(wait_until([&] { return c.fully_connected(); }, 10s));
    for (int i = 0; i < 50; ++i) c.net("a").send("b", "in flight " + std::to_string(i));
    c.net("a").stop();
    c.net("a").stop();  // idempotent
    c.net("b").stop();
    c.net("c").stop();
    io->release();
    EXPECT_TRUE(wait_until([&] { return io->exited() == 2; }, 10s));
    EXPECT_FALSE(c.net("a").send("b", "after stop"));
  }
  io.reset();
}

TEST(PeerNetwork, StopFromAnotherThreadWhileTrafficFlows) {
  IoThreads io;
  Cluster c(io, {"a", "b"});
  ASSERT_TRUE(wait_until([&] { return c.fully_connected(); }, 10s));
  std::atomic<bool> done{false};
  std::thread sender([&] {
    for (int i = 0; !done.load(); ++i) c.net("a").send("b", std::to_string(i));
  });
  std::thread stopper([&] { c.net("a").stop(); });
  stopper.join();
  done.store(true);
  sender.join();
  c.net("b").stop();
  io.release();
  EXPECT_TRUE(wait_until([&] { return io.exited() == 2; }, 10s));
}

TEST(PeerNetwork, StartErrors) {
  IoThreads io;
  Member a = make_member("a");
  PeerNetworkOptions bad_key = options_for(a, {});
  bad_key.tls_key_pem = make_member("x").tls.private_key_pem;
  EXPECT_EQ(PeerNetwork(io.io(), bad_key, nullptr).start().code(), "bad_tls_identity");
  PeerNetworkOptions garbage = options_for(a, {});
  garbage.tls_cert_pem = "not a certificate";
  EXPECT_EQ(PeerNetwork(io.io(), garbage, nullptr).start().code(), "bad_tls_identity");

  PeerNetwork first(io.io(), options_for(a, {}), nullptr);
  ASSERT_TRUE(first.start().ok());
  PeerNetwork second(io.io(), options_for(a, {}, first.port()), nullptr);
  EXPECT_EQ(second.start().code(), "bind_failed");
}

}  // namespace
}  // namespace medtrail::node::peer
