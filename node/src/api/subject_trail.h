#pragma once
// A subject's trail as the contracts index it ("ix/<subject>\0<leaf>" in the state family):
// the leaves of every record about it, rejected attempts included, in chain order. Reads index
// entries, never scans blocks: the cost follows the answer, not the chain.
#include <cstdint>
#include <optional>
#include <string_view>

#include "medtrail/ledger/search_index.h"

namespace medtrail::node::api {

using SubjectTrail = ledger::LeafList;

// At most `max` leaves of the trail, from its start or from the first leaf after `after` (a
// keyset cursor: entries are only ever appended with higher leaves, so a cursor never skips or
// repeats one however the chain grows). Errors: the index could not be read.
ledger::Result<SubjectTrail> subject_trail(const ledger::ChainStore& store, std::string_view subject,
                                           size_t max, std::optional<uint64_t> after = {});

}  // namespace medtrail::node::api
