#include "sim/state_machine.h"

#include <algorithm>

#include "medtrail/consensus/raft.h"
#include "sim/hash.h"
#include "sim/payload.h"

namespace medtrail::sim {
namespace {

void erase(std::vector<consensus::NodeId>& ids, consensus::NodeId id) {
  ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end());
}

void insert_sorted(std::vector<consensus::NodeId>& ids, consensus::NodeId id) {
  auto at = std::lower_bound(ids.begin(), ids.end(), id);
  if (at == ids.end() || *at != id) ids.insert(at, id);
}

void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

uint64_t get_u64(const std::string& in, size_t at) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
  return v;
}

}  // namespace

ConfState apply_conf_change(ConfState conf, const consensus::ConfChange& change) {
  switch (change.type) {
    case consensus::ConfChangeType::kAddVoter:
      erase(conf.learners, change.node);
      insert_sorted(conf.voters, change.node);
      break;
    case consensus::ConfChangeType::kAddLearner:
      erase(conf.voters, change.node);
      insert_sorted(conf.learners, change.node);
      break;
    case consensus::ConfChangeType::kRemoveNode:
      erase(conf.voters, change.node);
      erase(conf.learners, change.node);
      break;
  }
  return conf;
}

void StateMachine::apply(const Entry& entry) {
  applied_ = entry.index;
  if (entry.type == consensus::EntryType::kConfChange) {
    auto change = consensus::decode_conf_change(entry.data);
    if (change.ok()) conf_ = apply_conf_change(std::move(conf_), *change);
    return;
  }
  if (auto value = decode_append(entry.data)) {
    values_.push_back(*value);
    digest_ = fold(digest_, *value);
  }
}

// Layout: count, then the values, then their digest (so a damaged image is noticed), each a
// little-endian u64.
std::string StateMachine::snapshot_data() const {
  std::string out;
  out.reserve(8 * (values_.size() + 2));
  put_u64(out, values_.size());
  for (uint64_t v : values_) put_u64(out, v);
  put_u64(out, digest_);
  return out;
}

consensus::Result<StateMachine> StateMachine::restore(const consensus::Snapshot& snapshot) {
  StateMachine sm(snapshot.meta.conf);
  sm.applied_ = snapshot.meta.index;
  const std::string& data = snapshot.data;
  if (data.empty() && snapshot.meta.index == 0) return sm;
  if (data.size() < 16 || data.size() % 8 != 0 || get_u64(data, 0) != data.size() / 8 - 2) {
    return consensus::Status::error("corruption", "snapshot image has a bad length");
  }
  const uint64_t count = get_u64(data, 0);
  for (uint64_t i = 0; i < count; ++i) {
    sm.values_.push_back(get_u64(data, 8 * (i + 1)));
    sm.digest_ = fold(sm.digest_, sm.values_.back());
  }
  if (sm.digest_ != get_u64(data, 8 * (count + 1))) {
    return consensus::Status::error("corruption", "snapshot image digest mismatch");
  }
  return sm;
}

}  // namespace medtrail::sim
