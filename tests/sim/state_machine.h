#pragma once
// A simulated node's application: an append-only list of the values clients appended, plus the
// configuration as of the last applied entry (needed to label snapshots). Volatile: a crash
// loses it, and a restart rebuilds it from the storage snapshot while Raft re-delivers the
// committed entries after it.

#include <cstdint>
#include <string>
#include <vector>

#include "medtrail/consensus/status.h"
#include "medtrail/consensus/types.h"

namespace medtrail::sim {

using consensus::ConfState;
using consensus::Entry;
using consensus::Index;

class StateMachine {
 public:
  StateMachine() = default;
  explicit StateMachine(ConfState bootstrap) : conf_(std::move(bootstrap)) {}
  // The state captured in `snapshot` (errors: `corruption` for undecodable data).
  static consensus::Result<StateMachine> restore(const consensus::Snapshot& snapshot);

  // `entry.index` must be applied() + 1; the caller checks that (it is an invariant).
  void apply(const Entry& entry);
  std::string snapshot_data() const;

  Index applied() const { return applied_; }
  const std::vector<uint64_t>& values() const { return values_; }
  // fold() over values(): what a read reports alongside the length.
  uint64_t digest() const { return digest_; }
  const ConfState& conf() const { return conf_; }

 private:
  Index applied_ = 0;
  std::vector<uint64_t> values_;
  uint64_t digest_ = 0;
  ConfState conf_;
};

// Single-server membership change (thesis §4.1) applied to a configuration, as Raft applies it.
ConfState apply_conf_change(ConfState conf, const consensus::ConfChange& change);

}  // namespace medtrail::sim
