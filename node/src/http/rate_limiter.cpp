#include "http/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace medtrail::node::http {
namespace {

// Refill is floating point: a client that waits exactly Retry-After seconds may find 0.99999...
// tokens. This much short of a token still counts as one.
constexpr double kTokenSlack = 1e-9;

// Caps the time until a bucket is full again so that it fits Clock::duration (int64 ns, ~292
// years); a bucket idle for ~31 years is dropped a little early at worst.
constexpr double kMaxFullSeconds = 1e9;

// Full buckets dropped per insertion at most: the drop is amortised over arrivals so no single
// request holds the lock for a sweep of the whole table.
constexpr int kDropBatch = 64;

double clamp_finite(double value, double low, double high) {
  if (!std::isfinite(value)) return value > 0 ? high : low;  // NaN and -inf: low
  return std::clamp(value, low, high);
}

}  // namespace

RateLimiter::RateLimiter(RateLimit limit)
    : per_second_(clamp_finite(limit.per_second, 1e-6, 1e9)),
      burst_(clamp_finite(limit.burst, 1, 1e9)),
      max_addresses_(std::max<size_t>(limit.max_addresses, 1)) {}

void RateLimiter::refill(Bucket& bucket, Clock::time_point now) const {
  // Threads read the clock before taking the lock, so `now` may be a little older than the
  // bucket's last update: then no refill, and the bucket's time does not go back.
  if (now <= bucket.updated) return;
  double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  bucket.tokens = std::min(burst_, bucket.tokens + elapsed * per_second_);
  bucket.updated = now;
}

RateLimiter::Clock::time_point RateLimiter::full_time(const Bucket& bucket) const {
  double seconds = std::min((burst_ - bucket.tokens) / per_second_, kMaxFullSeconds);
  return bucket.updated +
         std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

uint32_t RateLimiter::retry_after_seconds(double tokens) const {
  double seconds = std::ceil((1 - tokens) / per_second_);
  // Converting a double beyond uint32's range is undefined: compare first.
  if (seconds >= static_cast<double>(std::numeric_limits<uint32_t>::max())) {
    return std::numeric_limits<uint32_t>::max();
  }
  return std::max<uint32_t>(static_cast<uint32_t>(seconds), 1);
}

void RateLimiter::erase(Buckets::iterator it) {
  lru_.erase(it->second.lru);
  full_at_.erase(it->second.full_at);
  buckets_.erase(it);
}

void RateLimiter::make_room(Clock::time_point now) {
  for (int dropped = 0; dropped < kDropBatch && !full_at_.empty(); ++dropped) {
    auto first = full_at_.begin();
    if (first->first > now) break;
    erase(buckets_.find(*first->second));
  }
  if (buckets_.size() >= max_addresses_) erase(buckets_.find(*lru_.back()));
}

uint32_t RateLimiter::take(std::string_view address, Clock::time_point now) {
  std::string_view key = address.substr(0, kMaxKeyBytes);
  std::lock_guard lock(mutex_);

  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_addresses_) make_room(now);
    it = buckets_.emplace(std::string(key), Bucket{burst_, now, {}, {}}).first;
    const std::string* stored = &it->first;
    lru_.push_front(stored);
    it->second.lru = lru_.begin();
    it->second.full_at = full_at_.emplace(now, stored).first;
  } else {
    refill(it->second, now);
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  }

  Bucket& bucket = it->second;
  uint32_t retry = 0;
  if (bucket.tokens >= 1 - kTokenSlack) {
    bucket.tokens = std::max(bucket.tokens - 1, 0.0);
  } else {
    retry = retry_after_seconds(bucket.tokens);
  }
  // Re-key the full-at entry in place (the node is reused: no allocation per request).
  auto node = full_at_.extract(bucket.full_at);
  node.value().first = full_time(bucket);
  bucket.full_at = full_at_.insert(std::move(node)).position;
  return retry;
}

size_t RateLimiter::tracked() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace medtrail::node::http
