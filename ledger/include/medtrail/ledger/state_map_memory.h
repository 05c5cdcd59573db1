#pragma once
// State map nodes held in memory: for tests, benchmarks and rebuilding a map from a snapshot
// before it is written out.

#include <cstdint>
#include <map>
#include <set>

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
  std::map<Bytes, Bytes> nodes_;
  std::set<Bytes> stale_;  // stale-index keys, in the order of the versions that made them
};

}  // namespace medtrail::ledger
