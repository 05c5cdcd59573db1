#include "conf_replay.h"

#include <algorithm>

#include "medtrail/consensus/raft.h"

namespace medtrail::consensus {
namespace {

void erase_id(std::vector<NodeId>& ids, NodeId id) {
  auto it = std::lower_bound(ids.begin(), ids.end(), id);
  if (it != ids.end() && *it == id) ids.erase(it);
}

void insert_id(std::vector<NodeId>& ids, NodeId id) {
  auto it = std::lower_bound(ids.begin(), ids.end(), id);
  if (it == ids.end() || *it != id) ids.insert(it, id);
}

// Bounds the memory one replay step holds while scanning a long uncompacted tail.
constexpr uint64_t kReplayBatchBytes = 4ull << 20;

// One single-server change (thesis §4.1); the lists stay sorted and disjoint.
// Mirrors RaftCore::apply_conf_change, which ignores changes naming node 0.
void apply_conf_change_to(ConfState& conf, const ConfChange& change) {
  if (change.node == kNoNode) return;
  switch (change.type) {
    case ConfChangeType::kAddVoter:
      erase_id(conf.learners, change.node);
      insert_id(conf.voters, change.node);
      break;
    case ConfChangeType::kAddLearner:
      erase_id(conf.voters, change.node);
      insert_id(conf.learners, change.node);
      break;
    case ConfChangeType::kRemoveNode:
      erase_id(conf.voters, change.node);
      erase_id(conf.learners, change.node);
      break;
  }
}

}  // namespace

Result<ConfState> replay_conf_changes(const LogStorage& storage, ConfState conf, Index after,
                                      Index through) {
  Index next = after + 1;
  while (next <= through) {
    Result<std::vector<Entry>> batch = storage.entries(next, through + 1, kReplayBatchBytes);
    if (!batch.ok()) return batch.status();
    if (batch->empty()) return Status::error("corruption", "log ends before the commit index");
    for (const Entry& e : *batch) {
      if (e.type != EntryType::kConfChange) continue;
      // The bytes passed their checksum, so an undecodable change was committed that way; the
      // core skips it when applying, and so must the replay, or configurations would diverge.
      Result<ConfChange> change = decode_conf_change(e.data);
      if (change.ok()) apply_conf_change_to(conf, *change);
    }
    next += batch->size();
  }
  return conf;
}

}  // namespace medtrail::consensus
