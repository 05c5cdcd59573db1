// claim.submit / claim.settle: medical-insurance settlement (一站式结算). The organisation that
// dispensed a prescription or gave a dose claims that service from an insurer, in fen, once: a
// second claim of the same dispense or dose is refused and stays on the first claim's trail as
// evidence (医疗保障基金使用监督管理条例 2021: 重复收费、重复结算 are prohibited). The insurer
// settles or refuses each claim once.
#include "medtrail/contracts/claims.h"

#include "family_views.h"
#include "medtrail/contracts/body_reader.h"
#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/registry.h"
#include "medtrail/contracts/rx.h"
#include "medtrail/contracts/vaccine.h"
#include "vaccine_codes.h"

namespace medtrail::contracts {
namespace claims {
namespace {

using ledger::ExecutionResult;

std::string claim_key(std::string_view id) { return "claim/" + std::string(id); }
std::string claimed_key(std::string_view subject, int64_t service) {
  return "claimed/" + std::string(subject) + "/" + std::to_string(service);
}

// The service a claim names, as the chain recorded it.
struct Service {
  std::string subject;  // rx/<id> or vcode/<canonical>
  std::string provider;
  std::string patient_ref;
};

ExecutionResult no_service(const std::string& what) {
  return ExecutionResult::reject("unknown_service", what);
}

// The `n`th dispense of a prescription: who dispensed it, for whom.
ExecutionResult find_dispense(const Call& call, const std::string& rx_id, int64_t n, Service& out) {
  out.subject = "rx/" + rx_id;
  std::optional<rx::Prescription> rx = call.txn.read<rx::Prescription>(out.subject);
  if (!rx) return ExecutionResult::reject("unknown_prescription", "no prescription " + rx_id);
  if (n > static_cast<int64_t>(rx->dispenses.size())) {
    return no_service("prescription " + rx_id + " has no dispense " + std::to_string(n));
  }
  out.provider = rx->dispenses[n - 1].org;
  out.patient_ref = rx->patient_ref;
  return ExecutionResult::accept();
}

// The `n`th dose given from a code: by which organisation, to whom.
ExecutionResult find_administration(const Call& call, const std::string& canonical, int64_t n,
                                    Service& out) {
  out.subject = "vcode/" + canonical;
  std::optional<vaccine::Dose> dose = call.txn.read<vaccine::Dose>(out.subject);
  if (!dose) return ExecutionResult::reject("unknown_code", "no dose " + canonical + " on the chain");
  if (n > static_cast<int64_t>(dose->administrations.size())) {
    return no_service("dose " + canonical + " has no administration " + std::to_string(n));
  }
  const vaccine::Administration& given = dose->administrations[n - 1];
  out.provider = given.by.substr(0, given.by.find('/'));
  out.patient_ref = given.patient_ref;
  return ExecutionResult::accept();
}

ExecutionResult submit(Call& call) {
  BodyReader r(call.body, "body");
  auto id = r.token("claim_id", Charset::kCode, 1, 64);
  auto insurer = r.token("insurer", Charset::kId, 1, 64);
  auto rx_id = r.hex("rx_id", 32, Presence::kOptional);
  auto dispense = r.integer("dispense", 1, rx::kMaxDispenses, Presence::kOptional);
  auto code = r.matching("dose_code", vaccine::is_dose_code,
                         vaccine::kDoseCodeFormat,
                         Presence::kOptional);
  auto administration = r.integer("administration", 1, vaccine::kMaxDosesPerCode, Presence::kOptional);
  auto amount = r.integer("amount_fen", 1, kMaxAmountFen);
  if (r.ok()) {
    // One service: a prescription's dispense, or a dose given.
    if (rx_id.has_value() == code.has_value()) {
      r.fail(rx_id ? "unknown_field" : "missing_field",
             "body names one service: rx_id with dispense, or dose_code with administration");
    } else if (rx_id && !dispense) {
      r.fail("missing_field", "body.dispense is required with body.rx_id");
    } else if (rx_id) {
      r.refuse_field("administration", "a dose_code");
    } else {
      r.refuse_field("dispense", "an rx_id");
    }
  }
  if (!r.finish()) return r.result();
  const std::string key = claim_key(*id);
  call.txn.index(key);
  call.txn.index("org/" + call.org.id);
  if (call.txn.get(key)) return ExecutionResult::reject("claim_exists", "claim " + *id + " exists");
  std::optional<Organisation> payer = find_org(call.txn, call.chain, *insurer);
  if (!payer || payer->removed) return ExecutionResult::reject("unknown_org", "no organisation " + *insurer);
  call.txn.index("org/" + *insurer);
  if (!payer->has_type("insurer")) {
    return ExecutionResult::reject("not_an_insurer", "organisation " + *insurer + " is not an insurer");
  }
  Service service;
  const int64_t n = rx_id ? *dispense : administration.value_or(1);
  ExecutionResult found = rx_id ? find_dispense(call, *rx_id, n, service)
                                : find_administration(call, *canonical_dose_code(*code), n, service);
  call.txn.index(service.subject);
  if (!found.accepted) return found;
  call.txn.index("patient/" + service.patient_ref);
  if (service.provider != call.org.id) {
    return ExecutionResult::reject("not_provider", "the service was provided by another organisation");
  }
  const std::string claimed = claimed_key(service.subject, n);
  if (std::optional<Claimed> earlier = call.txn.read<Claimed>(claimed)) {
    // The second claim is evidence on the first one's trail.
    call.txn.index(claim_key(earlier->claim_id));
    return ExecutionResult::reject("already_claimed",
                                   "the service was claimed before, by claim " + earlier->claim_id);
  }
  Claim claim;
  claim.provider = call.org.id;
  claim.insurer = std::move(*insurer);
  claim.subject = std::move(service.subject);
  claim.service = n;
  claim.patient_ref = std::move(service.patient_ref);
  claim.amount_fen = *amount;
  claim.status = "submitted";
  claim.submitted_at_ms = call.block.timestamp_ms;
  claim.submitted_by = call.signer.id;
  claim.submitted_record = std::string(call.record_id);
  call.txn.write(key, claim);
  call.txn.write(claimed, Claimed{*id});
  return ExecutionResult::accept();
}

ExecutionResult settle(Call& call) {
  BodyReader r(call.body, "body");
  auto id = r.token("claim_id", Charset::kCode, 1, 64);
  auto decision = r.one_of("decision", {"settled", "refused"});
  const bool settled = decision == "settled";
  auto amount = r.integer("amount_fen", 1, kMaxAmountFen, settled ? Presence::kRequired : Presence::kOptional);
  auto reason = r.text("reason", 256, settled ? Presence::kOptional : Presence::kRequired);
  if (!settled) r.refuse_field("amount_fen", "a settlement");
  if (!r.finish()) return r.result();
  const std::string key = claim_key(*id);
  call.txn.index(key);
  call.txn.index("org/" + call.org.id);
  std::optional<Claim> claim = call.txn.read<Claim>(key);
  if (!claim) return ExecutionResult::reject("unknown_claim", "no claim " + *id);
  call.txn.index("org/" + claim->provider);
  if (claim->insurer != call.org.id) {
    return ExecutionResult::reject("not_insurer", "claim " + *id + " was made to another insurer");
  }
  if (claim->status != "submitted") {
    return ExecutionResult::reject("already_decided", "claim " + *id + " was " + claim->status);
  }
  if (amount && *amount > claim->amount_fen) {
    return ExecutionResult::reject("amount_exceeds_claim",
                                   "body.amount_fen is above the " + std::to_string(claim->amount_fen) +
                                       " fen claimed");
  }
  claim->status = *decision;
  claim->settled_amount_fen = amount;
  (settled ? claim->settlement_note : claim->refusal_reason) = std::move(reason);
  claim->decided_at_ms = call.block.timestamp_ms;
  claim->decided_by = call.signer.id;
  claim->decision_record = std::string(call.record_id);
  call.txn.write(key, *claim);
  return ExecutionResult::accept();
}

}  // namespace
}  // namespace claims

std::vector<KindRule> claim_rules() {
  return {
      {"claim.submit", {"operator", "pharmacist"}, {"pharmacy", "hospital", "clinic", "cdc"}, claims::submit},
      {"claim.settle", {"operator", kAdminRole}, {"insurer"}, claims::settle},
  };
}

const ValueCodec* claims_value_codec(std::string_view key) {
  if (key.starts_with("claim/")) return codec_of<claims::Claim>();
  if (key.starts_with("claimed/")) return codec_of<claims::Claimed>();
  return nullptr;
}

}  // namespace medtrail::contracts
