// Valid seed bodies for every kind the registry knows, and the state they are valid in.
#include "contracts/fuzz_seeds.h"
#include "contracts/sample_bodies.h"
#include "medtrail/contracts/erasure.h"
#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/confidential_fields.h"
#include "medtrail/ledger/patient_shares.h"
#include "medtrail/ledger/pseudonym.h"
#include "medtrail/ledger/sealed_fields.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace medtrail::contracts::fuzz_testing {
namespace {

using nlohmann::json;
using testing::ContractFixture;
using testing::kPatientRef;
using testing::Person;

// Records the seeds and the records that prepare the state for them.
class SeedBuilder {
 public:
  explicit SeedBuilder(ContractFixture& fixture) : f(fixture) {}

  std::string accept(const Person& who, const std::string& kind, const json& body) {
    ledger::Envelope e = f.sign(who, kind, body);
    ledger::ExecutionResult r = f.run_block({e}).at(0);
    EXPECT_TRUE(r.accepted) << kind << ": " << r.reason_code << " " << r.reason;
    return ledger::record_id(e).value();
  }

  void prepare();
  void add(const std::string& kind, const Person& who, json body) {
    seeds[kind].push_back({who, std::move(body)});
  }

  ContractFixture& f;
  SeedTable seeds;
};

json rx_item(const std::string& code, int64_t quantity) {
  return {{"drug_code", code},    {"name", "Amoxicillin capsules"},
          {"strength", "0.25 g"}, {"quantity", quantity},
          {"unit", "capsule"},    {"dosage", "2 capsules three times a day"},
          {"days_supply", 5},     {"form", "other"}};
}

json rx_issue() {
  return {{"patient_ref", kPatientRef},
          {"type", "normal"},
          {"channel", "offline"},
          {"follow_up", false},
          {"valid_days", 2},
          {"diagnosis_code", "J06.9"},
          {"items", {rx_item("86979474000084", 20), rx_item("N02BE01", 10)}}};
}

std::string gs1(const std::string& lot, const std::string& serial) {
  return "(01)06901234567892(17)281231(10)" + lot + "(21)" + serial;
}

json lot(const std::string& name) {
  return {{"product_code", "06901234567892"},
          {"product_name", "Hepatitis B vaccine 10ug"},
          {"lot", name},
          {"expiry", "2028-12-31"},
          {"dose_count", 100},
          {"storage_min_c", "2.0"},
          {"storage_max_c", "8.0"}};
}

json cold_chain() {
  return {{"log_hash", std::string(64, 'b')}, {"min_c", "2.5"}, {"max_c", 7}, {"compliant", true}};
}

// A fixed public key (RFC 8032 test 1): seeds must not change between runs, or a seed number
// would not rebuild the same body.
const std::string kPublicKey = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

void SeedBuilder::prepare() {
  const Person doctor = f.person(
      "hosp-a", "dr-wang", "doctor",
      {{"title", "attending"}, {"qualifications", {"controlled_prescribing"}}, {"practice_since", "2015-07-01"}});
  f.person("hosp-a", "dr-zhou", "doctor");  // revoked by the identity.revoke seed
  const Person pharmacist = f.person("pharm-a", "ph-zhao", "pharmacist");
  const Person maker = f.person("maker-a", "op-chen", "operator");
  const Person inspector = f.person("reg-a", "insp-liu", "inspector");
  const Person nurse = f.person("clinic-a", "nurse-he", "vaccinator");
  const Person clinic_op = f.person("clinic-a", "op-ma", "operator");
  const Person cdc_op = f.person("cdc-a", "op-sun", "operator");
  const Person unit_op = f.person("disinf-a", "op-chen", "operator");

  // identity, governance
  add("identity.register", f.admin("hosp-a"),
      {{"user_id", "dr-new"},
       {"role", "doctor"},
       {"public_key", kPublicKey},
       {"licence_no", "110101-2020-0001"},
       {"valid_from", "2026-01-01"},
       {"valid_until", "2026-12-31"},
       {"display_name", "Dr New"},
       {"title", "chief"},
       {"practice_since", "2001-09-01"},
       {"qualifications", {"controlled_prescribing"}}});
  add("identity.revoke", f.admin("hosp-a"),
      {{"user_id", "dr-zhou"}, {"reason", "left the hospital"}});
  const json org = {{"id", "pharm-c"},
                    {"name", "Pharmacy C"},
                    {"types", {"pharmacy"}},
                    {"admin_public_key", kPublicKey}};
  const std::string proposal =
      accept(f.admin("reg-a"), "gov.propose",
             {{"action", "org.add"}, {"reason", "new member"}, {"org", org}});
  json other_org = org;
  other_org["id"] = "pharm-d";
  add("gov.propose", f.admin("reg-a"),
      {{"action", "org.add"}, {"reason", "new member"}, {"org", other_org}});
  add("gov.propose", f.admin("reg-a"),
      {{"action", "node.add"},
       {"reason", "second node"},
       {"node",
        {{"id", "node-2"},
         {"org", "hosp-b"},
         {"public_key", kPublicKey},
         {"tls_spki_sha256", std::string(64, 'b')},
         {"peer_address", "127.0.0.1:7002"},
         {"api_address", "127.0.0.1:8002"}}}});
  add("gov.propose", f.admin("reg-a"),
      {{"action", "org.remove"}, {"reason", "left"}, {"org_id", "clinic-b"}});
  add("gov.approve", f.admin("reg-b"), {{"proposal_id", proposal}});
  // hosp-a is licensed for internet diagnosis; clinic-a's grant is the seed
  const json grant = {{"action", "licence.grant"}, {"reason", "registered"}, {"org_id", "hosp-a"},
                      {"licence", "internet_diagnosis"}};
  accept(f.admin("reg-b"), "gov.approve",
         {{"proposal_id", accept(f.admin("reg-a"), "gov.propose", grant)}});
  json clinic_grant = grant;
  clinic_grant["org_id"] = "clinic-a";
  add("gov.propose", f.admin("reg-a"), clinic_grant);

  // visits: an offline one, which the online seeds follow up
  const json offline_visit = {{"patient_ref", kPatientRef}, {"channel", "offline"},
                              {"diagnosis_code", "I10"}, {"note", "first diagnosed today"}};
  const std::string visit = accept(doctor, "visit.record", offline_visit);
  add("visit.record", doctor, offline_visit);
  add("visit.record", doctor,
      {{"patient_ref", kPatientRef}, {"channel", "online"}, {"follows", visit}, {"note", "stable"}});
  json online_rx = rx_issue();
  online_rx["channel"] = "online";
  online_rx["follow_up"] = true;
  online_rx.erase("diagnosis_code");
  online_rx["follows"] = visit;
  online_rx["child_under_6"] = true;
  online_rx["guardian_ref"] = std::string(63, 'e') + "f";
  online_rx["accompanying_doctor"] = f.person("clinic-a", "dr-cao", "doctor").id;
  add("rx.issue", doctor, online_rx);

  // rx: one prescription per stage
  const std::string rx_new = accept(doctor, "rx.issue", rx_issue());
  const std::string rx_approved = accept(doctor, "rx.issue", rx_issue());
  accept(pharmacist, "rx.review", {{"rx_id", rx_approved}, {"decision", "approved"}});
  const std::string rx_done = accept(doctor, "rx.issue", rx_issue());
  accept(pharmacist, "rx.review", {{"rx_id", rx_done}, {"decision", "approved"}});
  const json all_items = {{{"drug_code", "86979474000084"}, {"quantity", 20}},
                          {{"drug_code", "N02BE01"}, {"quantity", 10}}};
  accept(pharmacist, "rx.dispense", {{"rx_id", rx_done}, {"items", all_items}});
  add("rx.issue", doctor, rx_issue());
  json chronic = rx_issue();
  chronic["type"] = "chronic";
  chronic["long_term"] = true;
  chronic["long_term_reason"] = "pulmonary tuberculosis, continuation phase";
  chronic["chronic_infection"] = true;
  chronic["long_term_evaluation"] = "stable on treatment, liver function normal";
  chronic["patient_confirmed"] = true;
  chronic["items"][0]["days_supply"] = 60;
  chronic["items"][0]["antimicrobial"] = true;
  add("rx.issue", doctor, chronic);
  json extended = rx_issue();
  extended["extended_supply"] = true;
  extended["supply_reason"] = "elderly patient, lives far away";
  extended["items"][1]["days_supply"] = 14;
  extended["items"][1]["controlled_class"] = "psychotropic_2";
  add("rx.issue", doctor, extended);
  add("rx.review", pharmacist, {{"rx_id", rx_new}, {"decision", "approved"}, {"note", "checked"}});
  add("rx.review", pharmacist,
      {{"rx_id", rx_new}, {"decision", "rejected"}, {"note", "dose too high"}});
  add("rx.dispense", pharmacist, {{"rx_id", rx_approved}, {"items", all_items}});
  add("rx.deliver", pharmacist,
      {{"rx_id", rx_done}, {"method", "courier"}, {"tracking_no", "SF1234567890"}});
  add("rx.cancel", doctor, {{"rx_id", rx_new}, {"reason", "wrong drug chosen"}});
  add("rx.evaluate", inspector,
      {{"rx_id", rx_done},
       {"result", "irrational"},
       {"findings", {"irregular.12", "inappropriate.5"}},
       {"note", "extended supply without a stated reason"}});
  add("rx.evaluate", f.person("hosp-a", "ph-sun", "pharmacist"), {{"rx_id", rx_done}, {"result", "rational"}});
  const std::string rx_sent = accept(doctor, "rx.issue", rx_issue());
  accept(pharmacist, "rx.review", {{"rx_id", rx_sent}, {"decision", "approved"}});
  accept(pharmacist, "rx.dispense", {{"rx_id", rx_sent}, {"items", all_items}});
  accept(pharmacist, "rx.deliver",
         {{"rx_id", rx_sent}, {"method", "courier"}, {"carrier", "ship-a"}, {"tracking_no", "SF1"}});
  add("rx.receipt", f.person("ship-a", "op-he", "operator"),
      {{"rx_id", rx_sent}, {"confirmation", "signature"}, {"evidence_hash", std::string(64, 'e')}});

  // vaccine: lot A released with doses SN1..SN6 (SN5, SN6 at clinic-a; SN3, SN4 on the way)
  accept(maker, "vaccine.lot.register", lot("L2026A"));
  accept(maker, "vaccine.lot.register", lot("L2026B"));
  accept(inspector, "vaccine.lot.release",
         {{"product_code", "06901234567892"},
          {"lot", "L2026A"},
          {"decision", "released"},
          {"certificate_no", "SJ1"}});
  std::vector<std::string> codes;
  for (int i = 1; i <= 6; ++i) codes.push_back(gs1("L2026A", "SN" + std::to_string(i)));
  accept(maker, "vaccine.codes.add",
         {{"product_code", "06901234567892"}, {"lot", "L2026A"}, {"codes", codes}});
  accept(maker, "vaccine.ship",
         {{"shipment_id", "SHIP-C"}, {"to_org", "cdc-a"}, {"codes", {codes[2], codes[3], codes[4], codes[5]}}});
  accept(cdc_op, "vaccine.receive", {{"shipment_id", "SHIP-C"}, {"cold_chain", cold_chain()}});
  accept(cdc_op, "vaccine.ship",
         {{"shipment_id", "SHIP-0"}, {"to_org", "clinic-a"}, {"codes", {codes[4], codes[5]}}});
  accept(clinic_op, "vaccine.receive", {{"shipment_id", "SHIP-0"}, {"cold_chain", cold_chain()}});
  accept(cdc_op, "vaccine.ship",
         {{"shipment_id", "SHIP-1"}, {"to_org", "clinic-a"}, {"codes", {codes[2], codes[3]}}});
  add("vaccine.lot.register", maker, lot("L2026C"));
  add("vaccine.lot.release", inspector,
      {{"product_code", "06901234567892"},
       {"lot", "L2026B"},
       {"decision", "released"},
       {"certificate_no", "SJ2"}});
  add("vaccine.codes.add", maker,
      {{"product_code", "06901234567892"},
       {"lot", "L2026A"},
       {"codes", {gs1("L2026A", "SN7"), "80000000000000000001"}}});
  add("vaccine.ship", maker,
      {{"shipment_id", "SHIP-2"}, {"to_org", "cdc-a"}, {"codes", {codes[0], codes[1]}}});
  add("vaccine.receive", clinic_op, {{"shipment_id", "SHIP-1"}, {"cold_chain", cold_chain()}});
  add("vaccine.administer", nurse,
      {{"code", codes[4]},
       {"patient_ref", kPatientRef},
       {"dose_number", 1},
       {"site", "left deltoid"}});
  add("vaccine.quarantine", maker,
      {{"codes", {codes[0]}}, {"reason", "packaging"}, {"note", "box crushed"}});
  add("vaccine.recall", maker,
      {{"product_code", "06901234567892"}, {"lot", "L2026A"}, {"reason", "potency"}});
  add("vaccine.storage", maker,
      {{"unit", "COLD-ROOM-1"},
       {"from", "2026-11-22T08:00:00+08:00"},
       {"to", "2026-11-23T08:00:00+08:00"},
       {"log_hash", std::string(64, 'c')},
       {"min_c", "3.0"},
       {"max_c", "6.5"},
       {"codes", {codes[0], codes[1]}}});
  add("vaccine.dispose", maker,
      {{"codes", {codes[1]}},
       {"reason", "damaged"},
       {"method", "incineration"},
       {"witness", "reg-a/insp-liu"},
       {"note", "vial cracked in the cold room"}});
  accept(nurse, "vaccine.administer", {{"code", codes[5]}, {"patient_ref", kPatientRef}});
  // claims: the pharmacy's dispense of rx_done is claimed (CLM-1), the clinic's dose is not yet
  accept(pharmacist, "claim.submit",
         {{"claim_id", "CLM-1"}, {"insurer", "ins-a"}, {"rx_id", rx_done}, {"dispense", 1}, {"amount_fen", 4250}});
  add("claim.submit", clinic_op,
      {{"claim_id", "CLM-2"}, {"insurer", "ins-a"}, {"dose_code", codes[5]}, {"administration", 1},
       {"amount_fen", 9000}});
  add("claim.settle", f.person("ins-a", "op-lu", "operator"),
      {{"claim_id", "CLM-1"}, {"decision", "settled"}, {"amount_fen", 4000}, {"reason", "co-payment 2.50 yuan"}});
  add("vaccine.aefi", nurse,
      {{"code", codes[5]},
       {"patient_ref", kPatientRef},
       {"onset_date", "2026-11-23"},
       {"serious", false},
       {"symptoms", "fever 38.5 C, redness at the injection site"}});

  // tableware: batch TW-1 recorded
  accept(unit_op, "tableware.batch", testing::tableware_batch_body("TW-1"));
  add("tableware.batch", unit_op, testing::tableware_batch_body("TW-2"));
  add("tableware.ship", unit_op, {{"batch_code", "TW-1"}, {"to_org", "rest-a"}, {"quantity", 100}});
  add("tableware.ship", unit_op, {{"batch_code", "TW-1"}, {"customer", "Canteen No. 3"}});
  add("tableware.inspect", inspector,
      {{"batch_code", "TW-1"}, {"results", testing::passing_tableware_results()}, {"action", "none"}, {"note", "routine"}});
  add("tableware.recall", unit_op,
      {{"batch_code", "TW-1"}, {"reason", "coliforms found at a restaurant"}});

  // access: one open break-glass event
  const json read = {{"patient_ref", kPatientRef},
                     {"actor", "hosp-a/dr-wang"},
                     {"org", "hosp-a"},
                     {"purpose", "emergency"},
                     {"resources", {"MedicationRequest/rx-7", "Observation/obs.12"}},
                     {"outcome", "success"}};
  const std::string event = accept(f.node(), "access.read", read);
  add("access.read", f.node(), read);
  add("access.read", doctor, read);
  add("access.justify", doctor,
      {{"event_id", event}, {"justification", "unconscious patient admitted to the ER"}});
  const json query = {{"chain", ledger::to_hex(f.chain.chain_id)},
            {"node", "node-1"},
                      {"method", "GET"},
                      {"target", "/v1/records/" + std::string(64, 'b')},
                      {"body_hash", std::string(64, '0')},
                      {"purpose", "audit"}};
  add("access.query", inspector, query);

  // The pseudonym service, run by the fixture's node's organisation with room to spare.
  ledger::GenesisPseudonym service;
  service.org = "hosp-a";
  const ledger::OprfServerKey service_key = ledger::oprf_generate_key_pair();
  service.public_key.assign(service_key.public_key.begin(), service_key.public_key.end());
  service.org_daily_limit = 10'000'000;
  service.person_daily_limit = 10'000'000;
  service.citizen_daily_limit = 1000;
  f.chain.genesis.pseudonym = service;
  json pseudonyms = query;
  pseudonyms["method"] = "POST";
  pseudonyms["target"] = ledger::pseudonym_target(2);
  pseudonyms["purpose"] = "treatment";
  add("access.query", doctor, pseudonyms);
  add(std::string(ledger::kCitizenPseudonymKind), f.node(), {{"card", std::string(64, 'c')}});

  // Confidential fields: fixed encryption keys for the author and the regulators (seeds must
  // not change between runs), an org.enc_key, and a sealed prescription. The contracts never
  // open a sealed part, so fixed bytes stand in for the ciphertext and the wrapped keys.
  auto fixed_key = [](uint8_t fill) { return ledger::encryption_key_from_secret(ledger::Bytes(32, fill)).value(); };
  ledger::Sealed sealed;
  sealed.nonce = ledger::Bytes(ledger::kSealedNonceBytes, 1);
  sealed.ciphertext = ledger::Bytes(64, 2);
  uint8_t fill = 10;
  for (ledger::GenesisOrg& org : f.chain.genesis.organisations) {
    const bool regulator = std::find(org.roles.begin(), org.roles.end(), "regulator") != org.roles.end();
    if (org.id != "hosp-a" && !regulator) continue;
    org.encryption_public_key = fixed_key(fill++).public_key;
    sealed.keys.push_back({org.id, ledger::encryption_key_id(org.encryption_public_key),
                           ledger::Bytes(ledger::kWrappedKeyBytes, 3)});
  }
  // Consent: a grant, and the withdrawal of one already recorded.
  const json consent = {{"patient_ref", kPatientRef}, {"org", "hosp-a"}, {"purposes", {"treatment"}},
                        {"valid_until", "2099-12-31"}};
  add("consent.grant", doctor, consent);
  const std::string grant_id = accept(doctor, "consent.grant", consent);
  add("consent.withdraw", doctor, {{"patient_ref", kPatientRef}, {"grant_id", grant_id}});

  add("org.enc_key", f.admin("pharm-a"), {{"public_key", ledger::to_hex(fixed_key(9).public_key)}});
  json sealed_issue = rx_issue();
  ledger::take_confidential("rx.issue", sealed_issue);
  sealed_issue["sealed"] = ledger::sealed_to_json(sealed);
  add("rx.issue", doctor, sealed_issue);
  // Erasable: version 2 names its patient; the key service's share query; an erasure.
  ledger::Sealed erasable = sealed;
  erasable.version = ledger::kErasableSealedVersion;
  erasable.subject = kPatientRef;
  sealed_issue["sealed"] = ledger::sealed_to_json(erasable);
  add("rx.issue", doctor, sealed_issue);
  json shares = pseudonyms;
  shares["target"] = ledger::patient_share_target(kPatientRef, 1, ledger::ShareUse::kSeal);
  add("access.query", doctor, shares);
  add(std::string(contracts::kPatientEraseKind), inspector,
      {{"patient_ref", kPatientRef}, {"basis", "consent_withdrawn"}, {"request_ref", "REQ-2026-0042"}});
}

}  // namespace

SeedTable prepare_seeds(ContractFixture& f) {
  SeedBuilder builder(f);
  builder.prepare();
  return std::move(builder.seeds);
}

}  // namespace medtrail::contracts::fuzz_testing
