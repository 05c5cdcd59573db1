#include "bench/contracts/day.h"

#include <chrono>
#include <deque>
#include <nlohmann/json.hpp>
#include <random>
#include <utility>

#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/registry.h"
#include "medtrail/contracts/state_json.h"
#include "medtrail/ledger/confidential_fields.h"
#include "medtrail/ledger/rfc3339.h"
#include "medtrail/ledger/sealed_fields.h"

namespace medtrail::bench {
namespace {

using nlohmann::json;

struct Person {
  std::string id;  // "<org>/<name>"
  std::string org;
  ledger::KeyPair key;
};

// One entry of a work queue (a prescription to review, doses in stock, ...), usable from the
// record `ready_at` on: steps of one case land minutes apart, in later blocks, as in a real day.
template <typename T>
struct Pending {
  T item;
  size_t ready_at;
};

const std::string kGtins[] = {"06901234567892", "06901234567908"};
const std::string kDrugs[] = {"86979474000084", "86900000000015", "J01CA04", "C09AA02", "A10BA02"};
constexpr int kHospitals = 4, kPharmacies = 4, kClinics = 4, kRestaurants = 8;
constexpr size_t kPatients = 20'000;
constexpr size_t kDosesPerRound = 25;  // one codes.add -> ship -> receive -> ship -> receive
constexpr size_t kRoundsPerLot = 20;
constexpr size_t kShipsPerBatch = 10;
constexpr size_t kStepLag = 600;  // records between two steps of one case (about a block)
constexpr int64_t kBlockIntervalMs = 3 * 60'000;

// Per 100 records (see the file comment); the order is shuffled once, deterministically.
enum class Slot {
  kIssue,
  kReview,
  kDispense,
  kDeliver,
  kAdminister,
  kSupply,
  kBatch,
  kShip,
  kRead,
  kEmergencyRead,
  kRegister,
  kJustify
};
const std::pair<Slot, int> kMix[] = {
    {Slot::kIssue, 10},      {Slot::kReview, 10},       {Slot::kDispense, 10}, {Slot::kDeliver, 5},
    {Slot::kAdminister, 25}, {Slot::kSupply, 5},        {Slot::kBatch, 3},     {Slot::kShip, 7},
    {Slot::kRead, 18},       {Slot::kEmergencyRead, 2}, {Slot::kRegister, 3},  {Slot::kJustify, 2}};

std::string org_id(const char* type, int i) { return std::string(type) + "-" + std::to_string(i); }

class DayBuilder {
 public:
  DayBuilder(size_t records, size_t per_block, bool sealed)
      : records_(records), per_block_(per_block), sealed_(sealed) {
    found_consortium();
    for (int h = 1; h <= kHospitals; ++h) staff(org_id("hosp", h), "doctor", 40, doctors_[h]);
    for (int p = 1; p <= kPharmacies; ++p)
      staff(org_id("pharm", p), "pharmacist", 10, pharmacists_[p]);
    for (int c = 1; c <= kClinics; ++c) {
      staff(org_id("clinic", c), "vaccinator", 10, vaccinators_[c]);
      staff(org_id("clinic", c), "operator", 2, clinic_ops_[c]);
    }
    staff("maker-1", "operator", 3, maker_ops_);
    staff("cdc-1", "operator", 3, cdc_ops_);
    staff("reg-1", "inspector", 3, inspectors_);
    staff("disinf-1", "operator", 3, disinf_ops_);
    for (const auto& [slot, n] : kMix) pattern_.insert(pattern_.end(), n, slot);
    for (size_t i = pattern_.size() - 1; i > 0; --i)
      std::swap(pattern_[i], pattern_[rng_() % (i + 1)]);
  }

