#pragma once
// The simulated network: every message is scheduled for delivery at virtual time + delay, and
// may be dropped, duplicated or held back (reordered) according to its link's faults. Links are
// directed, so partitions can be symmetric or one-way. Messages go through the real wire codec.

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "medtrail/consensus/types.h"
#include "sim/event_queue.h"
#include "sim/rng.h"

namespace medtrail::sim {

using consensus::Message;
using consensus::NodeId;

struct LinkFaults {
  double drop = 0;
  double duplicate = 0;
  double reorder = 0;  // probability a message is held back by up to `reorder_delay` extra
  Time min_delay = 1;
  Time max_delay = 3;
  Time reorder_delay = 40;
};

struct NetworkStats {
  uint64_t sent = 0;
  uint64_t delivered = 0;
  uint64_t dropped = 0;     // by faults, partitions or filters
  uint64_t duplicated = 0;
};

class Network {
 public:
  using Deliver = std::function<void(Message)>;
  // Called when a message does not survive encode → decode unchanged.
  using CodecFailure = std::function<void(const Message&, std::string)>;

  Network(EventQueue& events, Rng rng, bool use_codec, Deliver deliver, CodecFailure failure);

  void send(Message message);

  // Directed link state. A cut link loses messages sent over it and those in flight on it.
  void cut(NodeId from, NodeId to) { cut_.insert({from, to}); }
  void cut_both(NodeId a, NodeId b) { cut(a, b), cut(b, a); }
  void heal(NodeId from, NodeId to) { cut_.erase({from, to}); }
  void heal_both(NodeId a, NodeId b) { heal(a, b), heal(b, a); }
  void heal_all() { cut_.clear(); }
  bool connected(NodeId from, NodeId to) const { return !cut_.contains({from, to}); }
  const std::set<std::pair<NodeId, NodeId>>& cut_links() const { return cut_; }

  void set_default_faults(const LinkFaults& faults) { default_faults_ = faults; }
  const LinkFaults& default_faults() const { return default_faults_; }
  void set_link_faults(NodeId from, NodeId to, const LinkFaults& faults);
  void clear_link_faults() { link_faults_.clear(); }

  // Scenario hook: messages for which `drop` returns true are lost (e.g. one snapshot chunk).
  void set_filter(std::function<bool(const Message&)> drop) { filter_ = std::move(drop); }

  const NetworkStats& stats() const { return stats_; }

 private:
  const LinkFaults& faults_for(NodeId from, NodeId to) const;
  void schedule(const Message& message, const LinkFaults& faults);

  EventQueue& events_;
  Rng rng_;
  bool use_codec_;
  Deliver deliver_;
  CodecFailure codec_failure_;
  std::set<std::pair<NodeId, NodeId>> cut_;
  LinkFaults default_faults_;
  std::map<std::pair<NodeId, NodeId>, LinkFaults> link_faults_;
  std::function<bool(const Message&)> filter_;
  NetworkStats stats_;
};

}  // namespace medtrail::sim
