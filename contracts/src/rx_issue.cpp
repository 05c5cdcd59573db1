// rx.issue and rx.cancel: the doctor's side of a prescription. The limits come from
// 处方管理办法 (卫生部令第53号, 2007), 长期处方管理规范（试行）(2021), 互联网诊疗管理办法（试行）
// (2018) and 医疗用毒性药品管理办法 (1988); docs/contracts.md cites each rule.
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "medtrail/contracts/body_reader.h"
#include "medtrail/contracts/confidential.h"
#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/rx.h"
#include "online_care.h"
#include "rx_common.h"

namespace medtrail::contracts::rx {
namespace {

using ledger::ExecutionResult;

// Methylphenidate (WHO ATC N06BA04): the one drug 处方管理办法 art. 23 allows 15 days of for
// childhood ADHD. A national drug code does not say which drug it is, so the allowance needs the
// ATC code.
constexpr std::string_view kMethylphenidate = "N06BA04";

std::string item_path(size_t i) { return "body.items[" + std::to_string(i) + "]"; }

// `written`: how the confidential fields (name, strength, dosage) are given: required in clear,
// or optional when the body is sealed (they are then in the sealed part).
std::optional<Item> read_item(BodyReader r, Presence written) {
  auto code = r.matching("drug_code", is_drug_code, kDrugCodeFormat);
  auto name = r.text("name", 128, written);
  auto strength = r.text("strength", 64, written);
  auto quantity = r.integer("quantity", 1, 100000);
  auto unit = r.text("unit", 16);
  auto dosage = r.text("dosage", 128, written);
  auto days = r.integer("days_supply", 1, 84);
  auto form = r.one_of("form", {"injection", "controlled_release", "other"}, Presence::kOptional);
  auto controlled =
      r.one_of("controlled_class",
               {"narcotic", "psychotropic_1", "psychotropic_2", "toxic", "radioactive", "precursor"},
               Presence::kOptional);
  auto indication = r.one_of("indication", {"childhood_adhd"}, Presence::kOptional);
  auto antimicrobial = r.boolean("antimicrobial", Presence::kOptional);
  if (!r.finish()) return std::nullopt;
  Item item;
  item.drug_code = std::move(*code);
  item.name = std::move(name);
  item.strength = std::move(strength);
  item.unit = std::move(*unit);
  item.dosage = std::move(dosage);
  item.days_supply = *days;
  item.form = form.value_or("other");
  item.controlled_class = std::move(controlled);
  item.indication = std::move(indication);
  item.antimicrobial = antimicrobial.value_or(false);
  item.prescribed = *quantity;
  return item;
}

// Each drug once; at most five Western or patent medicines (处方管理办法 art. 6), or
// kMaxTcmItems decoction pieces weighed in grams (中药处方格式及书写规范 2010: 饮片用量以克为单位).
std::vector<Item> read_items(BodyReader& r, Presence written, bool tcm) {
  std::vector<Item> items;
  const nlohmann::json* array = r.array("items", 1, kMaxTcmItems);
  if (array != nullptr && !tcm && array->size() > kMaxWesternItems) {
    r.fail("too_many_items", r.path_of("items") + " holds " + std::to_string(array->size()) +
                                 " drugs: a prescription of Western or patent medicines holds at "
                                 "most 5 (decoction pieces: category tcm_pieces)");
    return items;
  }
  if (array == nullptr) return items;
  std::set<std::string> codes;
  for (size_t i = 0; i < array->size() && r.ok(); ++i) {
    std::optional<Item> item = read_item(r.element(*array, i), written);
    if (!item) break;
    if (!codes.insert(item->drug_code).second) {
      r.fail("bad_format",
             r.path_of("items") + "[" + std::to_string(i) + "].drug_code repeats an earlier item");
      break;
    }
    if (tcm && is_tcm_piece_code(item->drug_code) && item->unit != "g") {
      r.fail("bad_format", r.path_of("items") + "[" + std::to_string(i) +
                               "].unit must be g: decoction pieces are weighed in grams");
      break;
    }
    items.push_back(std::move(*item));
  }
  return items;
}

// A long-term prescription supplying some item for more than 4 weeks.
bool beyond_four_weeks(const Prescription& p) {
  return p.long_term && std::any_of(p.items.begin(), p.items.end(),
                                    [](const Item& i) { return i.days_supply > 28; });
}

// The body's part of the prescription; issue() adds the rest.
// `sealed`: the body's sealed part, if it has one.
std::optional<Prescription> read_prescription(const Call& call, BodyReader& r, std::optional<ledger::Sealed>& sealed) {
  const nlohmann::json& body = call.body;
  sealed = read_sealed(r, body, call);
  const Presence written = sealed ? Presence::kOptional : Presence::kRequired;
  Prescription p;
  auto patient = r.patient_ref("patient_ref");
  auto type = r.one_of("type", {"normal", "emergency", "chronic"});
  p.category = r.one_of("category", {"western", "tcm_pieces"}, Presence::kOptional).value_or("western");
  const bool tcm = p.category == "tcm_pieces";
  if (tcm) {
    p.doses = r.integer("doses", 1, 30);
  } else {
    r.refuse_field("doses", "a TCM formula (category tcm_pieces)");
  }
  auto channel = r.one_of("channel", {"offline", "online"});
  const bool online = channel == "online";
  p.follow_up = r.boolean("follow_up", Presence::kOptional).value_or(online);
  if (online) {
    p.follows = r.hex("follows", 32, Presence::kOptional);  // online_needs_follow_up when absent
    p.child_under_6 = r.boolean("child_under_6");
    if (p.child_under_6 == true) {
      p.guardian_ref = r.patient_ref("guardian_ref", Presence::kOptional);
      p.accompanying_doctor = r.matching("accompanying_doctor", is_identity_id,
                                         "an identity id <org>/<user>", Presence::kOptional);
    } else {
      r.refuse_field("guardian_ref", "a child under 6 (child_under_6 true)");
      r.refuse_field("accompanying_doctor", "a child under 6 (child_under_6 true)");
    }
  } else {
    for (std::string_view field : {"follows", "child_under_6", "guardian_ref", "accompanying_doctor"}) {
      r.refuse_field(field, "an online prescription");
    }
  }
  p.long_term = r.boolean("long_term", Presence::kOptional).value_or(false);
  if (p.long_term) {
    p.long_term_reason = r.text("long_term_reason", 256, written);
    p.chronic_infection = r.boolean("chronic_infection", Presence::kOptional).value_or(false);
    p.long_term_evaluation = r.text("long_term_evaluation", 512, Presence::kOptional);
    p.patient_confirmed = r.boolean("patient_confirmed", Presence::kOptional).value_or(false);
    p.renews = r.hex("renews", 32, Presence::kOptional);
  } else {
    for (std::string_view field : {"long_term_reason", "chronic_infection", "long_term_evaluation",
                                   "patient_confirmed", "renews"}) {
      r.refuse_field(field, "a long-term prescription only");
    }
  }
  p.extended_supply = r.boolean("extended_supply", Presence::kOptional).value_or(false);
  if (p.extended_supply) {
    p.supply_reason = r.text("supply_reason", 256, written);
  } else {
    r.refuse_field("supply_reason", "a prescription with extended_supply only");
  }
  p.pain = r.one_of("pain", {"cancer", "chronic"}, Presence::kOptional);
  p.valid_days = r.integer("valid_days", 1, 3, Presence::kOptional).value_or(1);
  // 处方管理办法 art. 6 (一): every prescription states the clinical diagnosis; a sealed body
  // states it in its sealed part. Online, it is the diagnosis of the record followed up.
  if (online) {
    r.refuse_field("diagnosis_code", kOnlineDiagnosis);
  } else {
    p.diagnosis_code = r.matching("diagnosis_code", is_icd10, kIcd10Format, written);
  }
  p.items = read_items(r, written, tcm);
  // 长期处方管理规范（试行）: beyond 4 weeks the doctor records an evaluation (in the sealed part
  // of a sealed body, where the reader's client checks it).
  if (r.ok() && beyond_four_weeks(p) && written == Presence::kRequired && !p.long_term_evaluation) {
    r.fail("missing_field", r.path_of("long_term_evaluation") +
                                " is required for a long-term supply beyond 4 weeks");
  }
  if (!r.finish()) return std::nullopt;
  p.patient_ref = std::move(*patient);
  p.type = std::move(*type);
  p.channel = std::move(*channel);
  return p;
}

// Days of supply without a stated reason (处方管理办法 art. 19: 一般不得超过7日用量；急诊处方
// 一般不得超过3日用量).
int64_t usual_supply_days(const Prescription& p) { return p.type == "emergency" ? 3 : 7; }

// The most a prescription may supply: 12 weeks long-term (长期处方管理规范（试行）art. 13); with
// the doctor's reason, 4 weeks, or 7 days in an emergency (medtrail: art. 19 lets the doctor
// extend "适当" without a number; beyond 4 weeks is a long-term prescription, with its own rules).
int64_t supply_limit_days(const Prescription& p) {
  if (p.long_term) return 84;
  if (!p.extended_supply) return usual_supply_days(p);
  return p.type == "emergency" ? 7 : 28;
}

// Outpatient limits for controlled drugs, in days of supply; 0 means a single dose.
// 处方管理办法 arts. 23-24 (pain patients: art. 24), 医疗用毒性药品管理办法 art. 9. `extended`:
// the doctor stated a reason for a longer supply, which art. 23 allows for psychotropic class 2
// (the prescription's own limit then applies).
int64_t controlled_limit_days(const Item& item, bool pain, bool extended) {
  const std::string& c = *item.controlled_class;
  if (c == "toxic") return 2;
  if (c == "psychotropic_2") return extended ? 84 : 7;
  if (item.form == "injection") return pain ? 3 : 0;
  if (item.indication) return 15;  // methylphenidate for childhood ADHD (art. 23)
  if (item.form == "controlled_release") return pain ? 15 : 7;
  return pain ? 7 : 3;
}

// Radioactive drugs and precursor chemicals have no outpatient day limit of their own (放射性
// 药品管理办法 and 易制毒化学品管理条例 govern their handling, not a prescription's days): the
// prescription's limit applies, and the long-term and online rules keep them out.
bool has_day_limit(const std::string& controlled_class) {
  return controlled_class != "radioactive" && controlled_class != "precursor";
}

bool within_controlled_limit(const Item& item, const Prescription& p) {
  if (!item.controlled_class || !has_day_limit(*item.controlled_class)) return true;
  const int64_t days = controlled_limit_days(item, p.pain.has_value(), p.extended_supply);
  if (days == 0) return item.prescribed == 1 && item.days_supply == 1;
  return item.days_supply <= days;
}

// 长期处方管理规范（试行）(2021): for chronic conditions only; never for narcotic, psychotropic,
// toxic, radioactive or precursor drugs, nor antimicrobials except for chronic bacterial or
// fungal infections such as tuberculosis; beyond 4 weeks the patient confirms.
ExecutionResult check_long_term(const Prescription& p) {
  if (!p.long_term) return ExecutionResult::accept();
  if (p.type != "chronic") {
    return ExecutionResult::reject("long_term_not_allowed",
                                   "a long-term prescription must be of type chronic");
  }
  for (size_t i = 0; i < p.items.size(); ++i) {
    const Item& item = p.items[i];
    if (item.controlled_class) {
      return ExecutionResult::reject("long_term_drug_excluded",
                                     item_path(i) + " is a " + *item.controlled_class +
                                         " drug, never on a long-term prescription");
    }
    if (item.antimicrobial && !p.chronic_infection) {
      return ExecutionResult::reject(
          "long_term_drug_excluded",
          item_path(i) + " is an antimicrobial: long-term only for a chronic bacterial or fungal infection "
              "(chronic_infection)");
    }
  }
  if (beyond_four_weeks(p) && !p.patient_confirmed) {
    return ExecutionResult::reject("long_term_unconfirmed",
                                   "a long-term supply beyond 4 weeks needs the patient's "
                                   "confirmation (patient_confirmed)");
  }
  return ExecutionResult::accept();
}

ExecutionResult check_supply(const Prescription& p) {
  const int64_t usual = usual_supply_days(p);
  const int64_t limit = supply_limit_days(p);
  for (size_t i = 0; i < p.items.size(); ++i) {
    const int64_t days = p.items[i].days_supply;
    if (days > usual && !p.long_term && !p.extended_supply) {
      return ExecutionResult::reject(
          "supply_needs_reason", item_path(i) + ".days_supply exceeds " + std::to_string(usual) +
                                     " days: the doctor must state why (extended_supply, "
                                     "supply_reason)");
    }
    if (days > limit) {
      return ExecutionResult::reject("supply_exceeded", item_path(i) + ".days_supply exceeds " +
                                                            std::to_string(limit) +
                                                            " days for this prescription");
    }
  }
  return ExecutionResult::accept();
}

// The childhood-ADHD allowance is methylphenidate's, in a form other than injection.
ExecutionResult check_indications(const Prescription& p) {
  for (size_t i = 0; i < p.items.size(); ++i) {
    const Item& item = p.items[i];
    if (item.indication && (item.drug_code != kMethylphenidate ||
                            item.controlled_class != "psychotropic_1" ||
                            item.form == "injection")) {
      return ExecutionResult::reject(
          "indication_not_applicable",
          item_path(i) + ".indication childhood_adhd is for methylphenidate (ATC " +
              std::string(kMethylphenidate) + ", psychotropic_1, not an injection) only");
    }
  }
  return ExecutionResult::accept();
}

// 互联网诊疗管理办法（试行）: online prescribing is for follow-up visits only, and never for
// specially controlled drugs (特殊管理药品: every controlled class alike).
ExecutionResult check_online(const Prescription& p) {
  if (p.channel != "online") return ExecutionResult::accept();
  for (size_t i = 0; i < p.items.size(); ++i) {
    if (p.items[i].controlled_class) {
      return ExecutionResult::reject(
          "controlled_online", item_path(i) + " is a controlled drug, which may not be prescribed online");
    }
  }
  if (!p.follow_up || !p.follows) {
    return ExecutionResult::reject("online_needs_follow_up",
                                   "an online prescription is only for a follow-up: body.follows "
                                   "names the offline visit or prescription it follows up");
  }
  return ExecutionResult::accept();
}

// 互联网诊疗管理办法（试行）art. 19: 为低龄儿童（6岁以下）开具互联网儿童用药处方时，应当确认患儿有
// 监护人和相关专业医师陪伴 — the guardian and a doctor with the child, both recorded; the doctor a
// registered one, valid now, and another than the prescriber (who is online).
ExecutionResult check_child_online(const Call& call, const Prescription& p) {
  if (p.child_under_6 != true) return ExecutionResult::accept();
  if (!p.guardian_ref || !p.accompanying_doctor) {
    return ExecutionResult::reject("guardian_required",
                                   "an online prescription for a child under 6 records the guardian "
                                   "(guardian_ref) and the doctor with the child (accompanying_doctor)");
  }
  if (*p.guardian_ref == p.patient_ref) {
    return ExecutionResult::reject("guardian_required", "body.guardian_ref is the patient's own");
  }
  std::optional<Signer> doctor = find_signer(call.txn, call.chain, *p.accompanying_doctor);
  if (!doctor || doctor->role != "doctor" || doctor->id == call.signer.id ||
      !signer_validity(call.txn, call.chain, *doctor, call.block.timestamp_ms).accepted) {
    return ExecutionResult::reject("accompanying_doctor_invalid",
                                   "body.accompanying_doctor must be another registered doctor, "
                                   "valid today");
  }
  return ExecutionResult::accept();
}

ExecutionResult check_online_prescriber(const Call& call, const Prescription& p) {
  if (p.channel != "online") return ExecutionResult::accept();
  if (ExecutionResult v = check_online_care(call, p.patient_ref, *p.follows); !v.accepted) return v;
  return check_child_online(call, p);
}

ExecutionResult check_controlled_limits(const Prescription& p) {
  for (size_t i = 0; i < p.items.size(); ++i) {
    if (!within_controlled_limit(p.items[i], p)) {
      return ExecutionResult::reject("controlled_limit_exceeded",
                                     item_path(i) + " exceeds the outpatient limit for " +
                                         *p.items[i].controlled_class);
    }
  }
  return ExecutionResult::accept();
}

// 处方管理办法 art. 6 (六): 中药饮片应当单独开具处方 — decoction pieces on a prescription of their
// own, and nothing else on it.
ExecutionResult check_category(const Prescription& p) {
  const bool tcm = p.category == "tcm_pieces";
  for (size_t i = 0; i < p.items.size(); ++i) {
    if (is_tcm_piece_code(p.items[i].drug_code) != tcm) {
      return ExecutionResult::reject(
          "tcm_separate_prescription",
          item_path(i) + (tcm ? " is not a decoction piece: a TCM formula holds pieces only"
                              : " is a decoction piece: pieces go on a prescription of their own "
                                "(category tcm_pieces)"));
    }
  }
  return ExecutionResult::accept();
}

// In this order; the first broken rule is the reason.
ExecutionResult check_rules(const Prescription& p) {
  for (auto rule : {check_category, check_long_term, check_supply, check_online, check_indications,
                    check_controlled_limits}) {
    if (ExecutionResult v = rule(p); !v.accepted) return v;
  }
  return ExecutionResult::accept();
}

// 处方管理办法 art. 11: a doctor prescribes narcotic and
// psychotropic class 1 drugs only with the qualification the institution granted.
ExecutionResult check_prescriber(const Call& call, const Prescription& p) {
  for (size_t i = 0; i < p.items.size(); ++i) {
    if (needs_special_qualification(p.items[i]) &&
        !call.signer.has_qualification(kControlledPrescribing)) {
      return ExecutionResult::reject(
          "not_qualified", item_path(i) + " is a " + *p.items[i].controlled_class +
                               " drug: its prescriber needs the controlled_prescribing "
                               "qualification (麻醉药品和第一类精神药品处方资格)");
    }
  }
  return ExecutionResult::accept();
}

// 长期处方管理规范（试行）: a first long-term prescription is issued by a doctor of intermediate
// title or above (主治医师); a renewal names the patient's earlier long-term prescription, which
// the chain checks: one the patient was dispensed (a cancelled, rejected or never dispensed one
// renews nothing, or anyone could write a first prescription as a "renewal").
bool was_dispensed(const Prescription& rx) {
  return rx.status == "dispensing" || rx.status == "dispensed" || rx.status == "delivered";
}

ExecutionResult check_long_term_prescriber(const Call& call, const Prescription& p) {
  if (!p.long_term) return ExecutionResult::accept();
  if (p.renews) {
    std::optional<Prescription> earlier = call.txn.read<Prescription>(rx_key(*p.renews));
    if (!earlier) {
      return ExecutionResult::reject("unknown_prescription",
                                     "body.renews: no prescription " + *p.renews);
    }
    if (!earlier->long_term || earlier->patient_ref != p.patient_ref || !was_dispensed(*earlier)) {
      return ExecutionResult::reject("renewal_mismatch",
                                     "body.renews is not a long-term prescription this patient was "
                                     "dispensed");
    }
    return ExecutionResult::accept();
  }
  const auto title = std::find(std::begin(kDoctorTitles), std::end(kDoctorTitles), call.signer.title);
  const bool attending_or_above = title != std::end(kDoctorTitles) && title != std::begin(kDoctorTitles);
  if (!attending_or_above) {
    return ExecutionResult::reject("title_insufficient",
                                   "a first long-term prescription is issued by an attending "
                                   "doctor (主治医师) or above; a renewal names the one it renews");
  }
  return ExecutionResult::accept();
}

}  // namespace

ExecutionResult issue(Call& call) {
  BodyReader r(call.body, "body");
  std::optional<ledger::Sealed> sealed;
  std::optional<Prescription> p = read_prescription(call, r, sealed);
  if (!p) return r.result();
  call.txn.index(rx_key(call.record_id));
  call.txn.index("patient/" + p->patient_ref);
  call.txn.index("org/" + call.org.id);
  // The id is the record's own hash: only the very same record executed again could collide.
  if (call.txn.get(rx_key(call.record_id))) {
    return ExecutionResult::reject("already_issued",
                                   "prescription " + std::string(call.record_id) + " exists");
  }
  if (ExecutionResult v = check_sealed_readers(sealed, call, p->patient_ref); !v.accepted) return v;
  if (ExecutionResult v = check_rules(*p); !v.accepted) return v;
  if (ExecutionResult v = check_prescriber(call, *p); !v.accepted) return v;
  if (ExecutionResult v = check_long_term_prescriber(call, *p); !v.accepted) return v;
  if (ExecutionResult v = check_online_prescriber(call, *p); !v.accepted) return v;
  const int64_t today = call.today();
  p->org = call.org.id;
  p->doctor = call.signer.id;
  p->issued_at_ms = call.block.timestamp_ms;
  p->issue_day = today;
  p->valid_until_day = today + p->valid_days - 1;
  p->status = "issued";
  call.txn.write(rx_key(call.record_id), *p);
  return ExecutionResult::accept();
}

ExecutionResult cancel(Call& call) {
  BodyReader r(call.body, "body");
  const std::optional<ledger::Sealed> sealed = read_sealed(r, call.body, call);
  const Presence written = sealed ? Presence::kOptional : Presence::kRequired;
  auto rx_id = r.hex("rx_id", 32);
  auto reason = r.text("reason", 256, written);
  if (!r.finish()) return r.result();
  call.txn.index(rx_key(*rx_id));
  call.txn.index("org/" + call.org.id);
  Prescription rx;
  if (ExecutionResult loaded = load(call, *rx_id, rx); !loaded.accepted) return loaded;
  if (ExecutionResult v = check_sealed_readers(sealed, call, rx.patient_ref); !v.accepted) return v;
  const bool issuer =
      call.signer.role == "doctor" ? rx.doctor == call.signer.id : rx.org == call.org.id;
  if (!issuer) {
    return ExecutionResult::reject(
        "not_issuer", "only the issuing doctor or the issuing hospital's admin may cancel");
  }
  if (rx.status == "cancelled") {
    return ExecutionResult::reject("rx_cancelled",
                                   "prescription " + *rx_id + " is already cancelled");
  }
  if (!rx.dispenses.empty()) {
    return ExecutionResult::reject(
        "already_dispensed",
        "prescription " + *rx_id + " has been dispensed; it can no longer be cancelled");
  }
  rx.cancel = Cancel{attribution(call), std::move(reason)};
  rx.status = "cancelled";
  call.txn.write(rx_key(*rx_id), rx);
  return ExecutionResult::accept();
}

}  // namespace medtrail::contracts::rx
