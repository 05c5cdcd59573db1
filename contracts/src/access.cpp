// access.read / access.justify: who read which patient's records, for what purpose, with what
// outcome (FHIR R4 AuditEvent: purposeOfEvent, outcome 0/4/8/12). PIPL (2021) art. 28-29 makes
// medical health information sensitive personal information, so each access is itself recorded.
// A break-glass read (purpose "emergency") bypasses the usual consent checks and must be
// justified afterwards (HL7 / ISO/TS 22600 emergency access): a late justification is accepted
// as evidence but marked late.
#include <algorithm>

#include "medtrail/contracts/access.h"
#include "medtrail/contracts/body_reader.h"
#include "medtrail/contracts/confidential.h"
#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/registry.h"
#include "family_views.h"

namespace medtrail::contracts {
namespace {

using ledger::ExecutionResult;
using nlohmann::json;

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_code_char(char c) {
  return is_letter(c) || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

// `s` is `first` '/' `second` with each part 1..max characters of its set.
bool two_parts(std::string_view s, bool (*first)(char), size_t first_max, bool (*second)(char),
               size_t second_max) {
  const size_t slash = s.find('/');
  if (slash == std::string_view::npos) return false;
  const std::string_view a = s.substr(0, slash);
  const std::string_view b = s.substr(slash + 1);
  return !a.empty() && a.size() <= first_max && std::all_of(a.begin(), a.end(), first) &&
         !b.empty() && b.size() <= second_max && std::all_of(b.begin(), b.end(), second);
}

// "<Type>/<id>", a FHIR-style resource reference such as "MedicationRequest/rx-7".
bool is_resource(std::string_view s) { return two_parts(s, is_letter, 32, is_code_char, 64); }

ExecutionResult org_mismatch() {
  return ExecutionResult::reject("org_mismatch", "the access belongs to another organisation");
}

ExecutionResult record_read(Call& call) {
  BodyReader r(call.body, "body");
  auto patient = r.patient_ref("patient_ref");
  auto actor = r.matching("actor", is_identity_id, "an identity id <org>/<name>, each [a-z0-9-] 1..64");
  auto org = r.token("org", Charset::kId, 1, 64);
  auto purpose = r.one_of("purpose", {"treatment", "dispensing", "payment", "public_health",
                                      "research", "audit", "emergency"});
  auto resources = r.string_list("resources", 1, 50, is_resource,
                                 "<Type>/<id>: Type [A-Za-z] 1..32, id [A-Za-z0-9._-] 1..64");
  r.one_of("outcome", {"success", "minor_failure", "serious_failure", "major_failure"});
  if (!r.finish()) return r.result();
  for (size_t i = 0; i < resources->size(); ++i) {
    // "Patient/<resident id>" would put the identity number on the chain in clear.
    if (contains_resident_id((*resources)[i])) {
      return ExecutionResult::reject("patient_identifier_in_clear",
                                     r.path_of("resources") + "[" + std::to_string(i) +
                                         "] holds a resident identity number");
    }
  }
  call.txn.index("patient/" + *patient);
  call.txn.index("access/" + *org);
  if (*org != call.org.id) return org_mismatch();
  // Nobody may put a read into another person's trail: a person reports their own reads; a node
  // reports reads by people of its own organisation.
  if (actor->substr(0, actor->find('/')) != call.org.id) return org_mismatch();
  if (call.signer.role != kNodeRole && *actor != call.signer.id) {
    return ExecutionResult::reject("actor_not_signer", "a person records only their own reads");
  }
  call.txn.index("actor/" + *actor);
  if (*purpose == "emergency") {
    AccessEvent event;
    event.patient_ref = *patient;
    event.org = *org;
    event.actor = *actor;
    event.at_ms = call.block.timestamp_ms;
    event.due_ms = call.block.timestamp_ms + kBreakGlassJustifyWithinMs;
    call.txn.write(access_event_key(call.record_id), event);
  }
  return ExecutionResult::accept();
}

ExecutionResult justify(Call& call) {
  BodyReader r(call.body, "body");
  const std::optional<ledger::Sealed> sealed = read_sealed(r, call.body, call);
  const Presence written = sealed ? Presence::kOptional : Presence::kRequired;
  auto event_id = r.hex("event_id", 32);
  r.text("justification", 1024, written);
  if (!r.finish()) return r.result();
  std::optional<AccessEvent> event = call.txn.read<AccessEvent>(access_event_key(*event_id));
  if (!event) return ExecutionResult::reject("unknown_event", "no break-glass access " + *event_id);
  call.txn.index("patient/" + event->patient_ref);
  call.txn.index("access/" + event->org);
  if (event->org != call.org.id) return org_mismatch();
  if (ExecutionResult v = check_sealed_readers(sealed, call, event->patient_ref); !v.accepted) return v;
  if (event->justified) {
    return ExecutionResult::reject("already_justified", "access " + *event_id + " was justified before");
  }
  event->justified = true;
  event->justified_at_ms = call.block.timestamp_ms;
  event->justified_by = call.signer.id;
  event->justification_record = std::string(call.record_id);
  event->late = call.block.timestamp_ms > event->due_ms;
  call.txn.write(access_event_key(*event_id), *event);
  return ExecutionResult::accept();
}

}  // namespace

std::string access_event_key(std::string_view event_id) { return "acc/" + std::string(event_id); }

std::string pseudonym_org_use_key(std::string_view org) { return "pq/org/" + std::string(org); }
std::string pseudonym_person_use_key(std::string_view signer_id) { return "pq/id/" + std::string(signer_id); }
std::string pseudonym_citizen_use_key(std::string_view card_digest) { return "pq/card/" + std::string(card_digest); }

std::string break_glass_flag(const json& event_state, int64_t now_ms) {
  if (!event_state.is_object()) return "unknown";
  auto justified = event_state.find("justified");
  auto due = event_state.find("due_ms");
  if (justified == event_state.end() || !justified->is_boolean() || due == event_state.end() ||
      !due->is_number_integer()) {
    return "unknown";
  }
  if (justified->get<bool>()) return event_state.value("late", false) ? "justified_late" : "justified";
  return now_ms <= due->get<int64_t>() ? "pending" : "overdue";
}

std::vector<KindRule> access_rules() {
  return {
      {"access.read",
       {"doctor", "pharmacist", "vaccinator", "inspector", "operator", "auditor", kNodeRole},
       {},
       record_read},
      // A person answers for a break-glass access; a node only reports it.
      {"access.justify",
       {"doctor", "pharmacist", "vaccinator", "inspector", "operator", "auditor"},
       {},
       justify},
  };
}

}  // namespace medtrail::contracts

namespace medtrail::contracts {

const ValueCodec* access_value_codec(std::string_view key) {
  if (key.starts_with("pq/")) return codec_of<PseudonymUse>();
  return codec_of<AccessEvent>();
}

}  // namespace medtrail::contracts
