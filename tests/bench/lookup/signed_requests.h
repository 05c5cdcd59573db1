#pragma once
// `lookup_bench sign`: requests signed ahead of a wrk run, one a line, for
// scripts/bench-lookup/presigned.lua: "METHOD\tTARGET\tAUTHORIZATION\tBODY" (the whole header value) (either of the last
// two may be empty). A signed query is good for one request within 5 minutes of its signing
// (docs/api-auth.md), so the script signs right before each run, and more than a run can use.
#include <cstdint>
#include <string>

namespace medtrail::bench::lookup {

struct SignSpec {
  std::string dir;     // the serving harness's --out directory (keys, ids, chain id)
  std::string what;    // "verify" (GET /v1/prescriptions/{random id}), "ingest" (POST
                       // /v1/records?wait=commit of a new tableware batch), "query" (GET target)
  uint64_t count = 0;
  std::string target;  // for "query"
  std::string prefix;  // for "ingest": batch codes TW-<prefix><n>, distinct per run
  std::string out;     // the file written
};

// Returns 0, or prints why not and returns 1.
int sign_requests(const SignSpec& spec);

}  // namespace medtrail::bench::lookup
