// GET /v1/status (the node as an operator sees it), /healthz (liveness), /readyz (readiness).
#include <map>

#include "api/json_reply.h"
#include "api/route_groups.h"
#include "medtrail/ledger/bytes.h"

namespace medtrail::node::api {

namespace {

// One entry per peer: the leader's replication progress merged with the link's state.
nlohmann::json peers_json(const ApiContext& ctx, const RaftStatus& raft) {
  std::map<std::string, nlohmann::json> peers;
  for (const RaftStatus::Peer& p : raft.progress) {
    if (p.node_id == ctx.node_id) continue;
    nlohmann::json& entry = peers[p.node_id];
    entry["node_id"] = p.node_id;
    entry["match"] = p.match;
    entry["next"] = p.next;
    entry["state"] = p.state;
    entry["recently_active"] = p.recently_active;
  }
  if (ctx.peers != nullptr) {
    for (const peer::PeerNetwork::PeerState& s : ctx.peers->peer_states()) {
      nlohmann::json& entry = peers[s.node_id];
      entry["node_id"] = s.node_id;
      entry["address"] = s.address;
      entry["connected"] = {{"inbound", s.inbound_connected}, {"outbound", s.outbound_connected}};
      entry["frames_sent"] = s.frames_sent;
      entry["frames_received"] = s.frames_received;
      entry["frames_dropped"] = s.frames_dropped;
      entry["queued_frames"] = s.queued_frames;
    }
  }
  nlohmann::json out = nlohmann::json::array();
  for (auto& [id, entry] : peers) out.push_back(std::move(entry));
  return out;
}

http::Response node_status(const ApiContext& ctx) {
  const RaftStatus raft = ctx.driver->status();
  const auto uptime = std::chrono::steady_clock::now() - ctx.started;
  nlohmann::json body = {
      {"node_id", ctx.node_id},
      {"chain_id", ledger::to_hex(ctx.store->chain_id())},
      {"role", raft.role},
      {"term", raft.term},
      {"leader", raft.leader},
      {"commit_index", raft.commit_index},
      {"applied_index", raft.applied_index},
      {"last_index", raft.last_index},
      {"height", ctx.store->height()},
      {"tree_size", ctx.store->tree_size()},
      {"tree_root", ledger::to_hex(ctx.store->tree_root())},
      {"voters", raft.voters},
      {"learners", raft.learners},
      {"peers", peers_json(ctx, raft)},
      {"queue", {{"records", ctx.queue->size()}, {"bytes", ctx.queue->bytes()}}},
      {"pending_records", ctx.tracker->pending()},
      {"accepting", is_accepting(ctx)},
      {"uptime_s", std::chrono::duration_cast<std::chrono::seconds>(uptime).count()}};
  if (!raft.failure.empty()) body["failure"] = raft.failure;
  return json_reply(200, body);
}

http::Response health(const ApiContext& ctx) {
  if (ctx.driver->failed()) {
    return json_reply(503, {{"status", "failed"}, {"reason", "the Raft driver stopped"}});
  }
  return json_reply(200, {{"status", "ok"}});
}

http::Response readiness(const ApiContext& ctx) {
  const char* reason = nullptr;
  if (ctx.driver->failed()) {
    reason = "the Raft driver stopped";
  } else if (!is_accepting(ctx)) {
    reason = "the node is shutting down";
  } else if (ctx.driver->status().leader.empty()) {
    reason = "no leader is known";
  }
  if (reason != nullptr) return json_reply(503, {{"status", "not_ready"}, {"reason", reason}});
  return json_reply(200, {{"status", "ready"}});
}

}  // namespace

void register_status_routes(http::Server& server, const ApiContext& ctx) {
  const ApiContext* c = &ctx;
  server.route("GET", "/v1/status",
               [c](const http::Request&, http::Responder respond) { respond(node_status(*c)); });
  server.route("GET", "/healthz",
               [c](const http::Request&, http::Responder respond) { respond(health(*c)); });
  server.route("GET", "/readyz",
               [c](const http::Request&, http::Responder respond) { respond(readiness(*c)); });
}

}  // namespace medtrail::node::api
