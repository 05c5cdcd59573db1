#pragma once
// The citizen's lookup of one code (docs/trace.md): a vaccine dose, a tableware batch, or a
// prescription by the id printed on the patient's copy. Public facts only, chosen field by field
// (an allow-list, never "everything but"): no patient ref, diagnosis, drug, or any person's id.
// Organisations appear by name: they are institutions answering for what they did.
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "medtrail/contracts/context.h"
#include "medtrail/ledger/chain_store.h"

namespace medtrail::node::api {

enum class TraceKind { kVaccine, kTableware, kRx };

struct TraceAnswer {
  bool found = false;
  // The word a person reads at a glance: GENUINE, ALREADY_ADMINISTERED, RECALLED, EXPIRED,
  // QUARANTINED, HELD (doses of a lot not released, batches held), UNKNOWN_CODE; prescriptions:
  // VALID, PARTLY_DISPENSED, DISPENSED, DELIVERED, EXPIRED, CANCELLED, REJECTED.
  std::string status;
  nlohmann::json body;  // {kind, code, found, status, facts, timeline, timeline_truncated, as_of}
};

// A timeline lists at most this many records (the oldest first); `timeline_truncated` says so.
inline constexpr size_t kMaxTimelineRecords = 200;

// Errors: `bad_code` (not a code of that kind: the form is public, so refusing it early reveals
// nothing), `corrupt_state`, `io_error`. A well-formed code the chain does not know is
// found = false, UNKNOWN_CODE, with the same shape as a known one.
ledger::Result<TraceAnswer> trace_lookup(const ledger::ChainStore& store,
                                         const contracts::ChainParams& chain, TraceKind kind,
                                         std::string_view code, int64_t now_ms);

const char* trace_kind_name(TraceKind kind);  // "vaccine", "tableware", "rx"

}  // namespace medtrail::node::api
