#include "http/connection_table.h"

#include <gtest/gtest.h>

#include "http/http_server_core.h"

namespace medtrail::node::http {
namespace {

using namespace std::chrono_literals;

constexpr auto Head = ConnectionTable::Phase::kHead;
constexpr auto Busy = ConnectionTable::Phase::kBusy;
constexpr auto Between = ConnectionTable::Phase::kBetween;

struct Fake : ConnectionBase {
  void start() override {}
  void close_async() override {}
};

// The table's clock is an argument: these tests move it by hand.
const ConnectionTable::Clock::time_point t0{};

std::shared_ptr<ConnectionBase> admit(ConnectionTable& table, const std::string& address,
                                      std::shared_ptr<ConnectionBase>* evicted = nullptr,
                                      bool exempt = false,
                                      ConnectionTable::Clock::time_point now = t0) {
  std::shared_ptr<ConnectionBase> evict;
  if (table.admit(address, exempt, now, evict) != ConnectionTable::Verdict::kAdmit) return nullptr;
  if (evicted != nullptr) *evicted = evict;
  auto c = std::make_shared<Fake>();
  table.add(c, address, exempt, now);
  return c;
}

TEST(ConnectionTable, AnAddressGetsItsShareAndNoMore) {
  ConnectionTable table(100, 2);
  auto a1 = admit(table, "a");
  auto a2 = admit(table, "a");
  ASSERT_TRUE(a1 && a2);
  std::shared_ptr<ConnectionBase> evict;
  EXPECT_EQ(table.admit("a", false, t0, evict), ConnectionTable::Verdict::kAddressFull);
  EXPECT_TRUE(admit(table, "b"));
  EXPECT_TRUE(admit(table, "a", nullptr, true));  // exempt: a trusted proxy
  table.remove(a1.get());
  EXPECT_TRUE(admit(table, "a"));
  EXPECT_EQ(table.size(), 4u);
}

TEST(ConnectionTable, NearTheCapTheLongestIdleGoesFirst) {
  ConnectionTable table(8, 0);  // evicts from 7 on (the last eighth)
  std::vector<std::shared_ptr<ConnectionBase>> open;
  for (int i = 0; i < 7; ++i) open.push_back(admit(table, "x"));
  for (int i = 0; i < 7; ++i) table.set_phase(open[i].get(), Busy, t0);
  table.set_phase(open[3].get(), Between, t0);  // idle since now
  table.set_phase(open[5].get(), Between, t0 + 1ms);
  table.set_phase(open[3].get(), Between, t0 + 2ms);  // no effect: keeps its place
  std::shared_ptr<ConnectionBase> evicted;
  auto first = admit(table, "y", &evicted, false, t0 + 3ms);
  ASSERT_TRUE(first);
  EXPECT_EQ(evicted, open[3]);
  table.set_phase(first.get(), Busy, t0 + 3ms);  // it speaks (else, silent, it would go next)
  ASSERT_TRUE(admit(table, "y", &evicted, false, t0 + 3ms));
  EXPECT_EQ(evicted, open[5]);
  // Counted until they close: 9 in the table, 7 of them live.
  EXPECT_EQ(table.size(), 9u);
}

TEST(ConnectionTable, AtTheCapWithNothingIdleNewConnectionsAreRefused) {
  ConnectionTable table(4, 0);
  std::vector<std::shared_ptr<ConnectionBase>> open;
  for (int i = 0; i < 4; ++i) {
    open.push_back(admit(table, "x"));
    table.set_phase(open.back().get(), Busy, t0);
  }
  std::shared_ptr<ConnectionBase> evict;
  EXPECT_EQ(table.admit("y", false, t0, evict), ConnectionTable::Verdict::kServerFull);
  EXPECT_FALSE(evict);
  table.remove(open[0].get());
  EXPECT_EQ(table.admit("y", false, t0, evict), ConnectionTable::Verdict::kAdmit);
}

TEST(ConnectionTable, AConnectionEvictedAndThenClosedIsForgottenOnce) {
  ConnectionTable table(1, 0);
  auto first = admit(table, "x");
  std::shared_ptr<ConnectionBase> evicted;
  auto second = admit(table, "y", &evicted);
  ASSERT_TRUE(second);
  EXPECT_EQ(evicted, first);
  // The evicted one is closing: not evicted again, not made idle again.
  table.set_phase(first.get(), Between, t0);
  std::shared_ptr<ConnectionBase> again;
  auto third = admit(table, "z", &again);
  ASSERT_TRUE(third);
  EXPECT_EQ(again, second);
  EXPECT_EQ(table.remove(first.get()), first);
  EXPECT_EQ(table.remove(first.get()), nullptr);
  EXPECT_EQ(table.take_all().size(), 2u);
  EXPECT_EQ(table.size(), 0u);
}

// Keep-alive connections of busy clients are idle for microseconds between requests. Closing
// them for newcomers made each closed client reconnect and close the next: under a flood of
// slowloris connections holding the server near its cap, well-behaved clients evicted one
// another thousands of times a second (scripts/bench abuse, flood "cap").
TEST(ConnectionTable, NearTheCapAConnectionBetweenRequestsIsClosedOnlyAfterTheMinimumIdle) {
  ConnectionTable table(8, 0, 1s);  // evicts from 7 on
  std::vector<std::shared_ptr<ConnectionBase>> open;
  for (int i = 0; i < 7; ++i) {
    open.push_back(admit(table, "x"));
    table.set_phase(open.back().get(), Busy, t0);
  }
  table.set_phase(open[2].get(), Between, t0 + 10s);  // between two requests
  std::shared_ptr<ConnectionBase> evicted;
  // Idle for a millisecond: a newcomer is let in beside it while there is room ...
  auto newcomer = admit(table, "y", &evicted, false, t0 + 10s + 1ms);
  ASSERT_TRUE(newcomer);
  EXPECT_FALSE(evicted);
  table.set_phase(newcomer.get(), Busy, t0 + 10s + 1ms);
  // ... and refused at the cap, rather than closing a client that is using its connection.
  std::shared_ptr<ConnectionBase> evict;
  EXPECT_EQ(table.admit("z", false, t0 + 10s + 2ms, evict), ConnectionTable::Verdict::kServerFull);
  EXPECT_FALSE(evict);
  // Idle for the minimum: it makes room.
  EXPECT_EQ(table.admit("z", false, t0 + 11s, evict), ConnectionTable::Verdict::kAdmit);
  EXPECT_EQ(evict, open[2]);
}

TEST(ConnectionTable, NearTheCapOneThatHasSentNothingGoesBeforeOnesBetweenRequests) {
  ConnectionTable table(8, 0, 1s);  // evicts from 7 on
  std::vector<std::shared_ptr<ConnectionBase>> open;
  for (int i = 0; i < 6; ++i) {
    open.push_back(admit(table, "x"));
    table.set_phase(open.back().get(), Busy, t0);
    table.set_phase(open.back().get(), Between, t0);  // served; idle since t0
  }
  auto silent = admit(table, "y", nullptr, false, t0 + 5s);  // connected, has sent nothing
  ASSERT_TRUE(silent);
  std::shared_ptr<ConnectionBase> evicted;
  auto speaking = admit(table, "z", &evicted, false, t0 + 6s);
  ASSERT_TRUE(speaking);
  EXPECT_EQ(evicted, silent);  // not open[0], idle for 6 s but served
  table.set_phase(speaking.get(), Busy, t0 + 6s);
  ASSERT_TRUE(admit(table, "z", &evicted, false, t0 + 6s + 1ms));
  EXPECT_EQ(evicted, open[0]);  // none silent: the longest idle between requests
}

// Under a flood near the cap, the flood's own reconnections closed every newcomer in the instant
// between its connect and its first byte, and wrk's connections as they opened: silent ones
// went first at any age (scripts/bench abuse, flood "cap": newcomers answered 0 times in 19).
TEST(ConnectionTable, NearTheCapANewcomerIsSparedForTheGraceBeforeItSpeaks) {
  ConnectionTable table(8, 0, 1s, 250ms);  // evicts from 7 on
  std::vector<std::shared_ptr<ConnectionBase>> open;
  for (int i = 0; i < 6; ++i) {
    open.push_back(admit(table, "flood"));
    table.set_phase(open.back().get(), Head, t0);  // slowloris
  }
  auto newcomer = admit(table, "citizen", nullptr, false, t0 + 2s);
  ASSERT_TRUE(newcomer);
  std::shared_ptr<ConnectionBase> evicted;
  ASSERT_TRUE(admit(table, "flood", &evicted, false, t0 + 2s + 1ms));
  EXPECT_EQ(evicted, open[0]);  // a slowloris, not the citizen who has not spoken yet
  // A connection silent for the grace is fair game again, before any slow head.
  ASSERT_TRUE(admit(table, "flood", &evicted, false, t0 + 3s + 1ms));
  EXPECT_EQ(evicted, newcomer);
}

// Slowloris from enough addresses (64 × a share of 16 fill 1,024) held every slot near the cap,
// each with a head begun and never finished, and newcomers were refused until the head deadline
// cut them (scripts/bench abuse, flood "cap").
TEST(ConnectionTable, NearTheCapAHeadInProgressForTheGraceMakesRoom) {
  ConnectionTable table(8, 0, 5s, 1s);  // evicts from 7 on; a head after 1 s
  std::vector<std::shared_ptr<ConnectionBase>> open;
  for (int i = 0; i < 7; ++i) {
    open.push_back(admit(table, "x"));
    table.set_phase(open.back().get(), Head, t0 + std::chrono::milliseconds(i));
    table.set_phase(open.back().get(), Head, t0 + 1s);  // no effect: keeps its age
  }
  std::shared_ptr<ConnectionBase> evicted;
  // Heads begun under a second ago may be real clients' in flight: room below the cap only.
  auto newcomer = admit(table, "y", &evicted, false, t0 + 999ms);
  ASSERT_TRUE(newcomer);
  EXPECT_FALSE(evicted);
  table.set_phase(newcomer.get(), Busy, t0 + 999ms);
  std::shared_ptr<ConnectionBase> evict;
  EXPECT_EQ(table.admit("z", false, t0 + 999ms, evict), ConnectionTable::Verdict::kServerFull);
  // A second on, the oldest head gives way, then the next.
  auto second = admit(table, "z", &evicted, false, t0 + 1s);
  ASSERT_TRUE(second);
  EXPECT_EQ(evicted, open[0]);
  table.set_phase(second.get(), Busy, t0 + 1s);  // else, silent, it would go next
  ASSERT_TRUE(admit(table, "z", &evicted, false, t0 + 1001ms));
  EXPECT_EQ(evicted, open[1]);
}

TEST(ConnectionTable, NearTheCapSilentThenSlowHeadsThenIdleKeepAliveGiveWay) {
  ConnectionTable table(8, 0, 1s, 250ms);  // evicts from 7 on
  std::vector<std::shared_ptr<ConnectionBase>> open;
  for (int i = 0; i < 6; ++i) open.push_back(admit(table, "x"));
  table.set_phase(open[0].get(), Busy, t0);
  table.set_phase(open[0].get(), Between, t0);   // idle between requests since t0
  table.set_phase(open[1].get(), Head, t0 + 1s);  // a head begun at 1 s
  table.set_phase(open[2].get(), Busy, t0);       // reading a body: never closed for a newcomer
  table.set_phase(open[3].get(), Head, t0);
  table.set_phase(open[3].get(), Busy, t0);  // its head done
  table.set_phase(open[4].get(), Busy, t0);
  table.set_phase(open[5].get(), Busy, t0);
  auto silent = admit(table, "y", nullptr, false, t0 + 4s);
  ASSERT_TRUE(silent);
  std::shared_ptr<ConnectionBase> evicted;
  const auto now = t0 + 5s;
  auto speaks = [&] {  // a newcomer that sends its request at once
    auto c = admit(table, "z", &evicted, false, now);
    if (c) table.set_phase(c.get(), Busy, now);
    return c != nullptr;
  };
  ASSERT_TRUE(speaks());
  EXPECT_EQ(evicted, silent);
  ASSERT_TRUE(speaks());
  EXPECT_EQ(evicted, open[1]);  // the slow head, though open[0] has been idle longer
  ASSERT_TRUE(speaks());
  EXPECT_EQ(evicted, open[0]);
  ASSERT_TRUE(speaks());  // nothing left to close: room below the cap ...
  EXPECT_FALSE(evicted);
  std::shared_ptr<ConnectionBase> evict;  // ... and none at it: the rest are using theirs
  EXPECT_EQ(table.admit("z", false, now, evict), ConnectionTable::Verdict::kServerFull);
  EXPECT_EQ(table.waiting(), 0u);
}

}  // namespace
}  // namespace medtrail::node::http
