#pragma once
// What links report to the network that owns them. Links hold it weakly: a completion that
// outlives the network finds nobody to tell and just ends.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "medtrail/ledger/bytes.h"

namespace medtrail::node::peer {

class InboundLink;

struct LinkLimits {
  uint64_t max_frame_bytes = 0;
  uint32_t max_queue_frames = 0;
  uint64_t max_queue_bytes = 0;
  std::chrono::milliseconds handshake_timeout{0};
  std::chrono::milliseconds min_backoff{0};
  std::chrono::milliseconds max_backoff{0};
};

class LinkEvents {
 public:
  virtual ~LinkEvents() = default;
  virtual void count_auth_failure() = 0;
  virtual void count_malformed_frame() = 0;
  // The pin the membership gives `node_id`; empty for an unknown node.
  virtual std::optional<ledger::Hash> pin_for(const std::string& node_id) = 0;
  // `link` proved it is `node_id`. False: it must close (stopped, or the peer was removed).
  virtual bool inbound_authenticated(const std::shared_ptr<InboundLink>& link,
                                     const std::string& node_id) = 0;
  virtual void inbound_frame(const InboundLink* link, const std::string& node_id,
                             std::string frame) = 0;
  // Called once per link, authenticated or not, when it closes.
  virtual void inbound_closed(const InboundLink* link) = 0;
};

}  // namespace medtrail::node::peer
