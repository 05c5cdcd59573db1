// GET /v1/audit/search: records across the whole chain by kind, result, organisation, actor and
// time — every rejected record, every rejected dispense of last week — a signed, recorded read
// (docs/audit.md, "Searches"). One index drives the page, chosen by selectivity: the actor's
// list, else the organisation's, else the kind's (its rejected ones for result=rejected), else
// the rejected list, else the leaves themselves; it is read only inside the leaf range of the
// time range (block headers, binary search). The other filters apply per row (audit_page.h).
#include <algorithm>
#include <set>

#include "api/audit_page.h"
#include "api/route_groups.h"
#include "medtrail/ledger/envelope.h"

namespace medtrail::node::api {

namespace {

using nlohmann::json;

constexpr std::string_view kParameters[] = {"kind", "result", "org", "actor", "from", "to",
                                            "after", "limit", "format", "proofs"};

// The access.query contract reads the target's query string as sent, without decoding; the
// node reads it decoded with the last value winning. So that both read the same search: every
// parameter name is written plainly and once, and `org` (the one the policy looks at) needs
// no escapes. Checked before the read is recorded.
std::optional<http::Response> check_raw_query(const http::Request& request) {
  const size_t q = request.target.find('?');
  if (q == std::string::npos) return std::nullopt;
  const std::string_view query = std::string_view(request.target).substr(q + 1);
  std::set<std::string_view> seen;
  for (size_t start = 0; start <= query.size();) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view pair = query.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    const std::string_view key = pair.substr(0, pair.find('='));
    if (std::find(std::begin(kParameters), std::end(kParameters), key) == std::end(kParameters)) {
      return http::Response::error(400, "unknown_parameter",
                                   "unknown parameter " + std::string(key.substr(0, 32)) + " (names are not escaped)");
    }
    if (!seen.insert(key).second) {
      return http::Response::error(400, "repeated_parameter", "parameter " + std::string(key) + " is given twice");
    }
    if (key == "org" && pair.find('%') != std::string_view::npos) {
      return http::Response::error(400, "bad_org", "org is an organisation id, written without escapes");
    }
  }
  return std::nullopt;
}

// Where a search's candidates come from: a list of the search index, or (prefix empty) every
// leaf; and the leaf range [first, end) of its time range.
struct Plan {
  std::string index;   // the driving index, named in the answer
  std::string prefix;  // in the index family
  uint64_t first = 0;
  uint64_t end = UINT64_MAX;
};

ledger::Result<Plan> plan(const ledger::ChainStore& store, const AuditQuery& q) {
  using ledger::SearchList;
  Plan p;
  if (!q.actor.empty()) {
    p = {"actor", ledger::search_prefix(SearchList::kActor, q.actor)};
  } else if (!q.org.empty()) {
    p = {"org", ledger::search_prefix(SearchList::kOrg, q.org)};
  } else if (!q.kind.empty() && q.result == "rejected") {
    p = {"rejected_kind", ledger::search_prefix(SearchList::kRejectedKind, q.kind)};
  } else if (!q.kind.empty()) {
    p = {"kind", ledger::search_prefix(SearchList::kKind, q.kind)};
  } else if (q.result == "rejected") {
    p = {"rejected", ledger::search_prefix(SearchList::kRejected)};
  } else {
    p.index = "leaves";
  }
  // Block times never decrease, so [from, to) is a leaf range: from the first block at or after
  // `from` to the first block at or after `to`. A bound later than every block so far leaves
  // the range open for blocks still to come.
  if (q.from_ms && *q.from_ms > 0) {
    auto first = ledger::first_leaf_at_or_after(store, static_cast<uint64_t>(*q.from_ms));
    if (!first.ok()) return first.status();
    p.first = first->value_or(store.tree_size());
  }
  if (q.to_ms) {
    auto end = ledger::first_leaf_at_or_after(store, static_cast<uint64_t>(std::max<int64_t>(*q.to_ms, 0)));
    if (!end.ok()) return end.status();
    if (*end) p.end = **end;
  }
  return p;
}

ledger::Result<ledger::LeafList> candidates(const ledger::ChainStore& store, const Plan& p,
                                            std::optional<uint64_t> after, size_t max) {
  if (after && *after == UINT64_MAX) return ledger::LeafList{};
  const uint64_t first = std::max(p.first, after ? *after + 1 : 0);
  if (!p.prefix.empty()) return ledger::listed_leaves(store, ledger::ColumnFamily::kIndex, p.prefix, first, p.end, max);
  ledger::LeafList out;
  const uint64_t end = std::min(p.end, store.tree_size());
  for (uint64_t leaf = first; leaf < end; ++leaf) {
    if (out.leaves.size() == max) {
      out.truncated = true;
      break;
    }
    out.leaves.push_back(leaf);
  }
  return out;
}

json search_head(const AuditQuery& q, const std::string& index) {
  json search = json::object();
  const std::pair<const char*, const std::string*> filters[] = {
      {"kind", &q.kind}, {"result", &q.result}, {"org", &q.org}, {"actor", &q.actor}};
  for (const auto& [name, value] : filters) {
    if (!value->empty()) search[name] = *value;
  }
  if (q.from_ms) search["from_ms"] = *q.from_ms;
  if (q.to_ms) search["to_ms"] = *q.to_ms;
  search["index"] = index;
  return {{"search", std::move(search)}};
}

}  // namespace

void register_audit_search_routes(http::Server& server, const ApiContext& ctx,
                                  std::shared_ptr<RecordedReads> reads) {
  const ApiContext* c = &ctx;
  server.route("GET", "/v1/audit/search", [c, reads](const http::Request& request, http::Responder respond) {
    AuditQuery q;
    if (auto refusal = check_raw_query(request)) return respond(std::move(*refusal));
    if (auto refusal = parse_audit_query(request, /*with_signer_filters=*/true, q)) return respond(std::move(*refusal));
    reads->serve(request, std::move(respond), [c, q = std::move(q)](const Reader& reader) {
      auto p = plan(*c->store, q);
      if (!p.ok()) return http::Response::error(500, "internal", "the block headers could not be read");
      LeafSource source = [c, &p](std::optional<uint64_t> after, size_t max) {
        return candidates(*c->store, *p, after, max);
      };
      return audit_page(*c, q, reader, source, search_head(q, p->index));
    });
  });
}

}  // namespace medtrail::node::api
