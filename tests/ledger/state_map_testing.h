#pragma once
// What the state map's tests share: the sparse Merkle tree's definition computed from every
// entry, random and clustered keys, changes made to the expected entries, `must`, and the
// fixture of a map over nodes in memory.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/state_map.h"
#include "medtrail/ledger/state_map_memory.h"
#include "medtrail/ledger/state_proof.h"

namespace medtrail::ledger::state_map_testing {

inline const CryptoSuite& suite() { return ed25519_sha256(); }

using Entries = std::map<Hash, Hash>;

// The sparse Merkle tree's definition (state_proof.h), computed from every entry: what the
// stored nodes must agree with.
inline Hash reference_root(const std::vector<std::pair<Hash, Hash>>& entries, size_t bit) {
  if (entries.empty()) return state_map_empty_root();
  if (entries.size() == 1) return state_leaf_hash(suite(), {entries[0].first, entries[0].second});
  std::vector<std::pair<Hash, Hash>> left, right;
  for (const auto& e : entries) (state_path_bit(e.first, bit) ? right : left).push_back(e);
  return state_node_hash(suite(), reference_root(left, bit + 1), reference_root(right, bit + 1));
}
inline Hash reference_root(const Entries& entries) {
  return reference_root(std::vector<std::pair<Hash, Hash>>(entries.begin(), entries.end()), 0);
}

inline Hash random_hash(std::mt19937_64& rng) {
  Hash h;
  for (auto& b : h) b = static_cast<uint8_t>(rng());
  return h;
}

// Keys that share long prefixes with a few others, so paths run deep and nodes split and
// merge below the top levels.
inline Hash clustered_key(std::mt19937_64& rng, const std::vector<Hash>& seeds) {
  Hash h = random_hash(rng);
  const Hash& seed = seeds[rng() % seeds.size()];
  const size_t shared_bits = rng() % 250;
  for (size_t i = 0; i < shared_bits; ++i) {
    const uint8_t mask = static_cast<uint8_t>(0x80 >> (i % 8));
    h[i / 8] = static_cast<uint8_t>((h[i / 8] & ~mask) | (seed[i / 8] & mask));
  }
  return h;
}

// Each key's new value, or nullopt to remove it.
using Changes = std::map<Hash, std::optional<Hash>>;

// `changes` made to `entries`, and returned as an update's list.
inline std::vector<StateMapChange> apply_changes(const Changes& changes, Entries& entries) {
  std::vector<StateMapChange> list;
  for (const auto& [key, value] : changes) {
    list.push_back({key, value});
    if (value) {
      entries[key] = *value;
    } else {
      entries.erase(key);
    }
  }
  return list;
}

template <class T>
T must(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return std::move(r).value();
}

// A map over nodes in memory, each version committed as it is computed.
class StateMapTest : public ::testing::Test {
 protected:
  StateMapWrite commit(std::optional<uint64_t> base, uint64_t version,
                       std::vector<StateMapChange> changes) {
    auto write = must(map_.update(base, version, std::move(changes)));
    nodes_.apply(write);
    return write;
  }

  void expect_proves(uint64_t version, const Entries& entries, const Hash& key) {
    const Hash root = must(map_.root(version));
    const StateProof proof = must(map_.prove(version, key));
    auto it = entries.find(key);
    std::optional<Hash> value;
    if (it != entries.end()) value = it->second;
    EXPECT_TRUE(verify_state_proof_hashed(suite(), root, key, value, proof).ok())
        << verify_state_proof_hashed(suite(), root, key, value, proof).to_string();
    EXPECT_EQ(must(map_.get(version, key)), value);
  }

  StateMapMemoryNodes nodes_;
  StateMap map_{suite(), nodes_};
};

}  // namespace medtrail::ledger::state_map_testing