  Day build() {
    const int64_t day_start = *ledger::rfc3339_to_unix_ms("2026-11-23T08:00:00+08:00");
    for (size_t i = 0; i < records_; ++i) {
      if (i % per_block_ == 0) {
        const uint64_t height = day_.blocks.size() + 1;
        day_.blocks.push_back(
            {{height, day_start + static_cast<int64_t>(height) * kBlockIntervalMs}, {}});
      }
      emit(pattern_[i % pattern_.size()]);
    }
    return std::move(day_);
  }

 private:
  // --- Setup -------------------------------------------------------------------------------

  ledger::KeyPair new_key() { return ledger::ed25519_sha256().generate_keypair().value(); }

  void found_consortium() {
    ledger::Genesis g;
    g.chain_name = "contracts-bench";
    g.created = "2026-01-01T00:00:00Z";
    std::vector<std::pair<std::string, std::string>> orgs = {{"reg-1", "regulator"},
                                                             {"maker-1", "manufacturer"},
                                                             {"cdc-1", "cdc"},
                                                             {"disinf-1", "disinfector"}};
    for (int i = 1; i <= kHospitals; ++i) orgs.push_back({org_id("hosp", i), "hospital"});
    for (int i = 1; i <= kPharmacies; ++i) orgs.push_back({org_id("pharm", i), "pharmacy"});
    for (int i = 1; i <= kClinics; ++i) orgs.push_back({org_id("clinic", i), "clinic"});
    for (int i = 1; i <= kRestaurants; ++i) orgs.push_back({org_id("rest", i), "restaurant"});
    for (const auto& [id, type] : orgs) {
      ledger::KeyPair key = new_key();
      g.organisations.push_back({id, id + " name", {type}, key.public_key});
      admins_[id] = Person{id + "/admin", id, std::move(key)};
      if (sealed_) {
        encryption_keys_[id] = ledger::generate_encryption_key().public_key;
        g.organisations.back().encryption_public_key = encryption_keys_[id];
      }
    }
    if (sealed_) g.confidential_fields = std::string(ledger::kConfidentialSealed);
    node_ = Person{"hosp-1/node-1", "hosp-1", new_key()};
    g.nodes.push_back({"node-1", "hosp-1", node_.key.public_key, {}, "127.0.0.1:1", "127.0.0.1:2"});
    day_.chain = contracts::ChainParams::from_genesis(g, ledger::Hash{}).value();
  }

  // People registered straight into the committed state, as earlier days would have left them.
  void staff(const std::string& org, const std::string& role, int n, std::vector<Person>& out) {
    for (int i = 0; i < n; ++i) {
      Person p{org + "/" + role + "-" + std::to_string(i), org, new_key()};
      json identity = {{"org", org},
                       {"user_id", role + "-" + std::to_string(i)},
                       {"role", role},
                       {"public_key", ledger::to_hex(p.key.public_key)},
                       {"licence_no", "LIC-" + std::to_string(++serial_)},
                       {"valid_from", "2020-01-01"},
                       {"valid_until", "2099-12-31"}};
      const std::string key = contracts::identity_key(p.id);
      day_.committed.apply({{key, contracts::state_value_from_json(key, identity).value()}});
      out.push_back(std::move(p));
    }
  }

  // --- Records -----------------------------------------------------------------------------

  size_t now() const { return emitted_; }
  template <typename T>
  bool ready(const std::deque<Pending<T>>& q) const {
    return !q.empty() && q.front().ready_at <= now();
  }
  template <typename T>
  T take(std::deque<Pending<T>>& q) {
    T item = std::move(q.front().item);
    q.pop_front();
    return item;
  }
  template <typename T>
  const T& pick(const std::vector<T>& v) {
    return v[rng_() % v.size()];
  }
  std::string patient() { return patients_[rng_() % kPatients]; }
  std::string next(const char* prefix) { return prefix + std::to_string(++serial_); }

