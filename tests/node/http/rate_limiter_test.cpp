#include "http/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <string>
#include <thread>
#include <vector>

namespace medtrail::node::http {
namespace {

using Clock = RateLimiter::Clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// An injected clock: tests never sleep.
const Clock::time_point kStart = Clock::time_point() + std::chrono::hours(1);

TEST(RateLimiter, BurstThenRefusal) {
  RateLimiter limiter({.per_second = 5, .burst = 20, .max_addresses = 10});
  for (int i = 0; i < 20; ++i) EXPECT_EQ(limiter.take("1.2.3.4", kStart), 0u) << i;
  EXPECT_EQ(limiter.take("1.2.3.4", kStart), 1u);
  EXPECT_EQ(limiter.take("1.2.3.4", kStart), 1u);  // a refusal takes nothing either
}

TEST(RateLimiter, RetryAfterIsTheFirstWholeSecondWithAToken) {
  struct Case {
    double per_second;
    uint32_t retry_after;
  };
  for (Case c : {Case{5, 1}, Case{1, 1}, Case{0.5, 2}, Case{0.3, 4}, Case{0.25, 4},
                 Case{0.1, 10}}) {
    RateLimiter limiter({.per_second = c.per_second, .burst = 1, .max_addresses = 10});
    ASSERT_EQ(limiter.take("a", kStart), 0u);
    EXPECT_EQ(limiter.take("a", kStart), c.retry_after) << c.per_second;
    // One second earlier there is still no token; at Retry-After there is.
    if (c.retry_after > 1) {
      EXPECT_NE(limiter.take("a", kStart + seconds(c.retry_after - 1)), 0u) << c.per_second;
    }
    EXPECT_EQ(limiter.take("a", kStart + seconds(c.retry_after)), 0u) << c.per_second;
  }
}

TEST(RateLimiter, RetryAfterCountsAPartialRefill) {
  RateLimiter limiter({.per_second = 0.25, .burst = 1, .max_addresses = 10});
  ASSERT_EQ(limiter.take("a", kStart), 0u);
  // 1.5 s in: 0.375 of a token, 2.5 s more to go.
  EXPECT_EQ(limiter.take("a", kStart + milliseconds(1500)), 3u);
}

TEST(RateLimiter, RefillsOverTimeUpToBurst) {
  RateLimiter limiter({.per_second = 2, .burst = 4, .max_addresses = 10});
  for (int i = 0; i < 4; ++i) ASSERT_EQ(limiter.take("a", kStart), 0u);
  ASSERT_NE(limiter.take("a", kStart), 0u);

  // 1.5 s: three tokens.
  Clock::time_point later = kStart + milliseconds(1500);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.take("a", later), 0u) << i;
  EXPECT_NE(limiter.take("a", later), 0u);

