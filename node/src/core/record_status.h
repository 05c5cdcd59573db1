#pragma once
// What a client is told about one submitted record.
#include <cstdint>
#include <string>

#include "core/block_applier.h"
#include "medtrail/ledger/block.h"

namespace medtrail::node {

enum class RecordState {
  kPending,     // admitted, not yet in a block (no wait asked, or the wait timed out)
  kCommitted,   // in a block now, accepted
  kRejected,    // in a block now, refused by its contract (the leaf carries the reason)
  kDuplicate,   // already on the chain: the existing leaf's result
  kInvalid,     // refused before it could be a leaf (structure, signature, unknown signer)
  kOverloaded,  // the admission queue is full: retry later
};

struct RecordStatus {
  std::string id;  // record id (hex), empty when the envelope could not be read at all
  RecordState state = RecordState::kPending;
  uint64_t height = 0;      // committed / rejected / duplicate
  uint64_t leaf_index = 0;
  ledger::ExecutionResult result;  // committed / rejected / duplicate
  std::string code;     // invalid / overloaded
  std::string message;

  static RecordStatus invalid(std::string id, std::string code, std::string message);
  // The status a record's apply outcome gives it.
  static RecordStatus from_outcome(std::string id, const RecordOutcome& outcome);
};

// "pending", "committed", ...: the names clients see.
const char* record_state_name(RecordState state);

}  // namespace medtrail::node
