#pragma once
// Holds public lookup answers until their floor has passed (docs/trace.md: every answer waits
// out the same floor from its request's arrival, so the time to answer does not tell a known
// code from an unknown one).
//
// One timer per answer cost 15–23% of the peak lookup rate (an allocation, arming, firing and a
// pass through the io_context each). Answers instead wait in one queue, and one timer releases
// every answer that is due, firing at most once a tick: an answer leaves no sooner than its
// floor, and at most a tick later. Thread-safe.
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

namespace medtrail::node::api {

class AnswerFloor : public std::enable_shared_from_this<AnswerFloor> {
 public:
  using Clock = std::chrono::steady_clock;
  // Runs work after a delay (ApiContext::after). Null: answers leave at once.
  using After = std::function<void(std::chrono::nanoseconds, std::function<void()>)>;
  static constexpr std::chrono::microseconds kTick{250};

  AnswerFloor(std::chrono::microseconds floor, After after);

  // Runs `release` once `floor` has passed since `started`: at once when it has already, or
  // when no timer is available.
  void hold(Clock::time_point started, std::function<void()> release);

  size_t held() const;

 private:
  struct Held {
    Clock::time_point due;
    std::function<void()> release;
  };
  // Requires mu_. Arms the timer for the front of the queue, a tick after the last firing at
  // the earliest.
  void arm(Clock::time_point now);
  void fire();

  const std::chrono::microseconds floor_;
  const After after_;
  mutable std::mutex mu_;
  std::deque<Held> held_;
  bool armed_ = false;
  Clock::time_point last_fired_{};
};

}  // namespace medtrail::node::api
