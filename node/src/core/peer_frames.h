#pragma once
// What travels on a peer link: a one-byte tag, then the body.
//   'R' + encode_message(raft message)
//   'P' + encode_proposal(proposal)   a follower hands the records it admitted to the leader
//   'C' + encode_proposal({checkpoints: [one]})   a node's checkpoint signature, to every peer
//         (the proposal encoding already bounds checkpoint lists and signatures)
// Anything else is refused (`malformed`) and counted; it never reaches Raft.
#include <string>
#include <string_view>
#include <variant>

#include "medtrail/consensus/types.h"
#include "medtrail/ledger/proposal.h"
#include "medtrail/ledger/status.h"

namespace medtrail::node {

std::string raft_frame(const consensus::Message& message);
std::string forward_frame(const ledger::Proposal& proposal);
std::string checkpoint_frame(const ledger::SignedCheckpoint& checkpoint);

using PeerFrame = std::variant<consensus::Message, ledger::Proposal, ledger::SignedCheckpoint>;
ledger::Result<PeerFrame> decode_peer_frame(std::string_view frame, uint64_t max_message_bytes);

}  // namespace medtrail::node