  // Signs and parses one record into the current block; returns its record id.
  std::string add(const Person& who, const std::string& kind, json body) {
    if (sealed_) seal(who, kind, body);
    json payload = {{"v", 1},
                    {"kind", kind},
                    {"org", who.org},
                    {"actor", who.id},
                    {"ts", "2026-11-23T02:00:00Z"},
                    {"nonce", next("n")},
                    {"body", body}};
    Record r;
    r.envelope = ledger::sign_envelope(ledger::to_bytes(payload.dump()), who.key).value();
    r.fields = ledger::parse_payload(r.envelope, &r.body).value();
    r.record_id = ledger::record_id(r.envelope).value();
    r.public_key = who.key.public_key;
    day_.blocks.back().records.push_back(r);
    ++day_.kind_counts[kind];
    ++emitted_;
    return r.record_id;
  }

  // As the author's client does (medtrail seal): the confidential fields sealed for the
  // author's organisation and the regulator; timed apart, as the client's cost.
  void seal(const Person& who, const std::string& kind, json& body) {
    json taken = ledger::take_confidential(kind, body);
    if (taken.empty()) return;
    std::vector<ledger::SealRecipient> readers = {{who.org, encryption_keys_.at(who.org)}};
    if (who.org != "reg-1") readers.push_back({"reg-1", encryption_keys_.at("reg-1")});
    const auto t0 = std::chrono::steady_clock::now();
    auto sealed = ledger::seal(taken.dump(), {kind, who.id}, readers).value();
    body[std::string(ledger::kSealedField)] = ledger::sealed_to_json(sealed.sealed);
    day_.sealing_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ++day_.sealed_records;
  }

  void emit(Slot slot) {
    switch (slot) {
      case Slot::kDeliver:
        if (ready(dispensed_)) return deliver();
        [[fallthrough]];
      case Slot::kDispense:
        if (ready(approved_)) return dispense();
        [[fallthrough]];
      case Slot::kReview:
        if (ready(issued_)) return review();
        [[fallthrough]];
      case Slot::kIssue:
        return issue();
      case Slot::kAdminister:
        if (ready(stock_)) return administer();
        [[fallthrough]];
      case Slot::kSupply:
        return supply();
      case Slot::kShip:
        if (!batches_.empty()) return ship_tableware();
        [[fallthrough]];
      case Slot::kBatch:
        return batch();
      case Slot::kJustify:
        if (ready(emergencies_)) return justify();
        [[fallthrough]];
      case Slot::kRead:
        return read(false);
      case Slot::kEmergencyRead:
        return read(true);
      case Slot::kRegister:
        return register_identity();
    }
  }

  struct Rx {
    std::string id;
    int pharmacy;
    json items;
  };

  void issue() {
    const int hospital = 1 + static_cast<int>(rng_() % kHospitals);
    json items = json::array();
    json lines = json::array();
    const size_t n = 1 + rng_() % 3;
    const size_t first = rng_() % std::size(kDrugs);
    for (size_t k = 0; k < n; ++k) {
      const std::string& code = kDrugs[(first + k) % std::size(kDrugs)];
      items.push_back({{"drug_code", code},
                       {"name", "Drug " + code},
                       {"strength", "0.25 g"},
                       {"quantity", 20},
                       {"unit", "tablet"},
                       {"dosage", "1 tablet twice a day"},
                       {"days_supply", 5}});
      lines.push_back({{"drug_code", code}, {"quantity", 20}});
    }
    json body = {{"patient_ref", patient()},
                 {"type", "normal"},
                 {"channel", "offline"},
                 {"diagnosis_code", "J06.9"},
                 {"items", items}};
    std::string id = add(pick(doctors_[hospital]), "rx.issue", body);
    issued_.push_back({{id, 1 + static_cast<int>(rng_() % kPharmacies), lines}, now() + kStepLag});
  }
  void review() {
    Rx rx = take(issued_);
    add(pick(pharmacists_[rx.pharmacy]), "rx.review", {{"rx_id", rx.id}, {"decision", "approved"}});
    approved_.push_back({std::move(rx), now() + kStepLag});
  }
  void dispense() {
    Rx rx = take(approved_);
    add(pick(pharmacists_[rx.pharmacy]), "rx.dispense", {{"rx_id", rx.id}, {"items", rx.items}});
    // Half the prescriptions are collected at the counter, half delivered.
    if (++dispensed_count_ % 2 == 0) dispensed_.push_back({std::move(rx), now() + kStepLag});
  }
  void deliver() {
    Rx rx = take(dispensed_);
    add(pick(pharmacists_[rx.pharmacy]), "rx.deliver",
        {{"rx_id", rx.id}, {"method", "courier"}, {"tracking_no", next("SF")}});
  }

