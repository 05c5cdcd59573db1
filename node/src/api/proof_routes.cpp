// GET /v1/proofs/inclusion and GET /v1/proofs/consistency: the proof documents of
// docs/proofs.md, computed from the node's Merkle log. Public: a proof holds only hashes, and a
// leaf hash binds the leaf's signature bytes, so it reveals nothing a reader could guess. A
// client checks each proof against the root of a checkpoint it trusts, never against what the
// proof itself says.
#include "medtrail/ledger/decimal.h"
#include "api/route_groups.h"
#include "medtrail/ledger/block.h"
#include "medtrail/ledger/proof_json.h"

namespace medtrail::node::api {

namespace {

// `name` from the query as a decimal, `fallback` when absent (nullopt fallback: required).
// Sets `error` on a value that is not a decimal or a missing required one.
std::optional<uint64_t> query_number(const http::Request& request, const char* name,
                                     std::optional<uint64_t> fallback,
                                     std::optional<http::Response>& error) {
  auto it = request.query.find(name);
  if (it == request.query.end()) {
    if (!fallback) {
      error = http::Response::error(400, "bad_query", std::string(name) + " is required");
    }
    return fallback;
  }
  auto value = ledger::parse_decimal(it->second);
  if (!value) error = http::Response::error(400, "bad_query", std::string(name) + " must be a decimal number");
  return value;
}

// ?leaf=N[&tree_size=M]: M defaults to the node's tree size now.
http::Response inclusion(const ApiContext& ctx, const http::Request& request) {
  const ledger::ChainStore& store = *ctx.store;
  const uint64_t head = store.tree_size();
  std::optional<http::Response> error;
  auto leaf = query_number(request, "leaf", std::nullopt, error);
  auto size = query_number(request, "tree_size", head, error);
  if (error) return *error;
  if (*size > head) return http::Response::error(404, "not_found", "the log is not that large yet");
  if (*leaf >= *size) {
    return http::Response::error(400, "bad_range", "leaf must be below tree_size");
  }
  auto record = store.leaf_at(*leaf);
  auto proof = store.inclusion_proof(*leaf, *size);
  auto root = store.root_at(*size);
  if (!record.ok() || !proof.ok() || !root.ok()) {
    return http::Response::error(500, "internal", "the proof could not be read");
  }
  return http::Response::json(
      200, ledger::inclusion_proof_to_json(store.suite(), *proof,
                                           ledger::leaf_hash(store.suite(), *record), *root));
}

// ?from=N[&to=M]: M defaults to the node's tree size now.
http::Response consistency(const ApiContext& ctx, const http::Request& request) {
  const ledger::ChainStore& store = *ctx.store;
  const uint64_t head = store.tree_size();
  std::optional<http::Response> error;
  auto from = query_number(request, "from", std::nullopt, error);
  auto to = query_number(request, "to", head, error);
  if (error) return *error;
  if (*to > head) return http::Response::error(404, "not_found", "the log is not that large yet");
  if (*from > *to) return http::Response::error(400, "bad_range", "from must not exceed to");
  auto proof = store.consistency_proof(*from, *to);
  auto first = store.root_at(*from);
  auto second = store.root_at(*to);
  if (!proof.ok() || !first.ok() || !second.ok()) {
    return http::Response::error(500, "internal", "the proof could not be read");
  }
  return http::Response::json(200, ledger::consistency_proof_to_json(store.suite(), *proof, *first, *second));
}

}  // namespace

void register_proof_routes(http::Server& server, const ApiContext& ctx) {
  const ApiContext* c = &ctx;
  server.route("GET", "/v1/proofs/inclusion", [c](const http::Request& request, http::Responder respond) {
    respond(inclusion(*c, request));
  });
  server.route("GET", "/v1/proofs/consistency",
               [c](const http::Request& request, http::Responder respond) {
                 respond(consistency(*c, request));
               });
}

}  // namespace medtrail::node::api
