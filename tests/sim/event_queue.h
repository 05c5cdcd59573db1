#pragma once
// The simulator's virtual clock: events run one at a time in (time, insertion order), so two
// runs from the same seed interleave identically.

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

namespace medtrail::sim {

using Time = uint64_t;  // virtual milliseconds since the start of the run

class EventQueue {
 public:
  void at(Time when, std::function<void()> action);
  void after(Time delay, std::function<void()> action) { at(now_ + delay, std::move(action)); }

  Time now() const { return now_; }
  bool empty() const { return queue_.empty(); }
  Time next_time() const { return queue_.top().when; }
  // Advances the clock to the earliest event and runs it; false when nothing is queued.
  bool run_next();

 private:
  struct Event {
    Time when;
    uint64_t sequence;
    std::function<void()> action;
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return a.when != b.when ? a.when > b.when : a.sequence > b.sequence;
    }
  };

  Time now_ = 0;
  uint64_t sequence_ = 0;
  std::priority_queue<Event, std::vector<Event>, Later> queue_;
};

}  // namespace medtrail::sim