  // The vaccine supply chain, one step per call: a lot is registered and released, then rounds of
  // codes.add, maker -> CDC shipment and receipt, CDC -> clinic shipment and receipt.
  void supply() {
    const json lot_ref = {{"product_code", kGtins[lot_ % 2]}, {"lot", "L" + std::to_string(lot_)}};
    const json cold_chain = {{"log_hash", std::string(64, 'b')},
                             {"min_c", "2.5"},
                             {"max_c", "7.5"},
                             {"compliant", true}};
    json body = lot_ref;
    switch (supply_step_) {
      case 0:
        body["product_name"] = "Hepatitis B vaccine 10ug";
        body["expiry"] = "2028-12-31";
        body["dose_count"] = kDosesPerRound * kRoundsPerLot;
        body["storage_min_c"] = "2.0";
        body["storage_max_c"] = "8.0";
        add(pick(maker_ops_), "vaccine.lot.register", body);
        break;
      case 1:
        body["decision"] = "released";
        body["certificate_no"] = next("SJ");
        add(pick(inspectors_), "vaccine.lot.release", body);
        break;
      case 2:
        round_codes_ = json::array();
        for (size_t i = 0; i < kDosesPerRound; ++i) {
          std::string tail = std::to_string(++dose_serial_);
          round_codes_.push_back("8" + std::string(19 - tail.size(), '0') + tail);
        }
        body["codes"] = round_codes_;
        add(pick(maker_ops_), "vaccine.codes.add", body);
        break;
      case 3:
        shipment_ = next("SHIP-");
        add(pick(maker_ops_), "vaccine.ship",
            {{"shipment_id", shipment_}, {"to_org", "cdc-1"}, {"codes", round_codes_}});
        break;
      case 4:
        add(pick(cdc_ops_), "vaccine.receive",
            {{"shipment_id", shipment_}, {"cold_chain", cold_chain}});
        break;
      case 5:
        clinic_ = 1 + static_cast<int>(rng_() % kClinics);
        shipment_ = next("SHIP-");
        add(pick(cdc_ops_), "vaccine.ship",
            {{"shipment_id", shipment_},
             {"to_org", org_id("clinic", clinic_)},
             {"codes", round_codes_}});
        break;
      case 6:
        add(pick(clinic_ops_[clinic_]), "vaccine.receive",
            {{"shipment_id", shipment_}, {"cold_chain", cold_chain}});
        for (const json& code : round_codes_) {
          stock_.push_back({{code.get<std::string>(), clinic_}, now() + kStepLag});
        }
        break;
    }
    if (++supply_step_ == 7) {
      supply_step_ = 2;
      if (++round_ % kRoundsPerLot == 0) {
        ++lot_;
        supply_step_ = 0;
      }
    }
  }
  void administer() {
    auto [code, clinic] = take(stock_);
    add(pick(vaccinators_[clinic]), "vaccine.administer",
        {{"code", code}, {"patient_ref", patient()}, {"dose_number", 1}, {"site", "left deltoid"}});
  }

