// GET /v1/blocks/{height}, GET /v1/checkpoints/latest and GET /v1/checkpoints/{height}.
#include "api/chain_json.h"
#include "api/checkpoint_lookup.h"
#include "medtrail/ledger/decimal.h"
#include "api/json_reply.h"
#include "api/route_groups.h"
#include "medtrail/ledger/checkpoint_json.h"
#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/genesis.h"

namespace medtrail::node::api {

namespace {

// A decimal height 1..2^64-1; 0 when not.
uint64_t parse_height(const std::string& text) { return ledger::parse_decimal(text).value_or(0); }

// The block at `height`; with its record ids when `with_ids`.
http::Response block_reply(const ApiContext& ctx, uint64_t height, bool with_ids) {
  auto block = ctx.store->block_at(height);
  if (!block.ok()) return http::Response::error(500, "internal", "the block could not be read");
  if (!with_ids) return json_reply(200, block_json(ctx.store->suite(), *block, nullptr));
  // Bounded by the proposal limits (max_batch_records): a block holds at most that many.
  std::vector<std::string> record_ids;
  record_ids.reserve(block->header.leaf_count);
  for (uint64_t i = 0; i < block->header.leaf_count; ++i) {
    auto leaf = ctx.store->leaf_at(block->header.first_leaf + i);
    if (!leaf.ok()) return http::Response::error(500, "internal", "a leaf could not be read");
    record_ids.push_back(ledger::record_id(ctx.store->suite(), leaf->envelope));
  }
  return json_reply(200, block_json(ctx.store->suite(), *block, &record_ids));
}

// Headers are public (they prove nothing about anyone); the ids of a block's records go only
// to a member whose signed query is recorded, since an id opens the way to a record.
void serve_block(const ApiContext& ctx, RecordedReads& reads, const http::Request& request,
                 http::Responder respond) {
  auto it = request.params.find("height");
  const uint64_t height = it == request.params.end() ? 0 : parse_height(it->second);
  if (height == 0) {
    return respond(http::Response::error(400, "bad_height", "a height is a decimal number from 1"));
  }
  if (height > ctx.store->height()) return respond(http::Response::error(404, "not_found", "no such block"));
  if (!RecordedReads::has_credentials(request)) return respond(block_reply(ctx, height, false));
  const ApiContext* c = &ctx;
  reads.serve(request, std::move(respond), [c, height](const Reader&) { return block_reply(*c, height, true); });
}

http::Response latest_checkpoint(const ApiContext& ctx, NewestCheckpointCache& newest) {
  auto checkpoint = newest.get(ctx);
  if (!checkpoint) {
    return http::Response::error(404, "no_checkpoint", "no trusted checkpoint near the head");
  }
  return json_reply(200, ledger::checkpoint_to_json(*checkpoint));
}

// A trusted checkpoint of exactly this height: carried by a later block, or gathered by this
// node's pool (recent heights). Either way it matches this node's own block.
http::Response checkpoint_at(const ApiContext& ctx, const http::Request& request) {
  auto it = request.params.find("height");
  const uint64_t height = it == request.params.end() ? 0 : parse_height(it->second);
  if (height == 0) {
    return http::Response::error(400, "bad_height", "a height is a decimal number from 1");
  }
  if (height > ctx.store->height()) return http::Response::error(404, "not_found", "no such block");
  auto checkpoint =
      trusted_checkpoint_at(*ctx.store, ledger::genesis_checkpoint_trust(*ctx.genesis), height);
  if (!checkpoint && ctx.driver != nullptr) checkpoint = ctx.driver->checkpoints().quorum_at(*ctx.store, height);
  if (!checkpoint) {
    return http::Response::error(404, "no_checkpoint",
                                 "no quorum checkpoint of this height (not every height has one; "
                                 "GET /v1/checkpoints/latest names the newest)");
  }
  return json_reply(200, ledger::checkpoint_to_json(*checkpoint));
}

}  // namespace

void register_chain_routes(http::Server& server, const ApiContext& ctx,
                           std::shared_ptr<RecordedReads> reads) {
  const ApiContext* c = &ctx;
  server.route("GET", "/v1/blocks/{height}",
               [c, reads](const http::Request& request, http::Responder respond) {
                 serve_block(*c, *reads, request, std::move(respond));
               });
  auto newest = std::make_shared<NewestCheckpointCache>();
  server.route("GET", "/v1/checkpoints/latest", [c, newest](const http::Request&, http::Responder respond) {
    respond(latest_checkpoint(*c, *newest));
  });
  server.route("GET", "/v1/checkpoints/{height}",
               [c](const http::Request& request, http::Responder respond) {
                 respond(checkpoint_at(*c, request));
               });
}

}  // namespace medtrail::node::api
