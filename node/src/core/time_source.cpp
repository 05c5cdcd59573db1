#include "core/time_source.h"

namespace medtrail::node {

namespace {

class RealTime final : public TimeSource {
 public:
  std::chrono::steady_clock::time_point now() const override { return std::chrono::steady_clock::now(); }
  uint64_t wall_ms() const override {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  }
};

}  // namespace

const TimeSource& real_time() {
  static const RealTime time;
  return time;
}

}  // namespace medtrail::node
