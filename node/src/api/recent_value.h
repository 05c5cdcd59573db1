#pragma once
// A value recomputed at most every `max_age`: what public endpoints answer every caller with
// (the newest quorum checkpoint, the lookup's vouch) is worth a block scan and signature checks
// a few times a second, not once per request. Time alone decides, not the chain's height: a
// quorum may gather for the head block after it applied. Thread-safe.
#include <chrono>
#include <mutex>
#include <utility>

namespace medtrail::node::api {

template <class T>
class RecentValue {
 public:
  explicit RecentValue(std::chrono::steady_clock::duration max_age) : max_age_(max_age) {}

  // The value, recomputed by `compute()` when it is older than max_age (or was never computed).
  template <class Compute>
  T get(Compute&& compute) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mu_);
    if (!computed_ || now - at_ >= max_age_) {
      value_ = std::forward<Compute>(compute)();
      at_ = now;
      computed_ = true;
    }
    return value_;
  }

 private:
  const std::chrono::steady_clock::duration max_age_;
  std::mutex mu_;
  bool computed_ = false;
  std::chrono::steady_clock::time_point at_;
  T value_{};
};

}  // namespace medtrail::node::api