  // A long idle refills to the burst, not beyond.
  Clock::time_point much_later = later + std::chrono::hours(1);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(limiter.take("a", much_later), 0u) << i;
  EXPECT_NE(limiter.take("a", much_later), 0u);
}

TEST(RateLimiter, AnEarlierTimeFromAnotherThreadNeitherRefillsNorRewinds) {
  RateLimiter limiter({.per_second = 1, .burst = 1, .max_addresses = 10});
  ASSERT_EQ(limiter.take("a", kStart + seconds(10)), 0u);
  EXPECT_NE(limiter.take("a", kStart), 0u);
  // Had the bucket's time gone back to kStart, 10 s would have refilled it by now.
  EXPECT_NE(limiter.take("a", kStart + seconds(10)), 0u);
  EXPECT_EQ(limiter.take("a", kStart + seconds(11)), 0u);
}

TEST(RateLimiter, AddressesAreIndependent) {
  RateLimiter limiter({.per_second = 1, .burst = 3, .max_addresses = 10});
  for (int i = 0; i < 3; ++i) ASSERT_EQ(limiter.take("10.0.0.1", kStart), 0u);
  ASSERT_NE(limiter.take("10.0.0.1", kStart), 0u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.take("10.0.0.2", kStart), 0u) << i;
  EXPECT_EQ(limiter.take("2001:db8::/64", kStart), 0u);
  EXPECT_NE(limiter.take("10.0.0.1", kStart), 0u);
  EXPECT_EQ(limiter.tracked(), 3u);
}

TEST(RateLimiter, BoundHoldsAndABusyAddressOutlivesOneOffs) {
  constexpr size_t kMax = 100;
  RateLimiter limiter({.per_second = 1, .burst = 5, .max_addresses = kMax});
  for (int i = 0; i < 5; ++i) ASSERT_EQ(limiter.take("busy", kStart), 0u);
  ASSERT_NE(limiter.take("busy", kStart), 0u);

  // Time stands still, so no one-off bucket is full again: each new address evicts the least
  // recently used one, which is never "busy" as long as it keeps asking.
  for (size_t i = 0; i < 10 * kMax; ++i) {
    EXPECT_EQ(limiter.take("one-off-" + std::to_string(i), kStart), 0u);
    ASSERT_LE(limiter.tracked(), kMax) << i;
    if (i % 10 == 0) {
      ASSERT_NE(limiter.take("busy", kStart), 0u) << i;
    }
  }
  EXPECT_EQ(limiter.tracked(), kMax);
  // Still the same empty bucket: an evicted one would have come back with a fresh burst.
  EXPECT_NE(limiter.take("busy", kStart), 0u);
}

TEST(RateLimiter, FullBucketsAreDroppedBeforeTheLeastRecentlyUsed) {
  RateLimiter limiter({.per_second = 1, .burst = 2, .max_addresses = 2});
  ASSERT_EQ(limiter.take("a", kStart), 0u);
  ASSERT_EQ(limiter.take("a", kStart), 0u);                     // "a": empty at 0 s
  ASSERT_EQ(limiter.take("b", kStart + milliseconds(500)), 0u);  // "b": full again at 1.5 s

  // At 1.6 s "a" (least recently used) holds 1.6 tokens, "b" is full: "b" goes.
  Clock::time_point now = kStart + milliseconds(1600);
  ASSERT_EQ(limiter.take("c", now), 0u);
  EXPECT_EQ(limiter.tracked(), 2u);
  EXPECT_EQ(limiter.take("a", now), 0u);
  EXPECT_NE(limiter.take("a", now), 0u);  // a fresh bucket would have had 2
}

TEST(RateLimiter, LongKeysAreCutToTheBound) {
  RateLimiter limiter({.per_second = 1, .burst = 1, .max_addresses = 10});
  std::string prefix(RateLimiter::kMaxKeyBytes, 'x');
  ASSERT_EQ(limiter.take(prefix + "one", kStart), 0u);
  EXPECT_NE(limiter.take(prefix + "two", kStart), 0u);
  EXPECT_EQ(limiter.tracked(), 1u);
}

TEST(RateLimiter, NonsenseLimitsAreClamped) {
  RateLimiter limiter({.per_second = 0, .burst = 0, .max_addresses = 0});
  EXPECT_EQ(limiter.take("a", kStart), 0u);  // burst 1
  uint32_t retry = limiter.take("a", kStart);
  EXPECT_GE(retry, 1u);  // per_second 1e-6: a long wait, but a number
  EXPECT_EQ(limiter.take("b", kStart), 0u);
  EXPECT_EQ(limiter.tracked(), 1u);  // max_addresses 1
}

TEST(RateLimiter, ConcurrentTakesLoseNoUpdate) {
  constexpr int kThreads = 4;
  constexpr int kAddresses = 8;
  constexpr int kBurst = 20000;
  constexpr int kTakesPerAddress = 8000;  // per thread: 4 x 8000 > 20000, so some are refused
  RateLimiter limiter({.per_second = 1, .burst = kBurst, .max_addresses = 1000});

  std::atomic<int> allowed{0};
  std::latch start(kThreads);  // all threads take at once, not one after the other
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      int mine = 0;
      for (int i = 0; i < kTakesPerAddress; ++i) {
        for (int a = 0; a < kAddresses; ++a) {
          if (limiter.take("10.0.0." + std::to_string(a), kStart) == 0) ++mine;
        }
      }
      allowed += mine;
    });
  }
  for (auto& thread : threads) thread.join();
  // Time does not advance: exactly one burst per address, no more (a lost update would let
  // extra requests through), no fewer.
  EXPECT_EQ(allowed.load(), kAddresses * kBurst);
  EXPECT_EQ(limiter.tracked(), static_cast<size_t>(kAddresses));
}

TEST(RateLimiter, ConcurrentOneOffsKeepTheBound) {
  constexpr size_t kMax = 50;
  RateLimiter limiter({.per_second = 1, .burst = 2, .max_addresses = kMax});
  std::latch start(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < 1000; ++i) {
        limiter.take(std::to_string(t) + "/" + std::to_string(i), kStart + milliseconds(i));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(limiter.tracked(), kMax);
}

}  // namespace
}  // namespace medtrail::node::http
