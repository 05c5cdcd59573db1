#pragma once
// E-prescriptions (rx.issue, rx.review, rx.dispense, rx.deliver, rx.cancel): the prescription the
// rx contracts keep at "rx/<id>" (docs/contracts.md), for the query API and auditors, and its
// public facts at "pub/rx/<id>" (public_view below).
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "medtrail/contracts/state_codec.h"
#include "medtrail/ledger/public_facts.h"

namespace medtrail::contracts {
namespace rx {

// Dispenses live inside the prescription's value, which every later step reads and rewrites: a
// prescription is dispensed in at most this many parts.
inline constexpr int64_t kMaxDispenses = 20;

// One prescribed drug: what the body said, and how much of it every pharmacy has dispensed.
struct Item {
  std::string drug_code;
  std::optional<std::string> name;      // confidential: null when the body sealed it
  std::optional<std::string> strength;  // confidential
  std::string unit;
  std::optional<std::string> dosage;    // confidential
  int64_t days_supply = 0;
  std::string form;
  std::optional<std::string> controlled_class;
  std::optional<std::string> indication;  // "childhood_adhd": methylphenidate's 15-day allowance
  bool antimicrobial = false;             // 抗菌药物: no long-term supply but for chronic infections
  int64_t prescribed = 0;
  int64_t dispensed = 0;  // cumulative over every pharmacy

  static constexpr auto fields() {
    return std::tuple{field("drug_code", &Item::drug_code),
                      field("name", &Item::name),
                      field("strength", &Item::strength),
                      field("unit", &Item::unit),
                      field("dosage", &Item::dosage),
                      field("days_supply", &Item::days_supply),
                      field("form", &Item::form),
                      field("controlled_class", &Item::controlled_class),
                      field("indication", &Item::indication),
                      field("antimicrobial", &Item::antimicrobial),
                      field("prescribed", &Item::prescribed),
                      field("dispensed", &Item::dispensed)};
  }
};

// Who signed a later step, when: the common part of review, dispense, delivery and cancel.
struct Attribution {
  std::string by;
  std::string org;
  std::string record_id;
  int64_t at_ms = 0;

  static constexpr auto fields() {
    return std::tuple{field("by", &Attribution::by), field("org", &Attribution::org),
                      field("record_id", &Attribution::record_id),
                      field("at_ms", &Attribution::at_ms)};
  }
};

struct Review : Attribution {
  std::string decision;  // "approved" or "rejected"
  std::optional<std::string> note;

  static constexpr auto fields() {
    return std::tuple_cat(Attribution::fields(),
                          std::tuple{field("decision", &Review::decision),
                                     field("note", &Review::note)});
  }
};

struct Dispense : Attribution {
  std::map<std::string, int64_t> items;  // drug_code -> quantity

  static constexpr auto fields() {
    return std::tuple_cat(Attribution::fields(), std::tuple{field("items", &Dispense::items)});
  }
};

struct Delivery : Attribution {
  std::string method;  // "pickup" or "courier"
  std::optional<std::string> tracking_no;
  std::optional<std::string> carrier;  // the logistics organisation the pharmacy entrusted

  static constexpr auto fields() {
    return std::tuple_cat(Attribution::fields(),
                          std::tuple{field("method", &Delivery::method),
                                     field("tracking_no", &Delivery::tracking_no),
                                     field("carrier", &Delivery::carrier)});
  }
};

// The patient's confirmation that the medicines arrived, recorded by whoever handed them over.
struct Receipt : Attribution {
  std::string confirmation;                // "signature", "verification_code" or "in_person"
  std::optional<std::string> evidence_hash;  // SHA-256 of the signed receipt, kept off the chain

  static constexpr auto fields() {
    return std::tuple_cat(Attribution::fields(),
                          std::tuple{field("confirmation", &Receipt::confirmation),
                                     field("evidence_hash", &Receipt::evidence_hash)});
  }
};

struct Cancel : Attribution {
  std::optional<std::string> reason;  // confidential: null when the body sealed it

