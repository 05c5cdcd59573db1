#include "medtrail/ledger/state_map_memory.h"

namespace medtrail::ledger {

Result<std::optional<Bytes>> StateMapMemoryNodes::read_node(ByteView key) const {
  auto it = nodes_.find(as_chars(key));
  if (it == nodes_.end()) return std::optional<Bytes>();
  return std::optional<Bytes>(it->second);
}

void StateMapMemoryNodes::apply(const StateMapWrite& write) {
  for (const auto& [key, node] : write.nodes) nodes_[std::string(as_chars(key))] = node;
  stale_.insert(write.stale.begin(), write.stale.end());
}

size_t StateMapMemoryNodes::prune(uint64_t keep_from) {
  size_t deleted = 0;
  while (!stale_.empty()) {
    auto it = stale_.begin();
    auto stale = decode_stale_state_key(*it);
    if (stale.ok()) {
      if (stale->replaced_at > keep_from) break;
      deleted += nodes_.erase(std::string(as_chars(stale->node_key)));
    }
    stale_.erase(it);  // one that names no node is dropped: it can free nothing
  }
  return deleted;
}

}  // namespace medtrail::ledger
