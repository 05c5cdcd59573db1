#include "http/connection_table.h"

#include <gtest/gtest.h>

#include "http/http_server_core.h"

namespace medtrail::node::http {
namespace {

struct Fake : ConnectionBase {
  void start() override {}
  void close_async() override {}
};

std::shared_ptr<ConnectionBase> admit(ConnectionTable& table, const std::string& address,
                                      std::shared_ptr<ConnectionBase>* evicted = nullptr,
                                      bool exempt = false) {
  std::shared_ptr<ConnectionBase> evict;
  if (table.admit(address, exempt, evict) != ConnectionTable::Verdict::kAdmit) return nullptr;
  if (evicted != nullptr) *evicted = evict;
  auto c = std::make_shared<Fake>();
  table.add(c, address, exempt);
  return c;
}

TEST(ConnectionTable, AnAddressGetsItsShareAndNoMore) {
  ConnectionTable table(100, 2);
  auto a1 = admit(table, "a");
  auto a2 = admit(table, "a");
  ASSERT_TRUE(a1 && a2);
  std::shared_ptr<ConnectionBase> evict;
  EXPECT_EQ(table.admit("a", false, evict), ConnectionTable::Verdict::kAddressFull);
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
  for (int i = 0; i < 7; ++i) table.set_idle(open[i].get(), false);
  table.set_idle(open[3].get(), true);  // idle since now
  table.set_idle(open[5].get(), true);
  table.set_idle(open[3].get(), true);  // no effect: keeps its place
  std::shared_ptr<ConnectionBase> evicted;
  ASSERT_TRUE(admit(table, "y", &evicted));
  EXPECT_EQ(evicted, open[3]);
  ASSERT_TRUE(admit(table, "y", &evicted));
  EXPECT_EQ(evicted, open[5]);
  // Counted until they close: 9 in the table, 7 of them live; the new ones are idle now.
  EXPECT_EQ(table.size(), 9u);
}

TEST(ConnectionTable, AtTheCapWithNothingIdleNewConnectionsAreRefused) {
  ConnectionTable table(4, 0);
  std::vector<std::shared_ptr<ConnectionBase>> open;
  for (int i = 0; i < 4; ++i) {
    open.push_back(admit(table, "x"));
    table.set_idle(open.back().get(), false);
  }
  std::shared_ptr<ConnectionBase> evict;
  EXPECT_EQ(table.admit("y", false, evict), ConnectionTable::Verdict::kServerFull);
  EXPECT_FALSE(evict);
  table.remove(open[0].get());
  EXPECT_EQ(table.admit("y", false, evict), ConnectionTable::Verdict::kAdmit);
}

TEST(ConnectionTable, AConnectionEvictedAndThenClosedIsForgottenOnce) {
  ConnectionTable table(1, 0);
  auto first = admit(table, "x");
  std::shared_ptr<ConnectionBase> evicted;
  auto second = admit(table, "y", &evicted);
  ASSERT_TRUE(second);
  EXPECT_EQ(evicted, first);
  // The evicted one is closing: not evicted again, not made idle again.
  table.set_idle(first.get(), true);
  std::shared_ptr<ConnectionBase> again;
  auto third = admit(table, "z", &again);
  ASSERT_TRUE(third);
  EXPECT_EQ(again, second);
  EXPECT_EQ(table.remove(first.get()), first);
  EXPECT_EQ(table.remove(first.get()), nullptr);
  EXPECT_EQ(table.take_all().size(), 2u);
  EXPECT_EQ(table.size(), 0u);
}

}  // namespace
}  // namespace medtrail::node::http
