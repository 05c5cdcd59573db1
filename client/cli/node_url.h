#pragma once
// A node's API address as the CLI takes it: "http://host:port" (a trailing "/" allowed).
#include <string>

#include "medtrail/ledger/status.h"

namespace medtrail::cli {

struct NodeUrl {
  std::string host;
  std::string port;
};

// Errors: `bad_url` (no path, no https: the CLI checks what it reads, not the channel).
ledger::Result<NodeUrl> parse_node_url(const std::string& url);

}  // namespace medtrail::cli
