// The log in the C2SP tlog-tiles layout (docs/proofs.md, "Transparency-log tiles"):
//   GET /checkpoint                  the newest quorum checkpoint as a signed note
//   GET /tile/<L>/<N>[.p/<W>]        hash tiles: public, like every proof (hashes only)
//   GET /tile/entries/<N>[.p/<W>]    entry bundles: 256 whole records, so a signed, recorded
//                                    read with the policy of GET /v1/records/{id}
#include <string>

#include "api/checkpoint_lookup.h"
#include "api/route_groups.h"
#include "medtrail/ledger/checkpoint_note.h"
#include "medtrail/ledger/tlog_tiles.h"

namespace medtrail::node::api {

namespace {

constexpr std::string_view kTilePrefix = "/tile/";
// Deep enough for any index below 2^64 ("x018/x446/…/615" has 7 elements) and a ".p/<W>".
constexpr size_t kMaxTileSegments = 10;

// A checkpoint moves with the chain: caches may keep it a moment, not more (tlog-tiles).
constexpr const char* kCheckpointCaching = "max-age=2";
// A hash tile never changes once the log holds it.
constexpr const char* kTileCaching = "public, max-age=31536000, immutable";
// A bundle never changes either, but it is a member's recorded read: a shared cache that kept it
// would hand the leaves to the next caller, unsigned and unrecorded (docs/deploy.md).
constexpr const char* kEntryBundleCaching = "private, no-store";

http::Response octets(std::string body, const char* caching) {
  http::Response response;
  response.content_type = "application/octet-stream";
  response.body = std::move(body);
  response.headers.emplace_back("Cache-Control", caching);
  return response;
}

http::Response note_checkpoint(const ApiContext& ctx, NewestCheckpointCache& newest) {
  auto checkpoint = newest.get(ctx);
  if (!checkpoint) return http::Response::error(404, "no_checkpoint", "no trusted checkpoint near the head");
  http::Response response;
  response.content_type = "text/plain; charset=utf-8";
  response.body = ledger::checkpoint_note(ctx.store->suite(), *checkpoint);
  response.headers.emplace_back("Cache-Control", kCheckpointCaching);
  return response;
}

// The tile a request names, or the refusal.
std::optional<ledger::TileId> requested_tile(const http::Request& request, http::Response& refusal) {
  auto tile = ledger::parse_tile_path(std::string_view(request.path).substr(kTilePrefix.size()));
  if (!tile.ok()) {
    refusal = http::Response::error(400, tile.status().code(), tile.status().message());
    return std::nullopt;
  }
  return *tile;
}

http::Response not_yet(const ledger::TileId& tile) {
  return http::Response::error(404, "not_found", "the log holds no " + ledger::tile_path(tile) + " yet");
}

http::Response hash_tile(const ApiContext& ctx, const ledger::TileId& tile) {
  const ledger::ChainStore& store = *ctx.store;
  auto bytes = ledger::read_hash_tile(store.merkle_nodes(), store.tree_size(), tile);
  if (!bytes.ok()) {
    if (bytes.status().code() == "not_found") return not_yet(tile);
    return http::Response::error(500, "internal", "the tile could not be read");
  }
  return octets(std::string(ledger::as_chars(*bytes)), kTileCaching);
}

http::Response entry_bundle(const ApiContext& ctx, const ledger::TileId& tile) {
  const ledger::ChainStore& store = *ctx.store;
  auto needed = ledger::tile_tree_size(tile);
  if (!needed || *needed > store.tree_size()) return not_yet(tile);
  std::vector<ledger::Bytes> entries;
  entries.reserve(tile.width);
  for (uint32_t i = 0; i < tile.width; ++i) {
    auto leaf = store.leaf_bytes(tile.index * ledger::kTileWidth + i);
    if (!leaf.ok()) return http::Response::error(500, "internal", "a leaf could not be read");
    entries.push_back(std::move(leaf).value());
  }
  // Cannot fail for a stored leaf (serialization.h bounds every leaf below 64 KiB); if it did,
  // the bundle would be wrong, so it is not served.
  auto bundle = ledger::encode_entry_bundle(entries);
  if (!bundle.ok()) return http::Response::error(500, bundle.status().code(), bundle.status().message());
  return octets(std::string(ledger::as_chars(*bundle)), kEntryBundleCaching);
}

void serve_tile(const ApiContext& ctx, RecordedReads& reads, const http::Request& request, http::Responder respond) {
  http::Response refusal;
  auto tile = requested_tile(request, refusal);
  if (!tile) return respond(std::move(refusal));
  if (!tile->entries) return respond(hash_tile(ctx, *tile));
  if (ctx.config->record_reads == RecordReads::kOff) {
    return respond(http::Response::error(403, "reads_disabled", "this node does not serve record reads"));
  }
  const ApiContext* c = &ctx;
  reads.serve(request, std::move(respond), [c, tile = *tile](const Reader&) { return entry_bundle(*c, tile); });
}

}  // namespace

void register_tlog_routes(http::Server& server, const ApiContext& ctx, std::shared_ptr<RecordedReads> reads) {
  const ApiContext* c = &ctx;
  auto newest = std::make_shared<NewestCheckpointCache>();
  server.route("GET", "/checkpoint", [c, newest](const http::Request&, http::Responder respond) {
    respond(note_checkpoint(*c, *newest));
  });
  auto handler = [c, reads](const http::Request& request, http::Responder respond) {
    serve_tile(*c, *reads, request, std::move(respond));
  };
  // Patterns match whole segment counts: one route per depth, the path parsed as a whole.
  std::string pattern = "/tile/{level}";
  for (size_t depth = 1; depth <= kMaxTileSegments; ++depth) {
    pattern += "/{p" + std::to_string(depth) + "}";
    server.route("GET", pattern, handler);
  }
}

}  // namespace medtrail::node::api
