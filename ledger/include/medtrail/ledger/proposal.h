#pragma once
// A proposal is what the leader replicates as one Raft entry and every node turns into one
// block: the leader's timestamp, the admitted envelopes in order, and checkpoint signatures
// collected since the last proposal (DESIGN.md, "Blocks, the log and checkpoints").
// Encoded like every stored structure (version byte, cereal portable binary, every
// variable-length field read with a bound), because a faulty leader's bytes reach every node.

#include <cstdint>
#include <vector>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/checkpoint.h"
#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

inline constexpr uint64_t kMaxProposalEnvelopes = 100000;

struct Proposal {
  uint64_t timestamp_ms = 0;
  std::vector<Envelope> envelopes;
  std::vector<SignedCheckpoint> checkpoints;
  bool operator==(const Proposal&) const = default;
};

Bytes encode_proposal(const Proposal& proposal);
// Errors: `corruption` (wrong version, truncated, trailing bytes, a length over its bound).
Result<Proposal> decode_proposal(ByteView data);

}  // namespace medtrail::ledger
