#include "sim/network.h"

#include <algorithm>

#include "medtrail/consensus/codec.h"

namespace medtrail::sim {

Network::Network(EventQueue& events, Rng rng, bool use_codec, Deliver deliver,
                 CodecFailure failure)
    : events_(events),
      rng_(rng),
      use_codec_(use_codec),
      deliver_(std::move(deliver)),
      codec_failure_(std::move(failure)) {}

void Network::set_link_faults(NodeId from, NodeId to, const LinkFaults& faults) {
  link_faults_[{from, to}] = faults;
}

const LinkFaults& Network::faults_for(NodeId from, NodeId to) const {
  auto it = link_faults_.find({from, to});
  return it == link_faults_.end() ? default_faults_ : it->second;
}

void Network::send(Message message) {
  ++stats_.sent;
  std::string bytes;
  if (use_codec_) {
    bytes = consensus::encode_message(message);
    auto decoded = consensus::decode_message(bytes);
    if (!decoded.ok()) {
      codec_failure_(message, decoded.status().to_string());
      return;
    }
    if (!(*decoded == message)) {
      codec_failure_(message, "decoded message differs from the one encoded");
      return;
    }
  }
  const LinkFaults& faults = faults_for(message.from, message.to);
  if (!connected(message.from, message.to) || (filter_ && filter_(message)) ||
      rng_.chance(faults.drop)) {
    ++stats_.dropped;
    return;
  }
  schedule(message, faults);
  if (rng_.chance(faults.duplicate)) {
    ++stats_.duplicated;
    schedule(message, faults);
  }
}

void Network::schedule(const Message& message, const LinkFaults& faults) {
  Time delay = rng_.between(faults.min_delay, std::max(faults.min_delay, faults.max_delay));
  if (rng_.chance(faults.reorder)) delay += rng_.between(1, faults.reorder_delay);
  // What the receiver would decode off the wire is this same value (checked in send()).
  events_.after(delay, [this, message]() mutable {
    if (!connected(message.from, message.to)) {
      ++stats_.dropped;
      return;
    }
    ++stats_.delivered;
    deliver_(std::move(message));
  });
}

}  // namespace medtrail::sim
