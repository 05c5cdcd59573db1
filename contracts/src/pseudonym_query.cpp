// Who may have the pseudonym service compute a patient's ref, and how many a day (PIPL art. 28:
// sensitive personal information only for a specific purpose and with strict protection;
// docs/privacy.md). The service is oblivious: it never sees whose ref it computes. So what
// stops a member from pseudonymising the whole population is here: only the people who meet
// patients may ask, each within a daily limit, their organisation within another, and every
// request — refused ones too — is a record on the asker's trails and on `pseudonym/<org>`,
// where the regulator watches the rate.
#include <algorithm>
#include <optional>

#include "medtrail/contracts/access.h"
#include "medtrail/contracts/body_reader.h"
#include "pseudonym_query.h"

namespace medtrail::contracts {
namespace {

using ledger::ExecutionResult;

// Organisations whose staff meet patients, and the staff roles that do.
constexpr std::string_view kCareOrgTypes[] = {"hospital", "clinic", "pharmacy", "cdc"};
constexpr std::string_view kCareRoles[] = {"doctor", "pharmacist", "vaccinator", "operator"};

bool is_care_asker(const Call& call) {
  const bool care_org = std::any_of(std::begin(kCareOrgTypes), std::end(kCareOrgTypes),
                                    [&](std::string_view type) { return call.org.has_type(type); });
  const bool care_role = std::find(std::begin(kCareRoles), std::end(kCareRoles), call.signer.role) != std::end(kCareRoles);
  return care_org && care_role;
}

// A regulator's inspector or auditor investigating a complaint about a named person.
bool is_regulator_asker(const Call& call) {
  return call.org.has_type("regulator") && (call.signer.role == "inspector" || call.signer.role == "auditor");
}

// The count so far today under `key` (a count of another day is spent).
int64_t used_today(Call& call, const std::string& key) {
  std::optional<PseudonymUse> use = call.txn.read<PseudonymUse>(key);
  return use && use->day == call.today() ? use->count : 0;
}

}  // namespace

ExecutionResult pseudonym_query(Call& call, std::string_view purpose, size_t count) {
  call.txn.index("pseudonym/" + call.org.id);
  const std::optional<ledger::GenesisPseudonym>& service = call.chain.genesis.pseudonym;
  if (!service) {
    return ExecutionResult::reject("no_pseudonym_service", "this chain's genesis names no pseudonym service");
  }
  if (!is_care_asker(call) && !is_regulator_asker(call)) {
    return ExecutionResult::reject("query_not_permitted",
                                   "patient pseudonyms are asked for by the doctors, pharmacists, vaccinators and "
                                   "registration operators of hospitals, clinics, pharmacies and disease-control "
                                   "centres, or by a regulator's inspectors and auditors");
  }
  // Research works on de-identified extracts, never by pseudonymising named people.
  if (purpose == "research") {
    return ExecutionResult::reject("purpose_not_permitted", "research does not pseudonymise named people");
  }
  const auto n = static_cast<int64_t>(count);
  const std::string org_key = pseudonym_org_use_key(call.org.id);
  const std::string person_key = pseudonym_person_use_key(call.signer.id);
  const int64_t org_used = used_today(call, org_key);
  const int64_t person_used = used_today(call, person_key);
  if (person_used + n > service->person_daily_limit) {
    return ExecutionResult::reject("pseudonym_limit_reached",
                                   "this person has asked for " + std::to_string(person_used) + " of " +
                                       std::to_string(service->person_daily_limit) + " pseudonyms today");
  }
  if (org_used + n > service->org_daily_limit) {
    return ExecutionResult::reject("pseudonym_limit_reached",
                                   "this organisation has asked for " + std::to_string(org_used) + " of " +
                                       std::to_string(service->org_daily_limit) + " pseudonyms today");
  }
  call.txn.write(org_key, PseudonymUse{call.today(), org_used + n});
  call.txn.write(person_key, PseudonymUse{call.today(), person_used + n});
  return ExecutionResult::accept();
}

ExecutionResult citizen_pseudonym(Call& call) {
  BodyReader r(call.body, "body");
  auto card = r.hex("card", 32);
  // A citizen's lookup of their own vaccination record: the node computed the ref for them, and
  // the read lands on their trail like every other read of it.
  auto own_ref = r.patient_ref("patient_ref", Presence::kOptional);
  if (!r.finish()) return r.result();
  call.txn.index("pseudonym/" + call.org.id);
  const std::optional<ledger::GenesisPseudonym>& service = call.chain.genesis.pseudonym;
  if (!service) {
    return ExecutionResult::reject("no_pseudonym_service", "this chain's genesis names no pseudonym service");
  }
  // Only the service's own node vouches that an identity check passed.
  if (call.org.id != service->org) {
    return ExecutionResult::reject("not_pseudonym_service", "only a node of " + service->org +
                                                                " records citizens' pseudonym requests");
  }
  // Only now, from the service itself: no other member can crowd a patient's trail with refusals.
  if (own_ref) call.txn.index("patient/" + *own_ref);
  const std::string key = pseudonym_citizen_use_key(*card);
  const int64_t used = used_today(call, key);
  if (used + 1 > service->citizen_daily_limit) {
    return ExecutionResult::reject("pseudonym_limit_reached",
                                   "this citizen has made " + std::to_string(used) + " of " +
                                       std::to_string(service->citizen_daily_limit) +
                                       " requests today (their ref, their vaccination record)");
  }
  call.txn.write(key, PseudonymUse{call.today(), used + 1});
  return ExecutionResult::accept();
}

// The patient sees which organisations asked for the shares of their fields; the data key (a
// party's) is the other half, so a share alone opens nothing.
ExecutionResult patient_share_query(Call& call, std::string_view purpose, const ledger::ShareTarget& target) {
  call.txn.index("patient/" + target.patient_ref);
  if (!call.chain.genesis.pseudonym) {
    return ExecutionResult::reject("no_pseudonym_service", "this chain's genesis names no key service (pseudonym)");
  }
  const bool may_ask = is_care_asker(call) || (target.use == ledger::ShareUse::kOpen && is_regulator_asker(call));
  if (!may_ask) {
    return ExecutionResult::reject("query_not_permitted",
                                   "a patient's key shares are asked for by the care staff of hospitals, clinics, "
                                   "pharmacies and disease-control centres, and to open by a regulator's inspectors "
                                   "and auditors");
  }
  if (purpose == "research") {
    return ExecutionResult::reject("purpose_not_permitted", "research does not read named patients' sealed fields");
  }
  return ExecutionResult::accept();
}

}  // namespace medtrail::contracts
