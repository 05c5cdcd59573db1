#pragma once
// A token bucket per client address for the public endpoints: one address (see client_address.h
// for what counts as one) may not enumerate serials or crowd others out of the API.
//
// Memory is bounded: at most RateLimit::max_addresses buckets. When a new address arrives and
// the table is full, buckets that have refilled to the brim are dropped first (they say nothing a
// fresh bucket would not), and only then the least recently used one, so an address that is
// being limited keeps its debt while one-off addresses come and go.
//
// Thread-safe: one mutex. Each call is O(log n) under it; sharding would split the bound and the
// LRU order per shard for contention nobody has measured.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace medtrail::node::http {

struct RateLimit {
  double per_second = 5;          // sustained requests per second per address
  double burst = 20;              // bucket size
  size_t max_addresses = 100000;  // tracked addresses (~250 bytes each)
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // Out-of-range values are clamped rather than trusted (the config layer should refuse them
  // first): per_second to [1e-6, 1e9], burst to [1, 1e9], max_addresses to at least 1.
  explicit RateLimiter(RateLimit limit);

  // Takes one token for `address` (an IP address string without port; the caller strips it) at
  // `now`. Returns 0 when the request may proceed, else the whole seconds (>= 1) after which one
  // token will be there (for Retry-After). Keys longer than kMaxKeyBytes are cut to that length.
  uint32_t take(std::string_view address, Clock::time_point now);

  size_t tracked() const;

  // An address with its /64 suffix and a scope is well under this; longer keys are not
  // addresses, and cutting them keeps the table's memory bounded by max_addresses alone.
  static constexpr size_t kMaxKeyBytes = 64;

 private:
  // Keys are stored once, in buckets_; the LRU list and the full-at index point at them
  // (unordered_map keeps element addresses stable across rehashing).
  using LruList = std::list<const std::string*>;  // front: most recently used
  using FullAt = std::set<std::pair<Clock::time_point, const std::string*>>;
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;  // when `tokens` was computed
    LruList::iterator lru;
    FullAt::iterator full_at;   // when the bucket is at `burst` again
  };
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>()(key); }
  };
  using Buckets = std::unordered_map<std::string, Bucket, KeyHash, std::equal_to<>>;

  void refill(Bucket& bucket, Clock::time_point now) const;
  Clock::time_point full_time(const Bucket& bucket) const;
  uint32_t retry_after_seconds(double tokens) const;
  // Requires mutex_ and a full table: frees at least one slot.
  void make_room(Clock::time_point now);
  void erase(Buckets::iterator it);

  const double per_second_;
  const double burst_;
  const size_t max_addresses_;

  mutable std::mutex mutex_;
  Buckets buckets_;
  LruList lru_;
  FullAt full_at_;
};

}  // namespace medtrail::node::http
