#include "api/answer_floor.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace medtrail::node::api {
namespace {

using namespace std::chrono_literals;
using Clock = AnswerFloor::Clock;

// The timer, run by hand: what was armed, and for how long.
struct FakeTimer {
  struct Armed {
    std::chrono::nanoseconds delay;
    std::function<void()> fire;
  };
  std::vector<Armed> armed;
  AnswerFloor::After after() {
    return [this](std::chrono::nanoseconds delay, std::function<void()> fire) {
      armed.push_back(Armed{delay, std::move(fire)});
    };
  }
  // Fires the oldest armed timer.
  void fire_next() {
    auto next = std::move(armed.front());
    armed.erase(armed.begin());
    next.fire();
  }
};

TEST(AnswerFloor, AnAnswerPastItsFloorLeavesAtOnce) {
  FakeTimer timer;
  auto floor = std::make_shared<AnswerFloor>(3000us, timer.after());
  int released = 0;
  floor->hold(Clock::now() - 4ms, [&] { ++released; });
  EXPECT_EQ(released, 1);
  EXPECT_TRUE(timer.armed.empty());
}

TEST(AnswerFloor, WithoutATimerAnswersLeaveAtOnce) {
  auto floor = std::make_shared<AnswerFloor>(3000us, nullptr);
  int released = 0;
  floor->hold(Clock::now(), [&] { ++released; });
  EXPECT_EQ(released, 1);
}

// One timer per answer cost 15–23% of the peak lookup rate.
TEST(AnswerFloor, AnswersHeldTogetherShareOneTimerAndNoneLeavesBeforeItsFloor) {
  FakeTimer timer;
  auto floor = std::make_shared<AnswerFloor>(50000us, timer.after());
  const auto started = Clock::now();
  int released = 0;
  for (int i = 0; i < 100; ++i) floor->hold(started, [&] { ++released; });
  ASSERT_EQ(timer.armed.size(), 1u);
  EXPECT_GT(timer.armed[0].delay, 40ms);
  EXPECT_LE(timer.armed[0].delay, 50ms);
  // A timer that fires early (or a clock that disagrees) releases nothing, and arms again.
  timer.fire_next();
  EXPECT_EQ(released, 0);
  EXPECT_EQ(floor->held(), 100u);
  ASSERT_EQ(timer.armed.size(), 1u);
  std::this_thread::sleep_until(started + 50ms);
  timer.fire_next();
  EXPECT_EQ(released, 100);
  EXPECT_EQ(floor->held(), 0u);
  EXPECT_TRUE(timer.armed.empty());  // nothing left to wait for
}

TEST(AnswerFloor, ALaterAnswerWaitsForItsOwnFloorAndTheTimerFiresAtMostOnceATick) {
  FakeTimer timer;
  auto floor = std::make_shared<AnswerFloor>(20000us, timer.after());
  const auto started = Clock::now();
  std::vector<int> order;
  floor->hold(started, [&] { order.push_back(1); });
  floor->hold(started + 100us, [&] { order.push_back(2); });  // due 100 µs later
  floor->hold(started + 30ms, [&] { order.push_back(3); });   // due 30 ms later
  ASSERT_EQ(timer.armed.size(), 1u);
  std::this_thread::sleep_until(started + 20ms);
  timer.fire_next();
  // The first is due; the second maybe (the clock moved on), the third not.
  ASSERT_FALSE(order.empty());
  EXPECT_EQ(order[0], 1);
  ASSERT_EQ(timer.armed.size(), 1u);
  EXPECT_GE(timer.armed[0].delay, AnswerFloor::kTick - 50us);  // a tick from the last firing
  std::this_thread::sleep_until(started + 50ms);
  while (!timer.armed.empty()) timer.fire_next();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

}  // namespace
}  // namespace medtrail::node::api
