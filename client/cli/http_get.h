#pragma once
// One blocking HTTP/1.1 request to a node's API, bounded in time and size: the CLI's read commands
// fetch a document, then check it themselves.
#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "medtrail/ledger/status.h"
#include "node_url.h"

namespace medtrail::cli {

struct HttpReply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string header(const std::string& lowercase_name) const {
    auto it = headers.find(lowercase_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// Errors: `unreachable` (resolve, connect, timeout, a reply that is not HTTP or too large).
ledger::Result<HttpReply> http_get(const NodeUrl& node, const std::string& target,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(10),
                                   size_t max_body_bytes = 1 << 20, const HttpHeaders& headers = {});
// The same for any method with a JSON body (a POST): http_get is this with "GET" and no body.
ledger::Result<HttpReply> http_exchange(const NodeUrl& node, const std::string& method, const std::string& target,
                                        const std::string& body, std::chrono::milliseconds timeout,
                                        size_t max_body_bytes, const HttpHeaders& headers);

}  // namespace medtrail::cli
