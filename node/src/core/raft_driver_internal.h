#pragma once
// What the Raft driver's files (raft_driver*.cpp) share; not for use elsewhere.
#include <string>
#include <vector>

#include "core/block_applier.h"
#include "medtrail/consensus/status.h"

namespace medtrail::node::driver_internal {

inline Status from_raft(const consensus::Status& s) {
  return s.ok() ? Status() : Status::error(s.code(), s.message());
}

// Meta keys a ledger image carries besides the ledger's own: the applied index it matches,
// and the records of members added after genesis.
inline const std::vector<std::string>& image_meta_keys() {
  static const std::vector<std::string> keys{BlockApplier::kAppliedIndexKey, "member/"};
  return keys;
}

}  // namespace medtrail::node::driver_internal
