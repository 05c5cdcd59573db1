// consent.grant / consent.withdraw: a patient's authorisation to read their records, recorded by
// an organisation acting for them (PIPL art. 29: separate consent for sensitive personal
// information; art. 15: consent may be withdrawn, and withdrawal stops processing from then on).
#include "medtrail/contracts/consent.h"

#include <algorithm>

#include "medtrail/contracts/body_reader.h"
#include "medtrail/contracts/registry.h"

namespace medtrail::contracts {
namespace {

using ledger::ExecutionResult;

// Purposes a grant may name. `emergency` needs none (break-glass), `audit` is a regulator's
// duty and `public_health` the law's own basis: grants are for the rest.
bool is_grantable_purpose(std::string_view p) {
  return p == "treatment" || p == "dispensing" || p == "payment" || p == "research";
}

bool in_force(const ConsentGrant& g, int64_t today) { return !g.withdrawn_at_ms && today <= g.valid_until_day; }

ExecutionResult grant(Call& call) {
  BodyReader r(call.body, "body");
  auto patient = r.patient_ref("patient_ref");
  auto org = r.token("org", Charset::kId, 1, 64);
  auto role = r.one_of("role", {"doctor", "pharmacist", "vaccinator", "operator", "auditor"}, Presence::kOptional);
  auto purposes = r.string_list("purposes", 1, 4, is_grantable_purpose,
                                "one of treatment, dispensing, payment, research");
  auto until = r.date("valid_until");
  if (!r.finish()) return r.result();
  call.txn.index("patient/" + *patient);
  call.txn.index("org/" + call.org.id);
  if (*until < call.today()) {
    return ExecutionResult::reject("out_of_range", "body.valid_until is before today");
  }
  std::optional<Organisation> grantee = find_org(call.txn, call.chain, *org);
  if (!grantee || grantee->removed) {
    // Messages never echo a body's values here: a mistyped field could hold the patient_ref.
    return ExecutionResult::reject("unknown_org", "body.org is not a member organisation");
  }
  const std::string key = consent_key(*patient);
  PatientConsent consent = call.txn.read<PatientConsent>(key).value_or(PatientConsent{});
  const int64_t today = call.today();
  // Room first from grants that no longer count.
  std::erase_if(consent.grants, [&](const ConsentGrant& g) { return !in_force(g, today); });
  if (consent.grants.size() >= kMaxConsentGrants) {
    return ExecutionResult::reject("too_many_grants", "the patient has " + std::to_string(kMaxConsentGrants) +
                                                          " grants in force; withdraw one first");
  }
  consent.grants.push_back({std::string(call.record_id), *org, role, std::move(*purposes), *until, call.signer.id,
                            call.block.timestamp_ms, std::nullopt, std::nullopt});
  call.txn.write(key, consent);
  return ExecutionResult::accept();
}

ExecutionResult withdraw(Call& call) {
  BodyReader r(call.body, "body");
  auto patient = r.patient_ref("patient_ref");
  auto grant_id = r.hex("grant_id", 32);
  if (!r.finish()) return r.result();
  call.txn.index("patient/" + *patient);
  call.txn.index("org/" + call.org.id);
  const std::string key = consent_key(*patient);
  std::optional<PatientConsent> consent = call.txn.read<PatientConsent>(key);
  auto it = consent ? std::find_if(consent->grants.begin(), consent->grants.end(),
                                   [&](const ConsentGrant& g) { return g.id == *grant_id; })
                    : std::vector<ConsentGrant>::iterator();
  if (!consent || it == consent->grants.end()) {
    return ExecutionResult::reject("unknown_grant", "body.grant_id names no grant of this patient that is kept");
  }
  if (it->withdrawn_at_ms) {
    return ExecutionResult::reject("already_withdrawn", "body.grant_id was withdrawn before");
  }
  it->withdrawn_at_ms = call.block.timestamp_ms;
  it->withdrawn_by = call.signer.id;
  call.txn.write(key, *consent);
  return ExecutionResult::accept();
}

}  // namespace

std::string consent_key(std::string_view patient_ref) { return "consent/" + std::string(patient_ref); }

bool consent_covers(const StateView& state, std::string_view patient_ref, std::string_view org,
                    std::string_view role, std::string_view purpose, int64_t today) {
  std::optional<PatientConsent> consent = read_value<PatientConsent>(state, consent_key(patient_ref));
  if (!consent) return false;
  return std::any_of(consent->grants.begin(), consent->grants.end(), [&](const ConsentGrant& g) {
    return in_force(g, today) && g.org == org && (!g.role || *g.role == role) &&
           std::find(g.purposes.begin(), g.purposes.end(), purpose) != g.purposes.end();
  });
}

std::vector<KindRule> consent_rules() {
  // Recorded by the people who meet patients (a registration desk, a doctor, a pharmacist) at
  // an organisation that cares for them, for the patient in front of them.
  const std::vector<std::string_view> roles = {"doctor", "pharmacist", "vaccinator", "operator"};
  const std::vector<std::string_view> places = {"hospital", "clinic", "cdc", "pharmacy"};
  return {{"consent.grant", roles, places, grant}, {"consent.withdraw", roles, places, withdraw}};
}

}  // namespace medtrail::contracts