  static constexpr auto fields() {
    return std::tuple_cat(Attribution::fields(), std::tuple{field("reason", &Cancel::reason)});
  }
};

// "rx/<id>". Written statuses: issued -> approved | rejected -> dispensing -> dispensed ->
// delivered, or cancelled before any dispense; "expired" is never written (rx_citizen_status
// derives it).
struct Prescription {
  std::string org;     // the issuing hospital
  std::string doctor;  // "<org>/<user>"
  std::string patient_ref;
  std::string type;
  std::string category;  // "western" (西药、中成药) or "tcm_pieces" (中药饮片)
  std::optional<int64_t> doses;  // 剂数 of a TCM formula; null otherwise
  std::string channel;
  bool follow_up = false;
  // Online only (互联网诊疗管理办法（试行）): the offline visit or prescription this follows up
  // (its diagnosis is this prescription's); whether the patient is a child under 6, and then the
  // guardian (a patient_ref-style pseudonym) and the doctor accompanying the child (art. 19).
  std::optional<std::string> follows;
  std::optional<bool> child_under_6;
  std::optional<std::string> guardian_ref;
  std::optional<std::string> accompanying_doctor;
  bool long_term = false;
  std::optional<std::string> long_term_reason;
  // Long-term only (长期处方管理规范（试行）): the doctor declares a chronic bacterial or fungal
  // infection (antimicrobials then allowed); beyond 4 weeks the doctor's evaluation (confidential)
  // and the patient's confirmation; `renews` the earlier long-term prescription this one renews.
  bool chronic_infection = false;
  std::optional<std::string> long_term_evaluation;
  bool patient_confirmed = false;
  std::optional<std::string> renews;
  // Supply beyond 7 days (3 in an emergency) with the doctor's reason (处方管理办法 art. 19).
  bool extended_supply = false;
  std::optional<std::string> supply_reason;  // confidential: null when the body sealed it
  std::optional<std::string> pain;
  std::optional<std::string> diagnosis_code;
  int64_t valid_days = 1;
  int64_t issued_at_ms = 0;
  int64_t issue_day = 0;  // calendar day numbers in the chain time zone (calendar.h)
  int64_t valid_until_day = 0;
  std::vector<Item> items;
  std::string status;
  std::optional<Review> review;
  std::vector<Dispense> dispenses;
  std::optional<Delivery> delivery;
  std::optional<Receipt> receipt;
  std::optional<Cancel> cancel;

  static constexpr auto fields() {
    return std::tuple{field("org", &Prescription::org),
                      field("doctor", &Prescription::doctor),
                      field("patient_ref", &Prescription::patient_ref),
                      field("type", &Prescription::type),
                      field("category", &Prescription::category),
                      field("doses", &Prescription::doses),
                      field("channel", &Prescription::channel),
                      field("follow_up", &Prescription::follow_up),
                      field("follows", &Prescription::follows),
                      field("child_under_6", &Prescription::child_under_6),
                      field("guardian_ref", &Prescription::guardian_ref),
                      field("accompanying_doctor", &Prescription::accompanying_doctor),
                      field("long_term", &Prescription::long_term),
                      field("long_term_reason", &Prescription::long_term_reason),
                      field("chronic_infection", &Prescription::chronic_infection),
                      field("long_term_evaluation", &Prescription::long_term_evaluation),
                      field("patient_confirmed", &Prescription::patient_confirmed),
                      field("renews", &Prescription::renews),
                      field("extended_supply", &Prescription::extended_supply),
                      field("supply_reason", &Prescription::supply_reason),
                      field("pain", &Prescription::pain),
                      field("diagnosis_code", &Prescription::diagnosis_code),
                      field("valid_days", &Prescription::valid_days),
                      field("issued_at_ms", &Prescription::issued_at_ms),
                      field("issue_day", &Prescription::issue_day),
                      field("valid_until_day", &Prescription::valid_until_day),
                      field("items", &Prescription::items),
                      field("status", &Prescription::status),
                      field("review", &Prescription::review),
                      field("dispenses", &Prescription::dispenses),
                      field("delivery", &Prescription::delivery),
                      field("receipt", &Prescription::receipt),
                      field("cancel", &Prescription::cancel)};
  }
};

// What anyone holding the prescription's id may read and prove of it (docs/contracts.md, "Public
// facts"), written at "pub/rx/<id>" with every write of the value (RecordTxn::write): the issuing
// hospital, the written status, the days it was issued and is valid until, how many dispenses it
// has had. Never the patient, a person, a drug or a diagnosis.
ledger::PublicFacts public_view(const Prescription& rx);

}  // namespace rx

// "rx/<rx_id>"; a prescription's id is the record id of its rx.issue.
std::string rx_key(std::string_view rx_id);
// "rx-reads/<rx_id>": the index subject of the prescription's signed reads (access.query), kept
// apart from its own trail "rx/<rx_id>", which lists the prescription's steps.
std::string rx_reads_subject(std::string_view rx_id);

// What a citizen is told about the prescription `rx_state` (its JSON view, state_value_json) on
// calendar day `today` (chain time zone, calendar.h): "valid", "rejected", "dispensing",
// "dispensed", "delivered", "expired" or "cancelled". Expiry is derived from the day, never
// written: a prescription not yet fully dispensed is "expired" once `today` is past its
// valid_until_day. Returns "" for a view that is not a prescription (a wrong type, an unknown
// field, an unknown status, no items), so that the caller reports the corruption.
std::string rx_citizen_status(const nlohmann::json& rx_state, int64_t today);
// The same for a stored prescription.
std::string rx_citizen_status(const rx::Prescription& rx, int64_t today);

}  // namespace medtrail::contracts
