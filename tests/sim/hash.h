#pragma once
// Small deterministic digests for the simulator's bookkeeping (not cryptographic).

#include <cstdint>
#include <string_view>

namespace medtrail::sim {

inline uint64_t fnv1a(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

// Folds one more value into a running digest of a sequence: equal sequences give equal digests,
// and (with overwhelming probability) different ones do not.
inline uint64_t fold(uint64_t digest, uint64_t value) {
  uint64_t z = digest ^ (value + 0x9e3779b97f4a7c15ull + (digest << 6) + (digest >> 2));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace medtrail::sim
