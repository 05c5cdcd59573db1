#pragma once
// How records look in API responses (docs/openapi.yaml: RecordStatus, Record).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "core/record_status.h"
#include "medtrail/ledger/block.h"

namespace medtrail::node::api {

// {"accepted", "reason_code", "reason"}
nlohmann::json execution_result_json(const ledger::ExecutionResult& result);

// {"id", "status", "height"?, "leaf_index"?, "result"?, "code"?, "message"?}: placement fields
// only for records on the chain, code and message only for invalid and overloaded ones.
nlohmann::json record_status_json(const RecordStatus& status);

// A stored leaf: {"id", "leaf_index", "height", "timestamp_ms", "envelope" (wire form),
// "signer_public_key" (hex), "result"}.
nlohmann::json leaf_json(const std::string& id, uint64_t leaf_index,
                         const ledger::LeafRecord& leaf);

}  // namespace medtrail::node::api
