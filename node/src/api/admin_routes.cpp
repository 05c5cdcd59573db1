// POST /v1/admin/membership: add a node as a learner, promote a learner, remove a node.
//
// The request is an envelope signed by a regulator organisation's admin key (until the
// governance contract, issue 5, puts these decisions on the chain), payload kind
// "node.membership", body {"action": "add_learner", "node": {member record}} or
// {"action": "promote" | "remove", "node_id": "..."}. Its `ts` must be within ten minutes of
// the node's clock and an envelope is accepted once per node, so a captured request cannot be
// replayed later. Only the leader proposes; a follower answers 409 naming the leader.
#include <chrono>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "api/json_reply.h"
#include "api/route_groups.h"
#include "core/member_record.h"
#include "core/raft_ids.h"
#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/rfc3339.h"

namespace medtrail::node::api {

namespace {

constexpr std::chrono::minutes kMaxClockSkew{10};
constexpr size_t kRememberedRequests = 4096;

// Record ids of accepted admin requests: a replay inside the clock window is refused.
class SeenRequests {
 public:
  bool insert(const std::string& id) {
    std::lock_guard lock(mu_);
    if (!ids_.insert(id).second) return false;
    order_.push_back(id);
    if (order_.size() > kRememberedRequests) {
      ids_.erase(order_.front());
      order_.pop_front();
    }
    return true;
  }

 private:
  std::mutex mu_;
  std::set<std::string> ids_;
  std::deque<std::string> order_;
};

bool is_regulator(const ledger::Genesis& genesis, const std::string& org) {
  for (const ledger::GenesisOrg& o : genesis.organisations) {
    if (o.id != org) continue;
    for (const std::string& role : o.roles) {
      if (role == "regulator") return true;
    }
  }
  return false;
}

bool genesis_org(const ledger::Genesis& genesis, const std::string& org) {
  for (const ledger::GenesisOrg& o : genesis.organisations) {
    if (o.id == org) return true;
  }
  return false;
}

bool contains(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// Everything but the Raft proposal: the change to propose, or the response refusing it.
struct Decision {
  std::optional<consensus::ConfChange> change;
  std::string action;
  std::string node_id;
  http::Response refusal;
};

Decision decide(const ApiContext& ctx, SeenRequests& seen, const http::Request& request) {
  Decision d;
  auto refuse = [&](int status, const char* code, const std::string& message) {
    d.refusal = http::Response::error(status, code, message);
    return d;
  };
  auto envelope = ledger::envelope_from_wire(request.body);
  if (!envelope.ok()) return refuse(400, envelope.status().code().c_str(), envelope.status().message());
  const std::string& signer = envelope->signer;
  const std::string org = signer.substr(0, signer.find('/'));
  if (signer != org + "/admin" || !is_regulator(*ctx.genesis, org)) {
    return refuse(403, "not_regulator", "membership changes need a regulator organisation's admin key");
  }
  const ledger::Bytes* key = ctx.signers->find(signer);
  if (key == nullptr) return refuse(403, "unknown_signer", "the chain does not know the signer");
  auto fields = ledger::validate_envelope(*envelope, *key);
  if (!fields.ok()) return refuse(400, fields.status().code().c_str(), fields.status().message());
  if (fields->kind != "node.membership") {
    return refuse(400, "wrong_kind", "payload kind must be node.membership");
  }
  const auto ts = ledger::rfc3339_to_unix_ms(fields->ts);
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const auto skew = std::chrono::duration_cast<std::chrono::milliseconds>(kMaxClockSkew).count();
  if (!ts || *ts < now - skew || *ts > now + skew) {
    return refuse(400, "stale_request", "ts must be within 10 minutes of the node's clock");
  }

  // Once per envelope: a captured request cannot be replayed inside the clock window (a client
  // that wants to retry signs a new one, with a new nonce).
  if (!seen.insert(ledger::record_id(ctx.store->suite(), *envelope))) {
    return refuse(409, "replayed", "this request was already seen");
  }

  nlohmann::json payload = nlohmann::json::parse(envelope->payload.begin(), envelope->payload.end(),
                                                 nullptr, false);
  const nlohmann::json& body = payload["body"];
  if (!body.is_object() || !body.contains("action") || !body["action"].is_string()) {
    return refuse(400, "bad_field", "body.action must be add_learner, promote or remove");
  }
  d.action = body["action"].get<std::string>();
  const RaftStatus status = ctx.driver->status();
  consensus::ConfChange change;
  if (d.action == "add_learner") {
    if (body.size() != 2 || !body.contains("node") || !body["node"].is_object()) {
      return refuse(400, "bad_field", "add_learner needs body.node, the member record");
    }
    auto node = member_from_json(body["node"].dump(), ctx.store->suite());
    if (!node.ok()) return refuse(400, "bad_member", node.status().message());
    if (!genesis_org(*ctx.genesis, node->org)) {
      return refuse(400, "bad_member", "node.org is not an organisation of the consortium");
    }
    if (contains(status.voters, node->id) || contains(status.learners, node->id) ||
        ctx.driver->find_node(node->id)) {
      return refuse(409, "already_member", "a node with that id is or was a member");
    }
    d.node_id = node->id;
    change = {consensus::ConfChangeType::kAddLearner, raft_id_of(node->id), member_to_json(*node)};
  } else if (d.action == "promote" || d.action == "remove") {
    if (body.size() != 2 || !body.contains("node_id") || !body["node_id"].is_string()) {
      return refuse(400, "bad_field", d.action + " needs body.node_id");
    }
    d.node_id = body["node_id"].get<std::string>();
    if (d.action == "promote" && !contains(status.learners, d.node_id)) {
      return refuse(409, "not_a_learner", "only a learner can be promoted");
    }
    if (d.action == "remove" && !contains(status.voters, d.node_id) &&
        !contains(status.learners, d.node_id)) {
      return refuse(404, "not_member", "no member has that id");
    }
    change = {d.action == "promote" ? consensus::ConfChangeType::kAddVoter
                                    : consensus::ConfChangeType::kRemoveNode,
              raft_id_of(d.node_id), ""};
  } else {
    return refuse(400, "bad_field", "body.action must be add_learner, promote or remove");
  }
  if (!ctx.driver->is_leader()) {  // current, where status() is refreshed once per loop
    return refuse(409, "not_leader",
                  status.leader.empty() ? "no leader yet; retry" : "send it to the leader, " + status.leader);
  }
  d.change = std::move(change);
  return d;
}

}  // namespace

void register_admin_routes(http::Server& server, const ApiContext& ctx) {
  auto seen = std::make_shared<SeenRequests>();
  const ApiContext* c = &ctx;
  server.route("POST", "/v1/admin/membership",
               [c, seen](const http::Request& request, http::Responder respond) {
                 if (c->signers == nullptr || c->genesis == nullptr) {
                   return respond(http::Response::error(503, "unavailable", "admin is not wired"));
                 }
                 Decision d = decide(*c, *seen, request);
                 if (!d.change) return respond(std::move(d.refusal));
                 c->driver->propose_conf_change(
                     *d.change, [respond, action = d.action, node_id = d.node_id](Status s) {
                       if (s.ok()) {
                         return respond(json_reply(
                             202, {{"status", "proposed"}, {"action", action}, {"node_id", node_id}}));
                       }
                       const int code = s.code() == "not_leader" || s.code() == "dropped" ? 409 : 400;
                       respond(http::Response::error(code, s.code(), s.message()));
                     });
               });
}

}  // namespace medtrail::node::api
