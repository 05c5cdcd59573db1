// vaccine.* records beside a dose's journey: storage temperature records (an excursion
// quarantines), disposal under a witness, and suspected adverse events following immunisation.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "contracts/vaccine_fixture.h"
#include "medtrail/contracts/vaccine.h"

namespace medtrail::contracts {
namespace {

using namespace vaccine_testing;  // NOLINT: test helpers

// --- vaccine.storage -------------------------------------------------------------------------

TEST_F(VaccineTest, StorageInsideTheLabelRangeChangesNothing) {
  auto codes = lot_with_codes(2);
  stock_clinic(codes);
  EXPECT_EQ(run(clinic_op, "vaccine.storage", storage_body(codes, "2.0", "8.0")), "accepted");
  EXPECT_EQ(status_of(codes[0]), "in_stock");
  EXPECT_EQ(status_of(codes[1]), "in_stock");
  EXPECT_EQ(run(nurse, "vaccine.storage", storage_body(codes)), "accepted");
  EXPECT_EQ(f.index_of("org/clinic-a").size(), 4u);  // shipped to, received, two storage records
}

TEST_F(VaccineTest, AnExcursionQuarantinesTheDosesWhoseLabelItLeft) {
  auto codes = lot_with_codes(3);
  // A frozen product beside the 2-8 °C one in the centre's cold room.
  accept(maker, "vaccine.lot.register",
         with(with(with(with(lot_body(), "product_code", kOtherGtin), "lot", "F1"), "storage_min_c",
                   "-25.0"),
              "storage_max_c", "-15.0"));
  accept(inspector, "vaccine.lot.release",
         with(with(release_body(), "product_code", kOtherGtin), "lot", "F1"));
  accept(maker, "vaccine.codes.add",
         with(with(codes_body({digits20(1)}), "product_code", kOtherGtin), "lot", "F1"));
  stock_cdc({codes[0], codes[1], codes[2]}, "IN-1");
  accept(maker, "vaccine.ship", ship_body("IN-2", "cdc-a", {digits20(1)}));
  accept(cdc_op, "vaccine.receive", receive_body("IN-2", cold_chain("-24.0", "-16.0")));
  accept(cdc_op, "vaccine.quarantine", quarantine_body({codes[2]}, "packaging"));
  const std::string quarantined_by_before =
      (*f.state_json("vcode/" + canonical("SN3")))["quarantine_record"];

  // The log shows -20..-16 °C: right for the frozen lot, an excursion for the 2-8 °C doses.
  const ledger::ExecutionResult r = f.run(
      cdc_op, "vaccine.storage", storage_body({codes[0], codes[1], codes[2], digits20(1)}, "-20.0", "-16.0"));
  ASSERT_TRUE(r.accepted) << r.reason_code << " " << r.reason;
  for (const char* serial : {"SN1", "SN2"}) {
    auto dose = *f.state_json("vcode/" + canonical(serial));
    EXPECT_EQ(dose["status"], "quarantined") << serial;
    EXPECT_EQ(dose["quarantine_reason"], "temperature") << serial;
    EXPECT_EQ(dose["quarantined_by"], "cdc-a/op-sun") << serial;
    EXPECT_EQ(dose["holder"], "cdc-a") << serial;
  }
  EXPECT_EQ(status_of(digits20(1)), "in_stock");
  // A dose quarantined before keeps its first quarantine.
  EXPECT_EQ((*f.state_json("vcode/" + canonical("SN3")))["quarantine_record"], quarantined_by_before);
  EXPECT_EQ(run(cdc_op, "vaccine.ship", ship_body("OUT", "clinic-a", {codes[0]})), "code_quarantined");
  EXPECT_EQ(citizen_status(codes[0]), "quarantined");
}

TEST_F(VaccineTest, StorageRules) {
  auto codes = lot_with_codes(4);
  stock_clinic({codes[0], codes[1]});
  accept(nurse, "vaccine.administer", administer_body(codes[1]));
  accept(maker, "vaccine.ship", ship_body("ON-THE-WAY", "cdc-a", {codes[2]}));
  EXPECT_EQ(run(clinic_op, "vaccine.storage", with(storage_body({codes[0]}), "to", "2026-11-22T08:00:00+08:00")),
            "out_of_range");
  EXPECT_EQ(run(clinic_op, "vaccine.storage", with(storage_body({codes[0]}), "to", "2026-11-23T10:00:01+08:00")),
            "period_in_future");
  EXPECT_EQ(run(clinic_op, "vaccine.storage", with(storage_body({codes[0]}), "to", "2026-11-23T10:00:00+08:00")),
            "accepted");  // up to the block time
  EXPECT_EQ(run(clinic_op, "vaccine.storage", storage_body({codes[0]}, "6.1", "6.0")), "out_of_range");
  // One tenth of a degree outside the label is an excursion.
  EXPECT_EQ(run(clinic_op, "vaccine.storage", storage_body({codes[0]}, "1.9", "8.0")), "accepted");
  EXPECT_EQ(status_of(codes[0]), "quarantined");
  EXPECT_EQ(run(clinic_op, "vaccine.storage", storage_body({codes[0], codes[1]})), "code_reused");
  EXPECT_EQ(run(clinic_op, "vaccine.storage", storage_body({codes[3]})), "not_holder");  // the maker's
  EXPECT_EQ(run(maker, "vaccine.storage", storage_body({codes[2]})), "not_holder");      // on its way
  EXPECT_EQ(run(f.person("clinic-a", "aud", "auditor"), "vaccine.storage", storage_body({codes[0]})),
            "role_not_permitted");
  const BodyCase cases[] = {
      {"no unit", without(storage_body({codes[0]}), "unit"), "missing_field"},
      {"unit charset", with(storage_body({codes[0]}), "unit", "fridge 2"), "bad_format"},
      {"time not RFC 3339", with(storage_body({codes[0]}), "from", "2026-11-22"), "bad_format"},
      {"short log hash", with(storage_body({codes[0]}), "log_hash", "abcd"), "bad_format"},
      {"float temperature", with(storage_body({codes[0]}), "min_c", 3.5), "wrong_type"},
      {"no codes", with(storage_body({codes[0]}), "codes", json::array()), "too_few_items"},
      {"extra field", with(storage_body({codes[0]}), "humidity", "40%"), "unknown_field"},
  };
  for (const BodyCase& c : cases)
    EXPECT_EQ(run(clinic_op, "vaccine.storage", c.body), c.expected) << c.name;
}

// --- vaccine.dispose -------------------------------------------------------------------------

TEST_F(VaccineTest, DisposalRecordsWhoWhenHowAndTheWitness) {
  auto codes = lot_with_codes(2);
  stock_clinic(codes);
  accept(clinic_op, "vaccine.quarantine", quarantine_body({codes[0]}, "temperature"));
  EXPECT_EQ(run(clinic_op, "vaccine.dispose", dispose_body({codes[0]}, "temperature")), "accepted");
  auto dose = *f.state_json("vcode/" + canonical("SN1"));
  EXPECT_EQ(dose["status"], "disposed");
  EXPECT_EQ(dose["disposed_by"], "clinic-a/op-ma");
  EXPECT_EQ(dose["disposed_at_ms"], f.now_ms());
  EXPECT_EQ(dose["disposal_reason"], "temperature");
  EXPECT_EQ(dose["disposal_method"], "incineration");
  EXPECT_EQ(dose["disposal_witness"], "reg-a/insp-liu");
  EXPECT_EQ(dose["disposal_record"].get<std::string>().size(), 64u);
  EXPECT_EQ(citizen_status(codes[0]), "disposed");
  EXPECT_EQ(f.index_of("org/reg-a").size(), 1u);  // the witness's organisation sees it
  // Destroyed for good.
  EXPECT_EQ(run(nurse, "vaccine.administer", administer_body(codes[0])), "code_disposed");
  EXPECT_EQ(run(clinic_op, "vaccine.ship", ship_body("BACK", "cdc-a", {codes[0]})), "code_disposed");
  EXPECT_EQ(run(inspector, "vaccine.quarantine", quarantine_body({codes[0]})), "code_disposed");
  EXPECT_EQ(run(clinic_op, "vaccine.storage", storage_body({codes[0]})), "code_disposed");
  EXPECT_EQ(run(clinic_op, "vaccine.dispose", dispose_body({codes[0]})), "code_disposed");
  // A dose in stock may be destroyed too (damaged), and a dose already given may not.
  accept(nurse, "vaccine.administer", administer_body(codes[1]));
  EXPECT_EQ(run(clinic_op, "vaccine.dispose", dispose_body({codes[1]})), "code_reused");
}

TEST_F(VaccineTest, DisposalIsWitnessedByASupervisingOfficer) {
  auto codes = lot_with_codes(1);
  stock_clinic(codes);
  f.person("reg-b", "insp-gone", "inspector", "2020-01-01", "2026-11-22");
  f.person("insp-a", "officer-ye", "inspector");
  const std::pair<std::string, std::string> refused[] = {
      {"clinic-a/op-ma", "the signer"},
      {"reg-a/nobody", "unknown"},
      {"clinic-a/nurse-he", "not a supervising authority"},
      {"reg-b/insp-gone", "registration ended"},
  };
  for (const auto& [witness, why] : refused) {
    EXPECT_EQ(run(clinic_op, "vaccine.dispose", dispose_body(codes, "damaged", witness)),
              "witness_not_permitted")
        << why;
  }
  f.person("reg-b", "insp-revoked", "inspector");
  json revoked = *f.state_json("id/reg-b/insp-revoked");
  revoked["revoked_at_ms"] = f.now_ms() - 1;
  f.put_state_json("id/reg-b/insp-revoked", revoked);
  EXPECT_EQ(run(clinic_op, "vaccine.dispose", dispose_body(codes, "damaged", "reg-b/insp-revoked")),
            "witness_not_permitted");
  EXPECT_EQ(run(clinic_op, "vaccine.dispose", dispose_body(codes, "damaged", "reg-a/admin")),
            "witness_not_permitted");
  // A known witness puts even a refused disposal on their organisation's trail.
  EXPECT_EQ(f.index_of("org/reg-b").size(), 2u);
  EXPECT_EQ(run(clinic_op, "vaccine.dispose", dispose_body(codes, "damaged", "Reg-A/insp")), "bad_format");
  EXPECT_EQ(status_of(codes[0]), "in_stock");
  // An inspector organisation (the health supervision institute) may witness too.
  EXPECT_EQ(run(clinic_op, "vaccine.dispose", dispose_body(codes, "damaged", "insp-a/officer-ye")),
            "accepted");
}

TEST_F(VaccineTest, DisposalStatesNoFalseReason) {
  auto codes = lot_with_codes(2);
  stock_clinic(codes);
  EXPECT_EQ(run(clinic_op, "vaccine.dispose", dispose_body({codes[0]}, "expired")),
            "disposal_reason_mismatch");
  EXPECT_EQ(run(clinic_op, "vaccine.dispose", dispose_body({codes[0]}, "recalled")),
            "disposal_reason_mismatch");
  EXPECT_EQ(run(clinic_op, "vaccine.dispose", dispose_body({codes[0]}, "opened_vial")),
            "disposal_reason_mismatch");
  EXPECT_EQ(run(f.person("clinic-b", "op-qi", "operator"), "vaccine.dispose", dispose_body({codes[0]})),
            "not_holder");  // the holder checks come before the witness's
  accept(maker, "vaccine.recall", with(lot_ref(), "reason", "potency below specification"));
  EXPECT_EQ(run(clinic_op, "vaccine.dispose", dispose_body({codes[0]}, "recalled")), "accepted");
  EXPECT_EQ(run(clinic_op, "vaccine.dispose", dispose_body({codes[1]}, "expired")),
            "disposal_reason_mismatch");
  f.set_time("2029-01-01T00:00:00+08:00");  // the day after the lot's expiry
  EXPECT_EQ(run(clinic_op, "vaccine.dispose", dispose_body({codes[1]}, "expired")), "accepted");
}

TEST_F(VaccineTest, TheRestOfAnOpenedVialIsDisposed) {
  accept(maker, "vaccine.lot.register", with(lot_body("2028-12-31", 10), "doses_per_code", 10));
  accept(inspector, "vaccine.lot.release", release_body());
  accept(maker, "vaccine.codes.add", codes_body({gs1("V1")}));
  stock_clinic({gs1("V1")});
  accept(nurse, "vaccine.administer", administer_body(gs1("V1")));
  // Quarantined since it was opened (a fridge failed, say): still the rest of an opened vial.
  accept(clinic_op, "vaccine.storage", storage_body({gs1("V1")}, "3.0", "8.1"));
  EXPECT_EQ(status_of(gs1("V1")), "quarantined");
  EXPECT_EQ(run(nurse, "vaccine.dispose", dispose_body({gs1("V1")}, "opened_vial")), "accepted");
  EXPECT_EQ(run(nurse, "vaccine.administer", administer_body(gs1("V1"))), "code_disposed");
}

TEST_F(VaccineTest, DisposeBodyIsCheckedStrictly) {
  auto codes = lot_with_codes(1);
  const BodyCase cases[] = {
      {"no reason", without(dispose_body(codes), "reason"), "missing_field"},
      {"unknown reason", dispose_body(codes, "lost"), "bad_format"},
      {"unknown method", with(dispose_body(codes), "method", "landfill"), "bad_format"},
      {"no witness", without(dispose_body(codes), "witness"), "missing_field"},
      {"note too long", with(dispose_body(codes), "note", std::string(257, 'x')), "out_of_range"},
      {"extra field", with(dispose_body(codes), "photo", "x"), "unknown_field"},
  };
  for (const BodyCase& c : cases)
    EXPECT_EQ(run(maker, "vaccine.dispose", c.body), c.expected) << c.name;
}

// --- vaccine.aefi ----------------------------------------------------------------------------

TEST_F(VaccineTest, AdverseEventsAreReportedAgainstTheGivenDoseAndCountedOnTheLot) {
  auto codes = lot_with_codes(1);
  stock_clinic(codes);
  accept(nurse, "vaccine.administer", administer_body(codes[0]));
  EXPECT_EQ(run(nurse, "vaccine.aefi", aefi_body(codes[0])), "accepted");
  f.advance_ms(2 * kMsPerDay);
  // A doctor at the hospital the person went to, two days later: serious.
  EXPECT_EQ(run(f.person("hosp-a", "dr-fang", "doctor"), "vaccine.aefi",
                aefi_body(codes[0], "2026-11-24", true)),
            "accepted");
  // The holder reports what it learned too.
  EXPECT_EQ(run(maker, "vaccine.aefi", aefi_body(codes[0], "2026-11-24", true)), "accepted");
  // One dose, one person: the lot counts it once, and once as serious, however many reports.
  auto lot = *f.state_json(kLotKey);
  EXPECT_EQ(lot["aefi_reports"], 1);
  EXPECT_EQ(lot["aefi_serious"], 1);
  EXPECT_EQ((*f.state_json("vcode/" + canonical("SN1")))["administrations"][0]["aefi_serious"], true);
  EXPECT_EQ(f.index_of("vcode/" + canonical("SN1")).size(), 4u);  // given, three reports
  EXPECT_EQ(f.index_of("patient/" + kPatientRef).size(), 4u);
  // The centre that supplied the clinic hears of every report (VAL: reported to the CDC).
  EXPECT_EQ(f.index_of("org/cdc-a").size(), 3u + 3u);  // shipped to, received, shipped on; 3 reports
}

TEST_F(VaccineTest, EachRecipientOfAVialIsCountedOnTheirOwnDose) {
  accept(maker, "vaccine.lot.register", with(lot_body("2028-12-31", 10), "doses_per_code", 2));
  accept(inspector, "vaccine.lot.release", release_body());
  const std::vector<std::string> vials = {gs1("V1"), gs1("V2")};
  accept(maker, "vaccine.codes.add", codes_body(vials));
  stock_clinic(vials);
  const std::string other(64, 'e');
  accept(nurse, "vaccine.administer", administer_body(vials[0]));
  f.advance_ms(kMsPerDay);
  accept(nurse, "vaccine.administer", with(administer_body(vials[0]), "patient_ref", other));
  // The second child's onset is judged against their own dose, a day later.
  EXPECT_EQ(run(nurse, "vaccine.aefi", with(aefi_body(vials[0], "2026-11-23"), "patient_ref", other)),
            "onset_out_of_range");
  EXPECT_EQ(run(nurse, "vaccine.aefi", with(aefi_body(vials[0], "2026-11-24", true), "patient_ref", other)),
            "accepted");
  EXPECT_EQ(run(nurse, "vaccine.aefi", aefi_body(vials[0], "2026-11-23")), "accepted");
  auto lot = *f.state_json(kLotKey);
  EXPECT_EQ(lot["aefi_reports"], 2);
  EXPECT_EQ(lot["aefi_serious"], 1);
  // A given dose may be reported after it was quarantined or destroyed.
  accept(nurse, "vaccine.quarantine", quarantine_body({vials[1]}));
  EXPECT_EQ(run(nurse, "vaccine.aefi", aefi_body(vials[1])), "not_administered_to_patient");
}

TEST_F(VaccineTest, AManufacturerReportsOnItsOwnLotsOnly) {
  auto codes = lot_with_codes(1);
  stock_clinic(codes);
  accept(nurse, "vaccine.administer", administer_body(codes[0]));
  json lot = *f.state_json(kLotKey);
  lot["owner"] = "maker-z";  // another holder's lot
  f.put_state_json(kLotKey, lot);
  EXPECT_EQ(run(maker, "vaccine.aefi", aefi_body(codes[0])), "not_lot_owner");
  EXPECT_EQ(run(nurse, "vaccine.aefi", aefi_body(codes[0])), "accepted");
}

TEST_F(VaccineTest, AdverseEventRules) {
  auto codes = lot_with_codes(2);
  stock_clinic(codes);
  EXPECT_EQ(run(nurse, "vaccine.aefi", aefi_body(gs1("SN9"))), "unknown_code");
  EXPECT_EQ(run(nurse, "vaccine.aefi", aefi_body(codes[1])), "not_administered_to_patient");
  accept(nurse, "vaccine.administer", administer_body(codes[0]));
  EXPECT_EQ(run(nurse, "vaccine.aefi", with(aefi_body(codes[0]), "patient_ref", std::string(64, 'e'))),
            "not_administered_to_patient");
  EXPECT_EQ(run(nurse, "vaccine.aefi", aefi_body(codes[0], "2026-11-22")), "onset_out_of_range");
  EXPECT_EQ(run(nurse, "vaccine.aefi", aefi_body(codes[0], "2026-11-24")), "onset_out_of_range");
  EXPECT_EQ(run(nurse, "vaccine.aefi", aefi_body(codes[0], "2026-11-23")), "accepted");
  EXPECT_EQ(run(f.person("pharm-a", "ph-x", "pharmacist"), "vaccine.aefi", aefi_body(codes[0])),
            "role_not_permitted");
  EXPECT_EQ(run(inspector, "vaccine.aefi", aefi_body(codes[0])), "role_not_permitted");
  const BodyCase cases[] = {
      {"no symptoms", without(aefi_body(codes[0]), "symptoms"), "missing_field"},
      {"symptoms with an id number", with(aefi_body(codes[0]), "symptoms", "110101199003077571 fever"),
       "patient_identifier_in_clear"},
      {"symptoms too long", with(aefi_body(codes[0]), "symptoms", std::string(513, 'x')), "out_of_range"},
      {"serious not boolean", with(aefi_body(codes[0]), "serious", "yes"), "wrong_type"},
      {"unreal onset", aefi_body(codes[0], "2026-02-30"), "bad_format"},
      {"resident id as ref", with(aefi_body(codes[0]), "patient_ref", "110101199003077571"),
       "patient_identifier_in_clear"},
      {"extra field", with(aefi_body(codes[0]), "outcome", "recovered"), "unknown_field"},
  };
  for (const BodyCase& c : cases) EXPECT_EQ(run(nurse, "vaccine.aefi", c.body), c.expected) << c.name;
}

}  // namespace
}  // namespace medtrail::contracts
