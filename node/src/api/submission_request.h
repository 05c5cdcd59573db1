#pragma once
// Reading a POST /v1/records request: its media type, its wait options and its envelopes.
#include <chrono>
#include <string_view>
#include <vector>

#include "config/node_config.h"
#include "http/http_server.h"
#include "medtrail/ledger/envelope.h"

namespace medtrail::node::api {

struct Submission {
  // One per envelope of the body, in order; an envelope that does not parse is its error, so
  // the others still go ahead.
  std::vector<ledger::Result<ledger::Envelope>> items;
  bool single = false;  // the body was one envelope object, not an array
  bool wait_for_commit = false;
  std::chrono::milliseconds wait{0};  // how long, when waiting
};

// True for "application/json", any case, optionally with a UTF-8 charset parameter.
bool is_json_media_type(std::string_view content_type);

// Errors: `unsupported_media_type`, `bad_query` (wait other than "commit"/"none", timeout_ms
// not 1..10^9), `malformed_json` (not JSON, neither object nor array, an empty array),
// `too_many_records` (over limits.max_records_per_request).
ledger::Result<Submission> read_submission(const http::Request& request, const NodeLimits& limits);

}  // namespace medtrail::node::api
