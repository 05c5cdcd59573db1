#pragma once
// The pharmacist's view of a prescription, for a reader whose signed query the chain accepted:
// authentic (issued on the chain by a doctor whose registration stood that day), reviewed,
// valid, what every pharmacy dispensed and what remains, cancelled, its trail — and whether the
// rx contract, run read-only, would take the reader's dispense of the rest here and now; with
// the proof of its status (trace_proof.h: its public facts against the newest quorum checkpoint).
// A prescription issued at or after the reader's own query leaf is not shown (404): the query
// was judged against the state before it, where the prescription did not exist.
#include <string>

#include "api/api_context.h"
#include "api/recorded_reads.h"
#include "http/http_server.h"

namespace medtrail::node::api {

http::Response prescription_view(const ApiContext& ctx, const std::string& id, const Reader& reader);

}  // namespace medtrail::node::api
