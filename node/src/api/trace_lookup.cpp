#include "api/trace_lookup.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "api/subject_trail.h"
#include "core/store_state_view.h"
#include "medtrail/contracts/calendar.h"
#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/rx.h"
#include "medtrail/contracts/state_json.h"
#include "medtrail/contracts/tableware.h"
#include "medtrail/contracts/vaccine.h"
#include "medtrail/ledger/envelope.h"

namespace medtrail::node::api {

namespace {

using nlohmann::json;
using ledger::Status;

// Reads the state and names organisations, remembering names for the answer's length.
class Reader {
 public:
  Reader(const ledger::ChainStore& store, const contracts::ChainParams& chain)
      : store_(store), chain_(chain), view_(store) {}

  // The JSON view of a state value; nullopt when absent. Errors: unreadable, undecodable.
  ledger::Result<std::optional<json>> value(const std::string& key) const {
    auto bytes = store_.get_state(key);
    if (!bytes.ok()) return Status::error("io_error", "the state could not be read");
    if (!bytes->has_value()) return std::optional<json>();
    std::optional<json> view = contracts::state_value_json(key, **bytes);
    if (!view) return Status::error("corrupt_state", "a stored value does not decode");
    return view;
  }

  // The organisation's name (its id when the chain knows no name).
  std::string org_name(const std::string& org) {
    auto it = names_.find(org);
    if (it != names_.end()) return it->second;
    std::optional<contracts::Organisation> o = contracts::find_org(view_, chain_, org);
    std::string name = o && !o->name.empty() ? o->name : org;
    names_.emplace(org, name);
    return name;
  }
  // The organisation of a person or node id "<org>/<name>".
  std::string org_of(const std::string& signer) { return org_name(signer.substr(0, signer.find('/'))); }

  const ledger::ChainStore& store() const { return store_; }

