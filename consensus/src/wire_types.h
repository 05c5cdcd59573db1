#pragma once
// Private: the layouts of Raft's compound types inside a wire archive, shared by the message
// codec and the storage encodings so one entry or configuration has exactly one layout.

#include <algorithm>
#include <string>
#include <vector>

#include "medtrail/consensus/types.h"
#include "wire.h"

namespace medtrail::consensus::wire {

// term u64, index u64, type u8, data length u64: the least an encoded entry can occupy.
inline constexpr uint64_t kMinEntryBytes = 25;

inline void write_entry(Writer& w, const Entry& e) {
  w.u64(e.term);
  w.u64(e.index);
  w.u8(static_cast<uint8_t>(e.type));
  w.bytes(e.data);
}

inline Entry read_entry(Reader& r, uint64_t max_data_bytes) {
  Entry e;
  e.term = r.u64();
  e.index = r.u64();
  e.type = r.enumeration(EntryType::kConfChange);
  e.data = r.bytes(max_data_bytes);
  return e;
}

inline void write_node_list(Writer& w, const std::vector<NodeId>& ids) {
  w.count(ids.size());
  for (NodeId id : ids) w.u64(id);
}

// types.h promises sorted, unique ids: anything else is refused rather than passed on.
inline std::vector<NodeId> read_node_list(Reader& r, uint64_t max_nodes) {
  std::vector<NodeId> ids(static_cast<size_t>(r.count(max_nodes, sizeof(uint64_t))));
  for (size_t i = 0; i < ids.size(); ++i) {
    ids[i] = r.u64();
    if (i > 0 && ids[i] <= ids[i - 1]) r.fail("node ids not sorted and unique");
  }
  return ids;
}

inline void write_conf_state(Writer& w, const ConfState& c) {
  write_node_list(w, c.voters);
  write_node_list(w, c.learners);
}

inline ConfState read_conf_state(Reader& r, uint64_t max_nodes) {
  ConfState c;
  c.voters = read_node_list(r, max_nodes);
  c.learners = read_node_list(r, max_nodes);
  for (NodeId id : c.learners) {
    if (std::binary_search(c.voters.begin(), c.voters.end(), id)) r.fail("learner is a voter");
  }
  return c;
}

inline void write_snapshot_meta(Writer& w, const SnapshotMeta& m) {
  w.u64(m.index);
  w.u64(m.term);
  write_conf_state(w, m.conf);
}

inline SnapshotMeta read_snapshot_meta(Reader& r, uint64_t max_nodes) {
  SnapshotMeta m;
  m.index = r.u64();
  m.term = r.u64();
  m.conf = read_conf_state(r, max_nodes);
  return m;
}

}  // namespace medtrail::consensus::wire
