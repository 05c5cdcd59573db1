#pragma once
// State map nodes held in memory: for tests, benchmarks and rebuilding a map from a snapshot
// before it is written out.

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include "medtrail/ledger/state_map.h"

namespace medtrail::ledger {

class StateMapMemoryNodes : public StateMapNodeSource {
 public:
  Result<std::optional<Bytes>> read_node(ByteView key) const override;

  void apply(const StateMapWrite& write);
  // Deletes the nodes that no version from `keep_from` on reads; returns how many.
  size_t prune(uint64_t keep_from);
  size_t node_count() const { return nodes_.size(); }
  size_t stale_count() const { return stale_.size(); }

 private:
  // Hashed, looked up by the key's bytes without a copy: an update reads a node per level.
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  std::unordered_map<std::string, Bytes, KeyHash, std::equal_to<>> nodes_;
  std::set<Bytes> stale_;  // stale-index keys, in the order of the versions that made them
};

}  // namespace medtrail::ledger
