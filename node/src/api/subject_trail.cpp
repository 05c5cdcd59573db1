#include "api/subject_trail.h"

#include "medtrail/contracts/state.h"

namespace medtrail::node::api {

ledger::Result<SubjectTrail> subject_trail(const ledger::ChainStore& store, std::string_view subject,
                                           size_t max, std::optional<uint64_t> after) {
  if (after && *after == UINT64_MAX) return SubjectTrail{};
  return ledger::listed_leaves(store, ledger::ColumnFamily::kState, contracts::index_prefix(subject),
                               after ? *after + 1 : 0, UINT64_MAX, max);
}

}  // namespace medtrail::node::api
