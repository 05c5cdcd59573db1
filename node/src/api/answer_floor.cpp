#include "api/answer_floor.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace medtrail::node::api {

AnswerFloor::AnswerFloor(std::chrono::microseconds floor, After after)
    : floor_(floor), after_(std::move(after)) {}

void AnswerFloor::hold(Clock::time_point started, std::function<void()> release) {
  const Clock::time_point due = started + floor_;
  const Clock::time_point now = Clock::now();
  if (due <= now || !after_) return release();
  std::lock_guard lock(mu_);
  held_.push_back(Held{due, std::move(release)});
  if (!armed_) arm(now);
}

size_t AnswerFloor::held() const {
  std::lock_guard lock(mu_);
  return held_.size();
}

void AnswerFloor::arm(Clock::time_point now) {
  armed_ = true;
  const Clock::time_point at = std::max(held_.front().due, last_fired_ + kTick);
  after_(std::max(at - now, Clock::duration::zero()),
         [self = shared_from_this()] { self->fire(); });
}

void AnswerFloor::fire() {
  std::vector<std::function<void()>> due;
  {
    std::lock_guard lock(mu_);
    const Clock::time_point now = Clock::now();
    last_fired_ = now;
    // Answers arrive from several threads, so the queue is in order of arrival only nearly:
    // one behind a later due waits for it (microseconds), none leaves early.
    while (!held_.empty() && held_.front().due <= now) {
      due.push_back(std::move(held_.front().release));
      held_.pop_front();
    }
    armed_ = false;
    if (!held_.empty()) arm(now);
  }
  for (auto& release : due) release();
}

}  // namespace medtrail::node::api
