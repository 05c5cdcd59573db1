// The pharmacist's view of a prescription (GET /v1/prescriptions/{id}, prescription_routes.cpp).
#include "api/prescription_view.h"

#include <algorithm>

#include "api/checkpoint_lookup.h"
#include "api/json_reply.h"
#include "api/wall_clock.h"
#include "api/subject_trail.h"
#include "api/trace_proof.h"
#include "core/dry_run.h"
#include "core/store_state_view.h"
#include "medtrail/contracts/calendar.h"
#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/rx.h"
#include "medtrail/contracts/state_json.h"
#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/served_state_proof.h"

namespace medtrail::node::api {

namespace {

using nlohmann::json;

constexpr size_t kMaxTrailRecords = 500;

// Who issued it, and did their registration stand at that moment?
json authenticity(const ApiContext& ctx, const std::string& id, uint64_t leaf_index, const json& rx) {
  json out = {{"record_id", id}, {"leaf_index", leaf_index}};
  if (auto leaf = ctx.store->leaf_at(leaf_index); leaf.ok()) {
    out["height"] = leaf->height;
    out["signer"] = leaf->envelope.signer;
    out["signer_public_key"] = ledger::to_hex(leaf->signer_public_key);
  }
  const std::string doctor = rx.value("doctor", "");
  const int64_t issued_at = rx.value("issued_at_ms", int64_t{0});
  out["doctor"] = doctor;
  out["hospital"] = rx.value("org", "");
  out["issued_at_ms"] = issued_at;
  StoreStateView view(*ctx.store);
  const contracts::ChainParams& chain = ctx.signers->chain_params();
  std::optional<contracts::Signer> signer = contracts::find_signer(view, chain, doctor);
  if (signer) {
    out["licence_no"] = signer->licence_no;
    ledger::ExecutionResult standing = contracts::signer_validity(view, chain, *signer, issued_at);
    out["registration_stood_at_issue"] = standing.accepted;
    if (!standing.accepted) out["registration_problem"] = standing.reason_code;
  } else {
    out["registration_stood_at_issue"] = false;
    out["registration_problem"] = "unknown_signer";
  }
  return out;
}

// The prescription's steps in chain order, at most kMaxTrailRecords. Always a prefix of the
// trail: a step that cannot be read ends the list, marked cut short, so that the proofs of its
// first and last steps (ledger::served_trail_proofs) never span a gap an honest node left.
json trail_of(const ApiContext& ctx, const std::string& id, bool& truncated) {
  json out = json::array();
  truncated = true;
  auto trail = subject_trail(*ctx.store, contracts::rx_key(id), kMaxTrailRecords);
  if (!trail.ok()) return out;
  truncated = trail->truncated;
  for (uint64_t leaf_index : trail->leaves) {
    auto leaf = ctx.store->leaf_at(leaf_index);
    if (!leaf.ok()) {
      truncated = true;
      break;
    }
    auto fields = ledger::parse_payload(leaf->envelope);
    json entry = {{"leaf_index", leaf_index},
                  {"at_ms", leaf->timestamp_ms},
                  {"signer", leaf->envelope.signer},
                  {"kind", fields.ok() ? fields->kind : std::string()},
                  {"accepted", leaf->result.accepted}};
    if (!leaf->result.accepted) entry["reason_code"] = leaf->result.reason_code;
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace

http::Response prescription_view(const ApiContext& ctx, const std::string& id, const Reader& reader) {
  // The reader's query was judged against the state before its own leaf: a prescription issued
  // after it (a later block, or later in the same one) was not what the contract allowed.
  auto hash = ledger::hash_from_hex(id);
  auto issued_at_leaf = hash.ok() ? ctx.store->find_record(*hash) : ledger::Result<uint64_t>(ledger::Status::error("", ""));
  if (!issued_at_leaf.ok() || *issued_at_leaf >= reader.receipt_leaf) {
    return http::Response::error(404, "not_found", "no prescription with this id");
  }
  // The checkpoint the proofs are against, taken before the trail is read: the trail read after
  // it holds every step the checkpoint's tree does (the chain only grows), so an honest answer
  // is never short of the head it proves.
  const std::optional<ledger::SignedCheckpoint> checkpoint = newest_quorum_checkpoint(ctx);
  auto stored = ctx.store->get_state(contracts::rx_key(id));
  if (!stored.ok()) return http::Response::error(500, "internal", "the state could not be read");
  if (!stored->has_value()) return http::Response::error(404, "not_found", "no prescription with this id");
  std::optional<json> rx = contracts::state_value_json(contracts::rx_key(id), **stored);
  if (!rx) return http::Response::error(500, "corrupt_state", "the prescription does not read");
  const contracts::ChainParams& chain = ctx.signers->chain_params();
  const int64_t now = wall_clock_ms();
  const int64_t today = contracts::day_of(now, chain.utc_offset_minutes);

  json items = json::array();
  json rest = json::array();
  for (const json& item : rx->value("items", json::array())) {
    const int64_t prescribed = item.value("prescribed", int64_t{0});
    const int64_t dispensed = item.value("dispensed", int64_t{0});
    const int64_t remaining = std::max<int64_t>(0, prescribed - dispensed);
    json row = item;
    row["remaining"] = remaining;
    items.push_back(std::move(row));
    if (remaining > 0) rest.push_back({{"drug_code", item.value("drug_code", "")}, {"quantity", remaining}});
  }
  // Nothing left: ask for one unit of the first item, and let the contract say why not.
  if (rest.empty() && !items.empty()) rest.push_back({{"drug_code", items[0].value("drug_code", "")}, {"quantity", 1}});
  ledger::ExecutionResult verdict =
      dry_run(*ctx.store, chain, "rx.dispense", reader.signer, {{"rx_id", id}, {"items", rest}}, now);

  bool truncated = true;
  json body = {{"rx_id", id},
               {"status", contracts::rx_citizen_status(*rx, today)},
               {"authentic", authenticity(ctx, id, *issued_at_leaf, *rx)},
               {"validity",
                {{"issued_on", contracts::format_date(rx->value("issue_day", int64_t{0}))},
                 {"valid_until", contracts::format_date(rx->value("valid_until_day", int64_t{0}))},
                 {"expired", today > rx->value("valid_until_day", int64_t{0})}}},
               {"items", std::move(items)},
               {"cancelled", rx->contains("cancel") && !(*rx)["cancel"].is_null()},
               {"dispensable",
                {{"here_and_now", verdict.accepted},
                 {"checked_as", reader.signer},
                 {"dispense_of", rest},
                 {"reason_code", verdict.reason_code},
                 {"reason", verdict.reason}}},
               {"prescription", *rx}};
  json trail = trail_of(ctx, id, truncated);
  body["trail_truncated"] = truncated;
  body["receipt"] = {{"record_id", reader.receipt}, {"leaf_index", reader.receipt_leaf}};
  // The status as the chain proves it to anyone holding the id: the prescription's public facts
  // against the newest checkpoint a quorum signed, as the citizen's lookup proves them; and that
  // the trail lists every step (the prescription's trail head, ledger::served_trail_proofs).
  std::optional<json> proof;
  if (checkpoint) proof = trace_proof_json(*ctx.store, *checkpoint, TraceKind::kRx, id);
  if (proof) {
    std::optional<uint64_t> first, last;
    for (const json& row : trail) {
      const uint64_t leaf = row.at("leaf_index").get<uint64_t>();
      if (leaf >= checkpoint->checkpoint.tree_size) break;
      if (!first) first = leaf;
      last = leaf;
    }
    auto steps =
        ledger::served_trail_proofs(*ctx.store, *checkpoint, contracts::rx_key(id), first, last);
    (*proof)["trail"] = steps ? std::move(*steps) : json(nullptr);
  }
  body["trail"] = std::move(trail);
  body["proof"] = proof ? std::move(*proof) : json(nullptr);
  return json_reply(200, body);
}

}  // namespace medtrail::node::api
