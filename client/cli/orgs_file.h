#pragma once
// The input of `medtrail genesis init`: who is in the consortium and where its nodes run,
// without any keys (init generates those). Strict JSON: unknown or duplicate keys are errors.
//
//   {"chain_name", "suite"?, "time_zone"?, "checkpoint_quorum",
//    "organisations": [{"id", "name", "roles": [...]}],
//    "nodes": [{"id", "org", "peer_address"?, "api_address"?}],
//    "raft"?: {"tick_ms"?, "election_ticks"?, "heartbeat_ticks"?},
//    "pseudonym"?: {"org", "org_daily_limit"?, "person_daily_limit"?, "citizen_daily_limit"?},
//    "confidential_fields"?: "sealed" (the default) | "clear_allowed",
//    "prescription_flow"?: "issuing_hospital" (the default) | "any_institution"}

#include <string_view>

#include "medtrail/ledger/genesis.h"

namespace medtrail::cli {

// A genesis without keys, pins or `created`; a node's addresses are empty where the file
// leaves them out. Values are checked later, by parse_genesis on the finished genesis.
// Errors: `bad_orgs_file` naming the field.
ledger::Result<ledger::Genesis> parse_orgs_file(std::string_view text);

}  // namespace medtrail::cli
