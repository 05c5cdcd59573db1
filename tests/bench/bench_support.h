#pragma once
// What the ledger benchmarks share: fixtures built once per size, and a fixed spread of indexes.

#include <cstdint>
#include <map>
#include <memory>

namespace medtrail::bench {

// A fixture built once per size and kept for every benchmark of that size: Google Benchmark
// calls a benchmark function more than once, and building a large store each time would swamp
// the run.
template <class Fixture>
Fixture& built_once(uint64_t n) {
  static std::map<uint64_t, std::unique_ptr<Fixture>> built;
  std::unique_ptr<Fixture>& f = built[n];
  if (!f) f = std::make_unique<Fixture>(n);
  return *f;
}

// A fixed, well-spread sequence of indexes in [0, n): no randomness, so runs compare.
inline uint64_t spread(uint64_t i, uint64_t n) { return (i * 0x9e3779b97f4a7c15ULL) % n; }

}  // namespace medtrail::bench