 private:
  const ledger::ChainStore& store_;
  const contracts::ChainParams& chain_;
  StoreStateView view_;
  std::map<std::string, std::string> names_;
};

std::string text(const json& j, const char* field) {
  auto it = j.find(field);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
std::optional<int64_t> number(const json& j, const char* field) {
  auto it = j.find(field);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

// The records of a subject's trail as the public sees them: when, what, which organisation,
// accepted or refused with its reason code. Never the body: that is where patients and people are.
struct Timeline {
  json events = json::array();
  bool truncated = false;
};

ledger::Result<Timeline> timeline_of(Reader& reader, const std::vector<uint64_t>& leaves, bool truncated) {
  Timeline t;
  t.truncated = truncated;
  for (uint64_t leaf_index : leaves) {
    if (t.events.size() == kMaxTimelineRecords) {
      t.truncated = true;
      break;
    }
    auto leaf = reader.store().leaf_at(leaf_index);
    if (!leaf.ok()) return Status::error("io_error", "a record could not be read");
    auto fields = ledger::parse_payload(leaf->envelope);
    if (!fields.ok()) continue;  // kept as refused before it parsed: not a step of this subject
    // Who read the subject is the patient's and the regulator's to know (signed reads), not the
    // public's; so are a suspected adverse event, which is the health of whoever got the dose,
    // insurance claims, which are the patient's money, and consultations.
    if (fields->kind.starts_with("access.") || fields->kind.starts_with("claim.") ||
        fields->kind == "vaccine.aefi" || fields->kind.starts_with("visit.")) {
      continue;
    }
    json event = {{"at_ms", leaf->timestamp_ms},
                  {"event", fields->kind},
                  {"organisation", reader.org_name(fields->org)},
                  {"accepted", leaf->result.accepted}};
    if (!leaf->result.accepted) event["reason_code"] = leaf->result.reason_code;
    t.events.push_back(std::move(event));
  }
  return t;
}

// Index entries a public timeline looks at: reads of the subject (access.*, left out) must not
// crowd its own steps out of the first kMaxTimelineRecords.
constexpr size_t kMaxTimelineScan = 20 * kMaxTimelineRecords;

ledger::Result<Timeline> timeline(Reader& reader, const std::string& subject) {
  auto trail = subject_trail(reader.store(), subject, kMaxTimelineScan);
  if (!trail.ok()) return trail.status();
  return timeline_of(reader, trail->leaves, trail->truncated);
}

// Adds the leaf of the record `id` names (a record id kept in a state value), if it is one.
void add_record(const ledger::ChainStore& store, const json& value, const char* field, std::set<uint64_t>& leaves) {
  const std::string id = text(value, field);
  auto hash = id.size() == 64 ? ledger::hash_from_hex(id) : ledger::Result<ledger::Hash>(Status::error("", ""));
  if (!hash.ok()) return;
  auto leaf = store.find_record(*hash);
  if (leaf.ok()) leaves.insert(*leaf);
}

std::string dose_word(const std::string& status) {
  if (status == "recalled") return "RECALLED";
  if (status == "expired") return "EXPIRED";
  if (status == "quarantined") return "QUARANTINED";
  if (status == "administered") return "ALREADY_ADMINISTERED";
  if (status == "not_released") return "HELD";
  if (status == "in_stock" || status == "in_transit") return "GENUINE";
  if (status == "in_use") return "IN_USE";
  if (status == "disposed") return "DISPOSED";
  return "QUARANTINED";  // dose_status never reads unreadable state as usable; neither do we
}

ledger::Result<TraceAnswer> vaccine(Reader& reader, const contracts::ChainParams& chain,
                                    std::string_view code_text, int64_t now_ms, TraceAnswer answer) {
  std::optional<std::string> code = contracts::canonical_dose_code(code_text);
  if (!code) {
    return Status::error("bad_code", "a dose code is 20 digits or a GS1 element string (01)…(21)…");
  }
  answer.body["code"] = *code;
  auto dose = reader.value("vcode/" + *code);
  if (!dose.ok()) return dose.status();
  if (!dose->has_value()) return answer;
  auto lot = reader.value(text(**dose, "lot"));
  if (!lot.ok()) return lot.status();
  const json lot_view = lot->value_or(json::object());
  const int64_t today = contracts::day_of(now_ms, chain.utc_offset_minutes);
  const std::string status = contracts::dose_status(**dose, lot_view, today, now_ms);

  json facts = {{"dose_status", status},
                {"product_code", text(lot_view, "product_code")},
                {"product_name", text(lot_view, "product_name")},
                {"lot", text(lot_view, "lot")},
                {"expiry", text(lot_view, "expiry")},
                {"manufacturer", reader.org_name(text(lot_view, "owner"))},
                {"held_by", reader.org_name(text(**dose, "holder"))}};
  if (auto decision = lot_view.find("decision"); decision != lot_view.end() && decision->is_string()) {
    facts["lot_release"] = {{"decision", *decision},
                            {"at_ms", number(lot_view, "decided_at_ms").value_or(0)},
                            {"by", reader.org_of(text(lot_view, "decided_by"))},
                            {"certificate_no", text(lot_view, "certificate_no")}};
  }
  if (auto at = number(lot_view, "recalled_at_ms")) {
    // The date, not the reason: a recall reason is free text, and free text is not public.
    facts["recall"] = {{"at_ms", *at}};
  }
  if (auto at = number(**dose, "quarantined_at_ms")) {
    facts["quarantine"] = {{"at_ms", *at}};
  }
  if (auto at = number(**dose, "disposed_at_ms")) {
    // When, by whom, witnessed by whom: a destroyed dose whose code shows up again is a clone.
    facts["disposal"] = {{"at_ms", *at},
                         {"by", reader.org_of(text(**dose, "disposed_by"))},
                         {"witness", reader.org_of(text(**dose, "disposal_witness"))}};
  }
  const json given = (*dose)->value("administrations", json::array());
  if (given.is_array() && !given.empty()) {
    // The day only, of the latest dose: when the code was used is what exposes a cloned code; who
    // received it is not the public's business.
    if (auto at = number(given.back(), "at_ms")) {
      facts["administered_on"] = contracts::format_date(contracts::day_of(*at, chain.utc_offset_minutes));
    }
  }
  if (auto per_code = number(lot_view, "doses_per_code"); per_code && *per_code > 1) {
    facts["doses_per_code"] = *per_code;
    facts["doses_given"] = given.is_array() ? given.size() : 0;
  }

  // The dose's journey: the records its lot, its legs and itself name, and its own trail (each
  // administration, refused ones included) — a few records, however large the lot.
  std::set<uint64_t> leaves;
  for (const char* field : {"registered_record", "decision_record", "recall_record"}) {
    add_record(reader.store(), lot_view, field, leaves);
  }
  add_record(reader.store(), **dose, "quarantine_record", leaves);
  add_record(reader.store(), **dose, "disposal_record", leaves);
  json legs = json::array();
  for (const json& leg_id : (*dose)->value("legs", json::array())) {
    if (!leg_id.is_string()) continue;
    auto shipment = reader.value("vship/" + leg_id.get<std::string>());
    if (!shipment.ok()) return shipment.status();
    if (!shipment->has_value()) continue;
    const json& s = **shipment;
    add_record(reader.store(), s, "shipped_record", leaves);
    add_record(reader.store(), s, "settled_record", leaves);
    json leg = {{"from", reader.org_name(text(s, "from"))},
                {"to", reader.org_name(text(s, "to"))},
                {"status", text(s, "status")},
                {"shipped_at_ms", number(s, "shipped_at_ms").value_or(0)}};
    if (auto at = number(s, "settled_at_ms")) leg["received_at_ms"] = *at;
    if (auto cc = s.find("cold_chain"); cc != s.end() && cc->is_object()) {
      leg["cold_chain"] = {{"compliant", cc->value("compliant", false)},
                           {"min_c", text(*cc, "min_c")},
                           {"max_c", text(*cc, "max_c")}};
    }
    legs.push_back(std::move(leg));
  }
  auto own = subject_trail(reader.store(), "vcode/" + *code, kMaxTimelineScan);
  if (!own.ok()) return own.status();
  leaves.insert(own->leaves.begin(), own->leaves.end());
  auto trail = timeline_of(reader, std::vector<uint64_t>(leaves.begin(), leaves.end()), own->truncated);
  if (!trail.ok()) return trail.status();
  facts["cold_chain_legs"] = std::move(legs);

  answer.found = true;
  answer.status = dose_word(status);
  answer.body["facts"] = std::move(facts);
  answer.body["timeline"] = std::move(trail->events);
  answer.body["timeline_truncated"] = trail->truncated;
  return answer;
}

std::string batch_word(const std::string& status) {
  if (status == "recalled") return "RECALLED";
  if (status == "expired") return "EXPIRED";
  if (status == "safe") return "GENUINE";
  return "HELD";  // held, and a damaged record: it must not reassure
}

bool is_batch_code(std::string_view s) {
  return !s.empty() && s.size() <= 32 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

ledger::Result<TraceAnswer> tableware(Reader& reader, std::string_view batch_code, int64_t now_ms,
                                      TraceAnswer answer) {
  if (!is_batch_code(batch_code)) return Status::error("bad_code", "a batch code is 1..32 of [A-Za-z0-9._-]");
  const std::string code(batch_code);
  answer.body["code"] = code;
  auto batch = reader.value(contracts::tableware_key(code));
  if (!batch.ok()) return batch.status();
  if (!batch->has_value()) return answer;
  const json& b = **batch;
  const std::string status = contracts::batch_citizen_status(b, now_ms);
  json facts = {{"batch_status", status},
                {"disinfection_unit", reader.org_name(text(b, "org"))},
                {"licence_no", text(b, "licence_no")},
                {"method", text(b, "method")},
                {"disinfected_at_ms", number(b, "disinfected_at_ms").value_or(0)},
                {"use_by_ms", number(b, "use_by_ms").value_or(0)},
                {"results", b.value("results", json::object())},
                {"failing", b.value("failing", json::array())}};
  json inspections = json::array();
  for (const json& i : b.value("inspections", json::array())) {
    if (!i.is_object()) continue;
    json inspection = {{"at_ms", number(i, "at_ms").value_or(0)},
                       {"organisation", reader.org_name(text(i, "org"))},
                       {"action", text(i, "action")},
                       {"failing", i.value("failing", json::array())}};
    if (auto r = i.find("results"); r != i.end() && r->is_object()) inspection["results"] = *r;
    inspections.push_back(std::move(inspection));
  }
  facts["inspections"] = std::move(inspections);
  if (auto r = b.find("recall"); r != b.end() && r->is_object()) {
    facts["recall"] = {{"at_ms", number(*r, "at_ms").value_or(0)}};
  }
  auto trail = timeline(reader, "tw/" + code);
  if (!trail.ok()) return trail.status();
  answer.found = true;
  answer.status = batch_word(status);
  answer.body["facts"] = std::move(facts);
  answer.body["timeline"] = std::move(trail->events);
  answer.body["timeline_truncated"] = trail->truncated;
  return answer;
}

std::string rx_word(const std::string& status) {
  if (status == "valid") return "VALID";
  if (status == "dispensing") return "PARTLY_DISPENSED";
  if (status == "dispensed") return "DISPENSED";
  if (status == "delivered") return "DELIVERED";
  if (status == "expired") return "EXPIRED";
  if (status == "cancelled") return "CANCELLED";
  return "REJECTED";
}

ledger::Result<TraceAnswer> prescription(Reader& reader, const contracts::ChainParams& chain,
                                         std::string_view rx_id, int64_t now_ms, TraceAnswer answer) {
  if (!ledger::is_hash_hex(rx_id)) return Status::error("bad_code", "a prescription id is 64 lowercase hex digits");
  const std::string id(rx_id);
  answer.body["code"] = id;
  auto rx = reader.value(contracts::rx_key(id));
  if (!rx.ok()) return rx.status();
  if (!rx->has_value()) return answer;
  const json& p = **rx;
  const int64_t today = contracts::day_of(now_ms, chain.utc_offset_minutes);
  const std::string status = contracts::rx_citizen_status(p, today);
  if (status.empty()) return Status::error("corrupt_state", "the prescription does not read");
  json facts = {{"rx_status", status},
                {"issued_by", reader.org_name(text(p, "org"))},
                {"issued_on", contracts::format_date(number(p, "issue_day").value_or(0))},
                {"valid_until", contracts::format_date(number(p, "valid_until_day").value_or(0))}};
  if (auto r = p.find("review"); r != p.end() && r->is_object()) {
    facts["review"] = {{"decision", text(*r, "decision")},
                       {"at_ms", number(*r, "at_ms").value_or(0)},
                       {"pharmacy", reader.org_name(text(*r, "org"))}};
  }
  json dispenses = json::array();
  for (const json& d : p.value("dispenses", json::array())) {
    if (!d.is_object()) continue;
    dispenses.push_back({{"at_ms", number(d, "at_ms").value_or(0)}, {"pharmacy", reader.org_name(text(d, "org"))}});
  }
  facts["dispensed"] = !dispenses.empty();
  facts["dispenses"] = std::move(dispenses);
  if (auto d = p.find("delivery"); d != p.end() && d->is_object()) {
    facts["delivery"] = {{"method", text(*d, "method")}, {"at_ms", number(*d, "at_ms").value_or(0)}};
  }
  if (auto c = p.find("cancel"); c != p.end() && c->is_object()) {
    facts["cancelled_at_ms"] = number(*c, "at_ms").value_or(0);
  }
  auto trail = timeline(reader, "rx/" + id);
  if (!trail.ok()) return trail.status();
  answer.found = true;
  answer.status = rx_word(status);
  answer.body["facts"] = std::move(facts);
  answer.body["timeline"] = std::move(trail->events);
  answer.body["timeline_truncated"] = trail->truncated;
  return answer;
}

}  // namespace

const char* trace_kind_name(TraceKind kind) {
  switch (kind) {
    case TraceKind::kVaccine:
      return "vaccine";
    case TraceKind::kTableware:
      return "tableware";
    case TraceKind::kRx:
      return "rx";
  }
  return "";
}

ledger::Result<TraceAnswer> trace_lookup(const ledger::ChainStore& store,
                                         const contracts::ChainParams& chain, TraceKind kind,
                                         std::string_view code, int64_t now_ms) {
  Reader reader(store, chain);
  TraceAnswer unknown;
  unknown.status = "UNKNOWN_CODE";
  unknown.body = {{"kind", trace_kind_name(kind)},
                  {"code", ""},
                  {"facts", json::object()},
                  {"timeline", json::array()},
                  {"timeline_truncated", false},
                  {"as_of", {{"height", store.height()}, {"tree_size", store.tree_size()}}}};
  ledger::Result<TraceAnswer> answer = Status::error("bad_code", "");
  switch (kind) {
    case TraceKind::kVaccine:
      answer = vaccine(reader, chain, code, now_ms, std::move(unknown));
      break;
    case TraceKind::kTableware:
      answer = tableware(reader, code, now_ms, std::move(unknown));
      break;
    case TraceKind::kRx:
      answer = prescription(reader, chain, code, now_ms, std::move(unknown));
      break;
  }
  if (answer.ok()) {
    answer->body["found"] = answer->found;
    answer->body["status"] = answer->status;
  }
  return answer;
}

}  // namespace medtrail::node::api
