#pragma once
// The public lookup URL of a code, as the node serves it to citizens: <node>/trace/<kind>/<code>.
#include <string>

#include "medtrail/ledger/status.h"
#include "node_url.h"

namespace medtrail::cli {

enum class TraceKind { kVaccine, kTableware, kRx };

// The URL's path segment for `kind`: "vaccine", "tableware", "rx".
const char* trace_kind_segment(TraceKind kind);

// Checks `code` for `kind`; `bad_code` with the rule it breaks (the code itself is not echoed:
// it may hold control bytes). Vaccine code: 1..128 printable ASCII, no space (a GS1 element
// string such as "(01)06903001000014(17)271231(10)QL2026A(21)000123"). Tableware batch: 1..64
// of [A-Za-z0-9._-]. Rx id: exactly 64 lowercase hex.
ledger::Status check_trace_code(TraceKind kind, const std::string& code);

// RFC 3986 path segment: unreserved characters (ALPHA DIGIT - . _ ~) stay, every other byte
// becomes %XX (uppercase hex), '/' included, so a code is always exactly one segment.
std::string percent_encode_segment(const std::string& text);

// "http://<host>:<port>/trace/<kind>/<encoded code>". Checks the code, and the node's host and
// port further than parse_node_url does (they go into a URL a phone opens): host a DNS name or
// IPv4 address ([A-Za-z0-9.-], 1..253) or a bracketed IPv6 literal, port 1..65535.
// Errors: `bad_code`, `bad_url`.
ledger::Result<std::string> public_trace_url(const NodeUrl& node, TraceKind kind,
                                             const std::string& code);

}  // namespace medtrail::cli
