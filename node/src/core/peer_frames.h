#pragma once
// What travels on a peer link: a one-byte tag, then the body.
//   'R' + encode_message(raft message)
//   'P' + encode_proposal(proposal)   a follower hands the records it admitted to the leader
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

using PeerFrame = std::variant<consensus::Message, ledger::Proposal>;
ledger::Result<PeerFrame> decode_peer_frame(std::string_view frame, uint64_t max_message_bytes);

}  // namespace medtrail::node