  void batch() {
    const std::string code = next("TW-20261123-");
    add(pick(disinf_ops_), "tableware.batch",
        {{"batch_code", code},
         {"licence_no", "JY-3101-2026-0042"},
         {"line", "L2"},
         {"disinfected_at", "2026-11-23T06:00:00+08:00"},
         {"use_by", "2026-11-25T06:00:00+08:00"},
         {"method", "steam"},
         {"quantity", 100 * kShipsPerBatch},
         {"results",
          {{"sensory", "pass"},
           {"free_residual_chlorine", "0.010"},
           {"anionic_detergent", "not_detected"},
           {"coliforms", "not_detected"},
           {"salmonella", "not_detected"}}}});
    batches_.push_back({code, kShipsPerBatch});
  }
  void ship_tableware() {
    auto& [code, left] = batches_.front();
    add(pick(disinf_ops_), "tableware.ship",
        {{"batch_code", code},
         {"to_org", org_id("rest", 1 + static_cast<int>(rng_() % kRestaurants))},
         {"quantity", 100}});
    if (--left == 0) batches_.pop_front();
  }

  // Reads are reported by the reader, or for break-glass access by the node, which a doctor of
  // the same hospital justifies later.
  void read(bool emergency) {
    const int hospital = emergency ? 1 : 1 + static_cast<int>(rng_() % kHospitals);
    const Person& doctor = pick(doctors_[hospital]);
    json body = {
        {"patient_ref", patient()},
        {"actor", doctor.id},
        {"org", doctor.org},
        {"purpose", emergency ? "emergency" : "treatment"},
        {"resources", {"MedicationRequest/rx-" + std::to_string(serial_), "Observation/obs-1"}},
        {"outcome", "success"}};
    std::string id = add(emergency ? node_ : doctor, "access.read", body);
    if (emergency) emergencies_.push_back({{id, doctor}, now() + kStepLag});
  }
  void justify() {
    auto [event_id, doctor] = take(emergencies_);
    add(doctor, "access.justify",
        {{"event_id", event_id}, {"justification", "unconscious patient in the ER"}});
  }

  void register_identity() {
    const int hospital = 1 + static_cast<int>(rng_() % kHospitals);
    add(admins_.at(org_id("hosp", hospital)), "identity.register",
        {{"user_id", next("dr-new-")},
         {"role", "doctor"},
         {"public_key", ledger::to_hex(new_key().public_key)},
         {"licence_no", next("LIC-")},
         {"valid_from", "2026-01-01"},
         {"valid_until", "2030-12-31"}});
  }

  size_t records_, per_block_;
  bool sealed_;
  std::map<std::string, ledger::Bytes> encryption_keys_;
  Day day_;
  std::mt19937_64 rng_{20261123};  // fixed: every run measures the same day
  std::vector<Slot> pattern_;
  std::vector<std::string> patients_ = [] {
    std::vector<std::string> refs;
    for (size_t i = 0; i < kPatients; ++i) {
      refs.push_back(ledger::to_hex(
          ledger::ed25519_sha256().hash(ledger::to_bytes("patient-" + std::to_string(i)))));
    }
    return refs;
  }();
  std::map<std::string, Person> admins_;
  Person node_;
  std::map<int, std::vector<Person>> doctors_, pharmacists_, vaccinators_, clinic_ops_;
  std::vector<Person> maker_ops_, cdc_ops_, inspectors_, disinf_ops_;
  size_t emitted_ = 0, serial_ = 0, dispensed_count_ = 0;
  std::deque<Pending<Rx>> issued_, approved_, dispensed_;
  std::deque<Pending<std::pair<std::string, Person>>> emergencies_;
  std::deque<Pending<std::pair<std::string, int>>> stock_;  // dose code, clinic
  std::deque<std::pair<std::string, size_t>> batches_;  // batch code, shipments left
  size_t lot_ = 1, round_ = 0, supply_step_ = 0, dose_serial_ = 0;
  int clinic_ = 1;
  json round_codes_;
  std::string shipment_;
};

}  // namespace

Day build_day(size_t records, size_t per_block, bool sealed) {
  return DayBuilder(records, per_block, sealed).build();
}

}  // namespace medtrail::bench
