#include "core/peer_frames.h"

#include "medtrail/consensus/codec.h"

namespace medtrail::node {

namespace {
constexpr char kRaftTag = 'R';
constexpr char kForwardTag = 'P';
constexpr char kCheckpointTag = 'C';

std::string tagged(char tag, const ledger::Proposal& proposal) {
  ledger::Bytes body = ledger::encode_proposal(proposal);
  std::string frame(1, tag);
  frame.append(reinterpret_cast<const char*>(body.data()), body.size());
  return frame;
}
}  // namespace

std::string raft_frame(const consensus::Message& message) {
  return kRaftTag + consensus::encode_message(message);
}

std::string forward_frame(const ledger::Proposal& proposal) { return tagged(kForwardTag, proposal); }

std::string checkpoint_frame(const ledger::SignedCheckpoint& checkpoint) {
  ledger::Proposal carrier;
  carrier.checkpoints.push_back(checkpoint);
  return tagged(kCheckpointTag, carrier);
}

ledger::Result<PeerFrame> decode_peer_frame(std::string_view frame, uint64_t max_message_bytes) {
  if (frame.empty()) return ledger::Status::error("malformed", "empty peer frame");
  std::string_view body = frame.substr(1);
  if (frame[0] == kRaftTag) {
    consensus::CodecLimits limits;
    limits.max_message_bytes = max_message_bytes;
    auto message = consensus::decode_message(body, limits);
    if (!message.ok()) {
      return ledger::Status::error("malformed", "raft message: " + message.status().message());
    }
    return PeerFrame(std::move(*message));
  }
  if (frame[0] == kForwardTag || frame[0] == kCheckpointTag) {
    auto proposal = ledger::decode_proposal(ledger::as_bytes(body));
    if (!proposal.ok()) {
      return ledger::Status::error("malformed", "peer proposal: " + proposal.status().message());
    }
    if (frame[0] == kForwardTag) return PeerFrame(std::move(*proposal));
    if (proposal->checkpoints.size() != 1 || !proposal->envelopes.empty()) {
      return ledger::Status::error("malformed", "a checkpoint frame carries one checkpoint");
    }
    return PeerFrame(std::move(proposal->checkpoints[0]));
  }
  return ledger::Status::error("malformed", "unknown peer frame tag");
}

}  // namespace medtrail::node
