#pragma once
// A subject's trail as the contracts index it ("ix/<subject>\0<leaf>" in the state family):
// the leaves of every record about it, rejected attempts included, in chain order. Reads index
// entries, never scans blocks: the cost follows the answer, not the chain.
#include <cstdint>
#include <string_view>
#include <vector>

#include "medtrail/ledger/chain_store.h"

namespace medtrail::node::api {

struct SubjectTrail {
  std::vector<uint64_t> leaves;  // in chain order
  bool truncated = false;        // more than `max` entries exist
};

// At most `max` leaves from the start of the trail. Errors: the index could not be read.
ledger::Result<SubjectTrail> subject_trail(const ledger::ChainStore& store, std::string_view subject,
                                           size_t max);

}  // namespace medtrail::node::api
