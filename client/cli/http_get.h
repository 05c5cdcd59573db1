#pragma once
// One blocking HTTP/1.1 GET to a node's API, bounded in time and size: the CLI's read commands
// fetch a document, then check it themselves.
#include <chrono>
#include <string>

#include "medtrail/ledger/status.h"
#include "node_url.h"

namespace medtrail::cli {

struct HttpReply {
  int status = 0;
  std::string body;
};

// Errors: `unreachable` (resolve, connect, timeout, a reply that is not HTTP or too large).
ledger::Result<HttpReply> http_get(const NodeUrl& node, const std::string& target,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(10),
                                   size_t max_body_bytes = 1 << 20);

}  // namespace medtrail::cli
