#include "medtrail/ledger/proposal.h"

#include "serialization.h"

namespace medtrail::ledger {

template <class Archive>
void serialize(Archive& ar, Proposal& p) {
  ar(p.timestamp_ms);
  bounded_list(ar, p.envelopes, kMaxProposalEnvelopes);
  bounded_list(ar, p.checkpoints, kMaxCheckpointsPerBlock);
}

Bytes encode_proposal(const Proposal& proposal) { return encode_value(proposal); }

Result<Proposal> decode_proposal(ByteView data) {
  return decode_value<Proposal>(data, "proposal");
}

}  // namespace medtrail::ledger
