#pragma once
// The last N things that happened, kept so a violation can be explained; with `verbose`, every
// event is also printed as it happens.

#include <cstddef>
#include <deque>
#include <string>

#include "sim/event_queue.h"

namespace medtrail::sim {

class Trace {
 public:
  Trace(size_t capacity, bool verbose) : capacity_(capacity), verbose_(verbose) {}

  void record(Time when, std::string text);
  // One line per event, oldest first.
  std::string dump() const;
  size_t recorded() const { return recorded_; }

 private:
  size_t capacity_;
  bool verbose_;
  size_t recorded_ = 0;
  std::deque<std::string> lines_;
};

}  // namespace medtrail::sim
