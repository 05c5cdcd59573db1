// GET /v1/encryption-keys: every member organisation's current encryption key, for the clients
// that seal confidential fields (docs/privacy.md). Public keys only; no read is recorded.
#include <nlohmann/json.hpp>

#include "api/json_reply.h"
#include "api/route_groups.h"
#include "core/store_state_view.h"
#include "medtrail/contracts/confidential.h"

namespace medtrail::node::api {
namespace {

http::Response encryption_keys(const ApiContext& ctx) {
  StoreStateView view(*ctx.store);
  nlohmann::json orgs = nlohmann::json::array();
  for (const contracts::MemberEncryptionKey& member :
       contracts::encryption_directory(view, ctx.signers->chain_params())) {
    nlohmann::json entry = {{"org", member.org}, {"regulator", member.regulator}};
    if (member.key) {
      entry["key_id"] = member.key->key_id;
      entry["public_key"] = ledger::to_hex(member.key->public_key);
    } else {
      entry["key_id"] = nullptr;
      entry["public_key"] = nullptr;
    }
    orgs.push_back(std::move(entry));
  }
  return json_reply(200, {{"confidential_fields", ctx.signers->chain_params().genesis.confidential_fields},
                          {"organisations", std::move(orgs)}});
}

}  // namespace

void register_encryption_key_routes(http::Server& server, const ApiContext& ctx) {
  const ApiContext* c = &ctx;
  server.route("GET", "/v1/encryption-keys",
               [c](const http::Request&, http::Responder respond) { respond(encryption_keys(*c)); });
}

}  // namespace medtrail::node::api
