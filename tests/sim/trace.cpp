#include "sim/trace.h"

#include <cstdio>
#include <utility>

namespace medtrail::sim {

void Trace::record(Time when, std::string text) {
  ++recorded_;
  std::string line = "t=" + std::to_string(when) + "ms " + std::move(text);
  if (verbose_) std::printf("%s\n", line.c_str());
  if (capacity_ == 0) return;
  if (lines_.size() == capacity_) lines_.pop_front();
  lines_.push_back(std::move(line));
}

std::string Trace::dump() const {
  std::string out;
  for (const std::string& line : lines_) out += "  " + line + "\n";
  return out;
}

}  // namespace medtrail::sim
