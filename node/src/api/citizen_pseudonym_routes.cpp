// POST /v1/pseudonym/citizen: a citizen's own patient_ref (docs/privacy.md, "Citizens"), on the
// pseudonym service's node and its public listener. The identity check vouches for who asks;
// the node then records the request as a pseudonym.citizen record signed with its own key —
// the citizen has none on the chain — naming the citizen only by a digest keyed with the
// service's secret, and evaluates once the contract has counted it against genesis'
// citizen_daily_limit. The service never learns the resident id: the element is blinded.
#include <sodium.h>

#include <nlohmann/json.hpp>

#include "api/route_groups.h"
#include "api/wall_clock.h"
#include "core/store_state_view.h"
#include "medtrail/contracts/access.h"
#include "medtrail/contracts/calendar.h"
#include "medtrail/contracts/state_codec.h"
#include "medtrail/ledger/pseudonym.h"
#include "medtrail/ledger/rfc3339.h"

namespace medtrail::node::api {

namespace {

using Clock = std::chrono::steady_clock;

// HMAC-SHA-256 of the handle under a key derived from the service's secret: stable for one
// citizen, and no member can test a guessed card number against it.
std::string card_digest(const ledger::OprfServerKey& key, const std::string& handle) {
  uint8_t mac_key[crypto_auth_hmacsha256_KEYBYTES];
  crypto_generichash(mac_key, sizeof mac_key, key.secret.data(), key.secret.size(),
                     reinterpret_cast<const uint8_t*>("medtrail citizen card v1"), 24);
  uint8_t mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, mac_key, sizeof mac_key);
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const uint8_t*>(handle.data()), handle.size());
  crypto_auth_hmacsha256_final(&state, mac);
  sodium_memzero(mac_key, sizeof mac_key);
  sodium_memzero(&state, sizeof state);
  return ledger::to_hex(ledger::ByteView(mac, sizeof mac));
}

ledger::Result<ledger::Envelope> citizen_record(const ApiContext& ctx, const std::string& card) {
  uint8_t nonce[16];
  randombytes_buf(nonce, sizeof nonce);
  const std::string org = ctx.node_signer.substr(0, ctx.node_signer.find('/'));
  nlohmann::json payload = {{"v", 1},
                            {"kind", ledger::kCitizenPseudonymKind},
                            {"org", org},
                            {"actor", ctx.node_signer},
                            {"ts", ledger::unix_ms_to_rfc3339(wall_clock_ms())},
                            {"nonce", ledger::to_hex(ledger::ByteView(nonce, sizeof nonce))},
                            {"body", {{"card", card}}}};
  return ledger::sign_envelope(ledger::to_bytes(payload.dump()), *ctx.node_key);
}

// A citizen already at today's limit is refused at the door: the chain would refuse the record
// anyway, and a refused record for every request would let one valid card write to the chain at
// the public listener's request rate. (A request racing one in flight still lands, refused.)
std::optional<int64_t> used_up_today(const ApiContext& ctx, const std::string& card) {
  const uint32_t limit = ctx.genesis->pseudonym->citizen_daily_limit;
  StoreStateView view(*ctx.store);
  std::optional<std::string> bytes = view.get(contracts::pseudonym_citizen_use_key(card));
  if (!bytes) return std::nullopt;
  std::optional<contracts::PseudonymUse> use = contracts::decode_value<contracts::PseudonymUse>(*bytes);
  const int64_t today = contracts::day_of(wall_clock_ms(), ctx.signers->chain_params().utc_offset_minutes);
  if (!use || use->day != today || use->count < limit) return std::nullopt;
  return use->count;
}

}  // namespace

void register_citizen_pseudonym_routes(http::Server& server, const ApiContext& ctx) {
  const ApiContext* c = &ctx;
  server.route("POST", std::string(ledger::kCitizenPseudonymPath),
               [c](const http::Request& request, http::Responder respond) {
                 if (c->pseudonym_key == nullptr || c->node_key == nullptr) {
                   return respond(http::Response::error(
                       404, "no_pseudonym_service",
                       no_service_here(*c)));
                 }
                 if (c->citizen_check == nullptr) {
                   return respond(http::Response::error(404, "no_identity_check",
                                                        "this node checks no citizen's identity"));
                 }
                 if (!is_accepting(*c)) {
                   return respond(http::Response::error(503, "shutting_down", "the node is shutting down"));
                 }
                 auto parsed = ledger::read_citizen_pseudonym_request(request.body);
                 if (!parsed.ok()) {
                   return respond(http::Response::error(400, parsed.status().code(), parsed.status().message()));
                 }
                 auto handle = c->citizen_check->verify(parsed->credential);
                 if (!handle.ok()) {
                   return respond(http::Response::error(403, handle.status().code(), handle.status().message()));
                 }
                 const std::string card = card_digest(*c->pseudonym_key, *handle);
                 if (auto used = used_up_today(*c, card)) {
                   return respond(http::Response::error(
                       403, "pseudonym_limit_reached",
                       "you have asked for your ref " + std::to_string(*used) + " times today, the most a day allows"));
                 }
                 auto envelope = citizen_record(*c, card);
                 if (!envelope.ok()) {
                   return respond(http::Response::error(500, "internal", "the request could not be recorded"));
                 }
                 std::vector<ledger::Result<ledger::Envelope>> items;
                 items.push_back(std::move(*envelope));
                 auto done = [c, blinded = parsed->blinded, respond = std::move(respond)](
                                 std::vector<RecordStatus> statuses) mutable {
                   const RecordStatus s = statuses.empty() ? RecordStatus{} : std::move(statuses[0]);
                   if (s.state == RecordState::kRejected) return respond(refused_on_chain(s));
                   if (s.state != RecordState::kCommitted) {
                     http::Response r = http::Response::error(
                         503, "not_recorded", "the request could not be recorded on the chain in time; retry");
                     r.headers.emplace_back("Retry-After", "1");
                     return respond(std::move(r));
                   }
                   auto answer = [c, blinded, id = s.id, respond = std::move(respond)]() mutable {
                     auto evaluation = ledger::oprf_blind_evaluate(ledger::kPseudonymMode, *c->pseudonym_key,
                                                                   std::span(&blinded, 1));
                     http::Response r =
                         evaluation.ok()
                             ? http::Response::json(200, ledger::pseudonym_response_json(
                                                             *evaluation, c->pseudonym_key->public_key))
                             : http::Response::error(500, "internal", "the evaluation failed");
                     r.headers.emplace_back("Medtrail-Receipt", id);
                     respond(std::move(r));
                   };
                   // Off the Raft driver's thread, which reports the commit.
                   if (c->defer) return c->defer(std::move(answer));
                   answer();
                 };
                 c->admission->submit(std::move(items), /*wait_for_commit=*/true, Clock::now() + RecordedReads::kCommitWait,
                                      std::move(done));
               });
}

}  // namespace medtrail::node::api
