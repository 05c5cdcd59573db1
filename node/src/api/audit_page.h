#pragma once
// One page of an audit listing (docs/audit.md): a subject's trail or a search across the chain.
// Both read candidate leaves in chain order from an index, apply the remaining filters to each
// row, and answer the same rows — JSON (with `proofs=1`, each row's inclusion proof) or CSV — with
// the same keyset cursor: `after` is the last leaf a page looked at, so pages return every match
// exactly once while the chain grows, and `next` is null only at the end.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/api_context.h"
#include "api/recorded_reads.h"
#include "http/http_server.h"
#include "medtrail/ledger/search_index.h"

namespace medtrail::node::api {

struct AuditQuery {
  std::optional<uint64_t> after;
  size_t limit = 100;
  std::string kind;    // "" any
  std::string result;  // "", accepted, rejected
  std::string org;     // "" any, else the record's organisation (searches only)
  std::string actor;   // "" any, else the record's signer (searches only)
  std::optional<int64_t> from_ms, to_ms;
  bool csv = false;
  bool proofs = false;  // each row's leaf and its inclusion proof to the newest quorum checkpoint
};

// Parses the request's query string into `q`, or returns the 400 refusing it (checked before the
// read is recorded). `org` and `actor` are parameters only `with_signer_filters` (searches).
std::optional<http::Response> parse_audit_query(const http::Request& request,
                                                bool with_signer_filters, AuditQuery& q);

// The candidate leaves after `after` (from the first when nullopt), in chain order, at most `max`;
// `truncated` when more follow.
using LeafSource =
    std::function<ledger::Result<ledger::LeafList>(std::optional<uint64_t> after, size_t max)>;

// The page: reads `source` from q.after until `limit` rows match or the scan budget is spent.
// `head` (e.g. {"subject": ...}) opens the JSON answer. `trail_subject`: the source is that
// subject's trail, and a page with proofs of the whole trail (no filter) also carries "trail",
// the proofs that it lists every record of the subject (ledger::served_trail_proofs; null when
// they cannot be served now).
http::Response audit_page(const ApiContext& ctx, const AuditQuery& q, const Reader& reader,
                          const LeafSource& source, nlohmann::json head,
                          std::optional<std::string_view> trail_subject = std::nullopt);

}  // namespace medtrail::node::api
