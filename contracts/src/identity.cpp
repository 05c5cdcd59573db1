// identity.register / identity.revoke: an organisation's admin binds a person's key to a role
// and a licence for a period, or ends the binding. The identity id is "<org>/<user_id>" and is
// never reused: records signed by an old key stay verifiable by the key their leaf carries.
#include <algorithm>

#include "medtrail/contracts/body_reader.h"
#include "medtrail/contracts/calendar.h"
#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/registry.h"

namespace medtrail::contracts {
namespace {

using ledger::ExecutionResult;

// Which organisation types may employ each role (a doctor works at a hospital, clinic or disease
// control centre; a pharmacist at a pharmacy or a hospital's pharmacy; ...).
struct RolePlaces {
  std::string_view role;
  std::vector<std::string_view> org_types;  // empty: any
  bool licence_required;
};
const std::vector<RolePlaces>& role_places() {
  static const std::vector<RolePlaces> places = {
      {"doctor", {"hospital", "clinic", "cdc"}, true},
      {"pharmacist", {"pharmacy", "hospital"}, true},
      {"vaccinator", {"clinic", "hospital", "cdc"}, true},
      {"inspector", {"regulator", "inspector", "cdc"}, false},
      {"operator", {}, false},
      {"auditor", {}, false},
  };
  return places;
}

bool is_qualification(std::string_view s) {
  return s == kControlledPrescribing || s == kControlledDispensing;
}

// Which role holds each qualification: a doctor prescribes, a pharmacist dispenses.
std::string_view role_of_qualification(std::string_view q) {
  return q == kControlledPrescribing ? "doctor" : "pharmacist";
}

bool is_licence(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ||
           c == '_' || c == '.' || c == '/';
  });
}

ExecutionResult register_identity(Call& call) {
  BodyReader r(call.body, "body");
  auto user_id = r.token("user_id", Charset::kId, 1, 64);
  auto role = r.one_of("role", {"doctor", "pharmacist", "vaccinator", "inspector", "operator", "auditor"});
  auto key = r.hex("public_key", ledger::find_suite(call.chain.genesis.suite)->public_key_size());
  auto licence = r.matching("licence_no", is_licence, "1..64 characters [A-Za-z0-9._/-]",
                            Presence::kOptional);
  auto from = r.date("valid_from");
  auto until = r.date("valid_until");
  r.text("display_name", 64, Presence::kOptional);
  auto qualifications =
      r.string_list("qualifications", 1, 2, is_qualification,
                    "controlled_prescribing or controlled_dispensing", Presence::kOptional);
  auto title = r.one_of("title", {kDoctorTitles[0], kDoctorTitles[1], kDoctorTitles[2], kDoctorTitles[3]},
                        Presence::kOptional);
  auto practice_since = r.date("practice_since", Presence::kOptional);
  if (!r.finish()) return r.result();
  if (*until < *from) {
    return ExecutionResult::reject("out_of_range", "body.valid_until is before body.valid_from");
  }
  const auto place = std::find_if(role_places().begin(), role_places().end(),
                                  [&](const RolePlaces& p) { return p.role == *role; });
  if (!place->org_types.empty() &&
      std::none_of(place->org_types.begin(), place->org_types.end(),
                   [&](std::string_view t) { return call.org.has_type(t); })) {
    return ExecutionResult::reject("role_not_allowed_for_org",
                                   "a " + *role + " cannot be registered by this organisation's type");
  }
  if (place->licence_required && !licence) {
    return ExecutionResult::reject("missing_field", "body.licence_no is required for a " + *role);
  }
  if (title && *role != "doctor") {
    return ExecutionResult::reject("qualification_not_for_role",
                                   "a title (" + *title + ") is registered for a doctor only");
  }
  if (practice_since && *role != "doctor") {
    return ExecutionResult::reject("qualification_not_for_role",
                                   "body.practice_since (years of independent practice) is a doctor's");
  }
  if (practice_since && *practice_since > call.today()) {
    return ExecutionResult::reject("out_of_range", "body.practice_since is after today");
  }
  for (const std::string& q : qualifications.value_or(std::vector<std::string>{})) {
    if (role_of_qualification(q) != *role) {
      return ExecutionResult::reject("qualification_not_for_role",
                                     q + " is a " + std::string(role_of_qualification(q)) +
                                         "'s qualification, not a " + *role + "'s");
    }
  }
  const std::string id = call.org.id + "/" + *user_id;
  if (*user_id == "admin" || find_signer(call.txn, call.chain, id)) {
    return ExecutionResult::reject("identity_exists", "identity " + id + " is already taken");
  }
  StoredIdentity identity;
  identity.org = call.org.id;
  identity.user_id = std::move(*user_id);
  identity.role = std::move(*role);
  identity.public_key = ledger::from_hex(*key).value();  // lowercase hex, checked by the reader
  identity.licence_no = licence.value_or("");
  identity.valid_from = format_date(*from);
  identity.valid_until = format_date(*until);
  identity.qualifications = qualifications.value_or(std::vector<std::string>{});
  identity.title = std::move(title);
  if (practice_since) identity.practice_since = format_date(*practice_since);
  identity.registered_at_ms = call.block.timestamp_ms;
  identity.registered_by = std::string(call.record_id);
  call.txn.write(identity_key(id), identity);
  call.txn.index("identity/" + id);
  return ExecutionResult::accept();
}

ExecutionResult revoke_identity(Call& call) {
  BodyReader r(call.body, "body");
  auto user_id = r.token("user_id", Charset::kId, 1, 64);
  r.text("reason", 256);
  if (!r.finish()) return r.result();
  const std::string id = call.org.id + "/" + *user_id;
  call.txn.index("identity/" + id);
  std::optional<StoredIdentity> identity = call.txn.read<StoredIdentity>(identity_key(id));
  if (!identity) return ExecutionResult::reject("unknown_identity", "no identity " + id);
  if (identity->revoked_at_ms) {
    return ExecutionResult::reject("already_revoked", "identity " + id + " was revoked before");
  }
  identity->revoked_at_ms = call.block.timestamp_ms;
  identity->revoked_by = std::string(call.record_id);
  call.txn.write(identity_key(id), *identity);
  return ExecutionResult::accept();
}

}  // namespace

std::vector<KindRule> identity_rules() {
  return {
      {"identity.register", {kAdminRole}, {}, register_identity},
      {"identity.revoke", {kAdminRole}, {}, revoke_identity},
  };
}

}  // namespace medtrail::contracts
