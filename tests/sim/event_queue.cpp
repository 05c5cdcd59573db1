#include "sim/event_queue.h"

#include <utility>

namespace medtrail::sim {

void EventQueue::at(Time when, std::function<void()> action) {
  // An event is never scheduled in the past: that would let it run out of order.
  queue_.push(Event{when < now_ ? now_ : when, sequence_++, std::move(action)});
}

bool EventQueue::run_next() {
  if (queue_.empty()) return false;
  // priority_queue::top is const; the action is moved out through a copy of the handle.
  Event event = queue_.top();
  queue_.pop();
  now_ = event.when;
  event.action();
  return true;
}

}  // namespace medtrail::sim
