// A citizen's own requests, on the pseudonym service's node and its public listener
// (docs/privacy.md, "Citizens"). The identity check vouches for who asks; the node then records
// the request as a pseudonym.citizen record signed with its own key — the citizen has none on the
// chain — naming the citizen only by a digest keyed with the service's secret, and answers once
// the contract has counted it against genesis' citizen_daily_limit:
// - POST /v1/pseudonym/citizen: their own patient_ref. The service never learns the resident id:
//   the element is blinded.
// - POST /v1/citizen/vaccinations: their own vaccination record. The identity check names the
//   holder's resident id; the node computes the ref from it, records the lookup on that ref's
//   trail, and forgets the id.
#include <sodium.h>

#include <functional>

#include <nlohmann/json.hpp>

#include "api/checkpoint_lookup.h"
#include "api/route_groups.h"
#include "api/vaccination_record.h"
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

ledger::Result<ledger::Envelope> citizen_record(const ApiContext& ctx, const std::string& card,
                                                const std::optional<std::string>& patient_ref) {
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
  if (patient_ref) payload["body"]["patient_ref"] = *patient_ref;
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

// Why this node cannot take a citizen's request, or nullopt when it can.
std::optional<http::Response> door_closed(const ApiContext& ctx) {
  if (ctx.pseudonym_key == nullptr || ctx.node_key == nullptr) {
    return http::Response::error(404, "no_pseudonym_service", no_service_here(ctx));
  }
  if (ctx.citizen_check == nullptr) {
    return http::Response::error(404, "no_identity_check", "this node checks no citizen's identity");
  }
  if (!is_accepting(ctx)) return http::Response::error(503, "shutting_down", "the node is shutting down");
  return std::nullopt;
}

// The answer once the request is on the chain; the caller adds the record's id to it as the
// Medtrail-Receipt header.
using Answer = std::function<http::Response()>;

// 403 for a citizen whose card (card_digest) used up today's allowance; nullopt otherwise.
// Checked before any costly work, and nothing is recorded for it.
std::optional<http::Response> at_daily_limit(const ApiContext& ctx, const std::string& card) {
  auto used = used_up_today(ctx, card);
  if (!used) return std::nullopt;
  return http::Response::error(403, "pseudonym_limit_reached",
                               "you have made " + std::to_string(*used) +
                                   " requests today (your ref, your vaccination record), the most a day allows");
}

// Records the request of the citizen `card` names (with the ref a record lookup reads), then
// answers: 403 when the contract refused it, 503 when it could not be committed in time,
// `answer`'s response otherwise.
void record_then_answer(const ApiContext* c, const std::string& card,
                        const std::optional<std::string>& patient_ref, http::Responder respond,
                        Answer answer) {
  auto envelope = citizen_record(*c, card, patient_ref);
  if (!envelope.ok()) {
    return respond(http::Response::error(500, "internal", "the request could not be recorded"));
  }
  std::vector<ledger::Result<ledger::Envelope>> items;
  items.push_back(std::move(*envelope));
  auto done = [c, answer = std::move(answer), respond = std::move(respond)](
                  std::vector<RecordStatus> statuses) mutable {
    const RecordStatus s = statuses.empty() ? RecordStatus{} : std::move(statuses[0]);
    if (s.state == RecordState::kRejected) return respond(refused_on_chain(s));
    if (s.state != RecordState::kCommitted) {
      http::Response r = http::Response::error(
          503, "not_recorded", "the request could not be recorded on the chain in time; retry");
      r.headers.emplace_back("Retry-After", "1");
      return respond(std::move(r));
    }
    auto reply = [answer = std::move(answer), id = s.id, respond = std::move(respond)]() mutable {
      http::Response r = answer();
      r.headers.emplace_back("Medtrail-Receipt", id);
      respond(std::move(r));
    };
    // Off the Raft driver's thread, which reports the commit.
    if (c->defer) return c->defer(std::move(reply));
    reply();
  };
  c->admission->submit(std::move(items), /*wait_for_commit=*/true, Clock::now() + RecordedReads::kCommitWait,
                       std::move(done));
}

}  // namespace

void register_citizen_routes(http::Server& server, const ApiContext& ctx) {
  const ApiContext* c = &ctx;
  server.route("POST", std::string(ledger::kCitizenPseudonymPath),
               [c](const http::Request& request, http::Responder respond) {
                 if (auto closed = door_closed(*c)) return respond(std::move(*closed));
                 auto parsed = ledger::read_citizen_pseudonym_request(request.body);
                 if (!parsed.ok()) {
                   return respond(http::Response::error(400, parsed.status().code(), parsed.status().message()));
                 }
                 auto citizen = c->citizen_check->verify(parsed->credential);
                 if (!citizen.ok()) {
                   return respond(http::Response::error(403, citizen.status().code(), citizen.status().message()));
                 }
                 const std::string card = card_digest(*c->pseudonym_key, citizen->handle);
                 if (auto limited = at_daily_limit(*c, card)) return respond(std::move(*limited));
                 record_then_answer(c, card, std::nullopt, std::move(respond),
                                    [c, blinded = parsed->blinded] {
                                      auto evaluation = ledger::oprf_blind_evaluate(
                                          ledger::kPseudonymMode, *c->pseudonym_key, std::span(&blinded, 1));
                                      return evaluation.ok()
                                                 ? http::Response::json(200, ledger::pseudonym_response_json(
                                                                                 *evaluation, c->pseudonym_key->public_key))
                                                 : http::Response::error(500, "internal", "the evaluation failed");
                                    });
               });
  server.route("POST", std::string(ledger::kCitizenVaccinationsPath),
               [c](const http::Request& request, http::Responder respond) {
                 if (auto closed = door_closed(*c)) return respond(std::move(*closed));
                 auto credential = ledger::read_citizen_credential_request(request.body);
                 if (!credential.ok()) {
                   return respond(http::Response::error(400, credential.status().code(), credential.status().message()));
                 }
                 auto citizen = c->citizen_check->verify(*credential);
                 if (!citizen.ok()) {
                   return respond(http::Response::error(403, citizen.status().code(), citizen.status().message()));
                 }
                 if (!citizen->resident_id) {
                   return respond(http::Response::error(
                       403, "identity_names_no_person",
                       "the identity check vouched for you but does not say whose record is yours; "
                       "use a credential that names its holder (an electronic health card)"));
                 }
                 const std::string card = card_digest(*c->pseudonym_key, citizen->handle);
                 if (auto limited = at_daily_limit(*c, card)) return respond(std::move(*limited));
                 auto ref = ledger::service_patient_ref(*c->pseudonym_key, *citizen->resident_id);
                 if (!ref.ok()) return respond(http::Response::error(500, "internal", "the ref could not be computed"));
                 record_then_answer(c, card, *ref, std::move(respond), [c, ref = *ref] {
                   auto record = vaccination_record(*c->store, c->signers->chain_params(), ref,
                                                    newest_quorum_checkpoint(*c));
                   if (!record.ok()) {
                     return http::Response::error(500, record.status().code(), record.status().message());
                   }
                   return http::Response::json(200, record->dump());
                 });
               });
}

}  // namespace medtrail::node::api
