#pragma once
// The simulator's only source of randomness. Its own bounded draws (not std::*_distribution,
// whose algorithms differ between standard libraries) so a seed replays identically anywhere.

#include <cstdint>
#include <vector>

namespace medtrail::sim {

// splitmix64: derives independent seeds (per node, per component) from the run's one seed.
inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t next() { return splitmix64(state_); }
  // Uniform in [0, bound); bound 0 yields 0. Lemire's multiply-shift (bias < 2^-64 * bound).
  uint64_t below(uint64_t bound) {
    return bound == 0 ? 0 : static_cast<uint64_t>((static_cast<__uint128_t>(next()) * bound) >> 64);
  }
  // Uniform in [lo, hi].
  uint64_t between(uint64_t lo, uint64_t hi) { return lo + below(hi - lo + 1); }
  // True with probability `p`.
  bool chance(double p) { return p > 0 && static_cast<double>(next() >> 11) * 0x1.0p-53 < p; }
  // A fresh generator whose stream is independent of this one's.
  Rng fork() { return Rng(next()); }

  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }
  template <typename T>
  void shuffle(std::vector<T>& items) {
    for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[below(i)]);
  }

 private:
  uint64_t state_;
};

}  // namespace medtrail::sim
