// The strict body reader and the formats every family shares.
#include "medtrail/contracts/body_reader.h"

#include <gtest/gtest.h>

#include "medtrail/contracts/calendar.h"
#include "medtrail/ledger/bytes.h"

namespace medtrail::contracts {
namespace {

TEST(BodyReader, DecimalsAreScaledIntegersAndFloatsAreRefused) {
  nlohmann::json body = {{"a", "0.03"}, {"b", 2}, {"c", "-2.5"}, {"d", 0.03}, {"e", "0.0301"}};
  BodyReader r(body, "body");
  EXPECT_EQ(r.decimal("a", 3, 0, 1000000), 30);
  EXPECT_EQ(r.decimal("b", 3, 0, 1000000), 2000);
  EXPECT_EQ(r.decimal("c", 1, -1000, 1000), -25);
  EXPECT_TRUE(r.ok());
  EXPECT_FALSE(r.decimal("d", 3, 0, 1000000).has_value());
  EXPECT_EQ(r.result().reason_code, "wrong_type");

  BodyReader too_precise(body, "body");
  EXPECT_FALSE(too_precise.decimal("e", 3, 0, 1000000).has_value());
  EXPECT_EQ(too_precise.result().reason_code, "bad_format");
}

TEST(BodyReader, FirstProblemWinsAndNamesThePath) {
  nlohmann::json body = {{"items", {{{"quantity", -1}}}}};
  BodyReader r(body, "body");
  const nlohmann::json* items = r.array("items", 1, 5);
  ASSERT_NE(items, nullptr);
  BodyReader item = r.element(*items, 0);
  item.integer("quantity", 1, 10);
  item.integer("days", 1, 10);  // also wrong (missing), but the first problem is kept
  EXPECT_FALSE(r.finish());
  EXPECT_EQ(r.result().reason_code, "out_of_range");
  EXPECT_NE(r.result().reason.find("body.items[0].quantity"), std::string::npos) << r.result().reason;
}

TEST(BodyReader, AFieldOfAnotherCaseIsRefusedSayingWhereItBelongs) {
  nlohmann::json body = {{"carrier", nullptr}, {"method", "pickup"}};
  BodyReader absent(body, "body");
  absent.refuse_field("tracking_no", "a courier delivery");
  EXPECT_TRUE(absent.ok());

  // Present with any value, null included: the case has no such field at all.
  BodyReader present(body, "body");
  present.refuse_field("carrier", "a courier delivery");
  EXPECT_EQ(present.result().reason_code, "unknown_field");
  EXPECT_EQ(present.result().reason, "body.carrier belongs to a courier delivery");

  // An earlier problem is the one reported.
  BodyReader earlier(body, "body");
  earlier.integer("method", 1, 2);
  earlier.refuse_field("carrier", "a courier delivery");
  EXPECT_EQ(earlier.result().reason_code, "wrong_type");
}

TEST(BodyReader, UnknownFieldMessageStaysValidUtf8AndHidesResidentIds) {
  nlohmann::json body = {{std::string(63, 'k') + "\xe4\xb8\xad\xe6\x96\x87", 1}};
  BodyReader r(body, "body");
  EXPECT_FALSE(r.finish());
  EXPECT_EQ(r.result().reason_code, "unknown_field");
  EXPECT_TRUE(ledger::is_valid_utf8(r.result().reason)) << r.result().reason;

  nlohmann::json id_named = {{"110101199003077571", 1}};
  BodyReader s(id_named, "body");
  EXPECT_FALSE(s.finish());
  EXPECT_EQ(s.result().reason.find("110101199003077571"), std::string::npos) << s.result().reason;
}

TEST(BodyReader, PatientRefIsAKeyedHashNeverAnIdentityNumber) {
  nlohmann::json body = {{"ok", std::string(64, 'a')}, {"id", "110101199003077571"}, {"short", "abc"}};
  BodyReader r(body, "body");
  EXPECT_TRUE(r.patient_ref("ok").has_value());
  BodyReader id(body, "body");
  id.patient_ref("id");
  EXPECT_EQ(id.result().reason_code, "patient_identifier_in_clear");
  EXPECT_EQ(id.result().reason.find("110101199003077571"), std::string::npos);
  BodyReader bad(body, "body");
  bad.patient_ref("short");
  EXPECT_EQ(bad.result().reason_code, "bad_format");
}

TEST(BodyReader, CodesAndIdsNeverCarryAResidentIdNumber) {
  nlohmann::json body = {{"code", "11010519491231002X"}, {"id", "11010519491231002x"}};
  BodyReader code(body, "body");
  code.token("code", Charset::kCode, 1, 32);
  EXPECT_EQ(code.result().reason_code, "patient_identifier_in_clear");
  BodyReader id(body, "body");
  id.token("id", Charset::kId, 1, 64);
  EXPECT_EQ(id.result().reason_code, "patient_identifier_in_clear");
  EXPECT_EQ(id.result().reason.find("11010519491231002x"), std::string::npos);
}

TEST(ResidentId, CheckCharacterAndBirthDateAreValidated) {
  EXPECT_TRUE(is_resident_id("110101199003077571"));
  EXPECT_FALSE(is_resident_id("110101199003077578"));  // wrong check character
  EXPECT_TRUE(is_resident_id("11010519491231002X"));
  EXPECT_TRUE(contains_resident_id("patient 110101199003077571 seen"));
  // Part of a longer run of digits (a 20-digit dose code) is not one.
  EXPECT_FALSE(contains_resident_id("12110101199003077571"));
}

TEST(Calendar, DaysAtTheChainOffset) {
  const int64_t day = *parse_date("2026-11-24");
  EXPECT_EQ(format_date(day), "2026-11-24");
  EXPECT_EQ(day_of(day_start_ms(day, 480), 480), day);
  EXPECT_EQ(day_of(day_start_ms(day, 480) - 1, 480), day - 1);
  EXPECT_FALSE(parse_date("2026-02-29").has_value());
  EXPECT_TRUE(parse_date("2028-02-29").has_value());
  EXPECT_EQ(parse_utc_offset("+08:00"), 480);
  EXPECT_EQ(parse_utc_offset("-05:30"), -330);
  EXPECT_FALSE(parse_utc_offset("+15:00").has_value());
}

}  // namespace
}  // namespace medtrail::contracts
