// tableware.batch / ship / inspect / recall and the status citizens see when they scan a batch.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "contracts/contract_fixture.h"
#include "contracts/sample_bodies.h"
#include "medtrail/contracts/calendar.h"
#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/tableware.h"
#include "medtrail/ledger/rfc3339.h"

namespace medtrail::contracts {
namespace {

using nlohmann::json;
using testing::ContractFixture;
using testing::Person;

const std::string kBatch = "TW-20261123-01";

json batch_body(const std::string& code = kBatch) { return testing::tableware_batch_body(code); }

json ship_to(const std::string& org, int quantity = 100) {
  return {{"batch_code", kBatch}, {"to_org", org}, {"quantity", quantity}};
}

json inspect_body(const std::string& action) {
  return {{"batch_code", kBatch}, {"results", testing::passing_tableware_results()}, {"action", action}};
}

json recall_body() { return {{"batch_code", kBatch}, {"reason", "coliforms found at a restaurant"}}; }

int64_t ms(const std::string& rfc3339) { return ledger::rfc3339_to_unix_ms(rfc3339).value(); }

// A body change and the reason code it must draw.
struct BodyCase {
  std::string label;
  std::function<void(json&)> mutate;
  std::string code;
};

class TablewareTest : public ::testing::Test {
 protected:
  TablewareTest()
      : op(f.person("disinf-a", "op-chen", "operator")),
        inspector(f.person("reg-a", "insp-zhou", "inspector")) {}

  json batch() const { return f.state_json(tableware_key(kBatch)).value(); }
  std::string stored_batch() const { return f.state.get(tableware_key(kBatch)).value(); }
  // tableware.ship writes the batch without decoding its shipments: the bytes must still be
  // the batch's one encoding.
  void expect_one_encoding() const {
    const std::string stored = stored_batch();
    std::optional<tableware::Batch> decoded = decode_value<tableware::Batch>(stored);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(encode_value(*decoded), stored);
  }
  void record_batch(json body = batch_body()) { ASSERT_TRUE(f.run(op, "tableware.batch", body).accepted); }
  // Runs each case on a copy of `body` and checks its code; nothing is written by any of them.
  void expect_codes(const Person& who, const std::string& kind, const json& body,
                    const std::vector<BodyCase>& cases) {
    for (const BodyCase& c : cases) {
      SCOPED_TRACE(c.label);
      json b = body;
      c.mutate(b);
      EXPECT_EQ(f.run(who, kind, b).reason_code, c.code);
    }
  }
  // A second disinfection unit, added as governance would add it.
  Person other_unit_operator() {
    f.put_state_json(org_key("disinf-b"), json{{"name", "disinf-b name"}, {"types", {"disinfector"}}});
    return f.person("disinf-b", "op-sun", "operator");
  }

  ContractFixture f;
  Person op;
  Person inspector;
};

// --- tableware.batch ---------------------------------------------------------------------

TEST_F(TablewareTest, BatchPassingGb14934IsRecordedPassed) {
  record_batch();
  const json b = batch();
  EXPECT_EQ(b["status"], "passed");
  EXPECT_EQ(b["failing"], json::array());
  EXPECT_EQ(b["org"], "disinf-a");
  EXPECT_EQ(b["quantity"], 500);
  EXPECT_EQ(b["use_by_ms"], ms("2026-11-25T06:00:00+08:00"));
  EXPECT_EQ(b["results"]["free_residual_chlorine"], "0.010");
  EXPECT_EQ(b["shipments"], json::array());
  EXPECT_EQ(f.index_of("tw/" + kBatch).size(), 1u);
  EXPECT_EQ(f.index_of("org/disinf-a").size(), 1u);
}

TEST_F(TablewareTest, BatchFailingAnyGb14934ItemIsRecordedHeldWithTheItems) {
  struct Case {
    std::string field, value;
    json failing;
  };
  const std::vector<Case> cases = {
      {"sensory", "fail", json::array({"sensory"})},
      {"free_residual_chlorine", "0.031", json::array({"free_residual_chlorine"})},
      {"free_residual_chlorine", "0.030", json::array()},  // the limit itself passes
      {"anionic_detergent", "detected", json::array({"anionic_detergent"})},
      {"coliforms", "detected", json::array({"coliforms"})},
      {"salmonella", "detected", json::array({"salmonella"})},
  };
  int n = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field + "=" + c.value);
    const std::string code = "TW-" + std::to_string(++n);
    json body = batch_body(code);
    body["results"][c.field] = c.value;
    ASSERT_TRUE(f.run(op, "tableware.batch", body).accepted);
    const json b = f.state_json(tableware_key(code)).value();
    EXPECT_EQ(b["failing"], c.failing);
    EXPECT_EQ(b["status"], c.failing.empty() ? "passed" : "held");
  }
}

TEST_F(TablewareTest, EveryFailingItemIsListedInTheStandardsOrder) {
  json body = batch_body();
  body["results"] = {{"sensory", "fail"},
                     {"free_residual_chlorine", "2.5"},
                     {"anionic_detergent", "detected"},
                     {"coliforms", "detected"},
                     {"salmonella", "detected"}};
  record_batch(body);
  EXPECT_EQ(batch()["failing"],
            json::array({"sensory", "free_residual_chlorine", "anionic_detergent", "coliforms", "salmonella"}));
  EXPECT_EQ(batch()["results"]["free_residual_chlorine"], "2.500");
}

TEST_F(TablewareTest, UseByMustBeAfterDisinfection) {
  json body = batch_body();
  body["use_by"] = body["disinfected_at"];
  EXPECT_EQ(f.run(op, "tableware.batch", body).reason_code, "bad_use_by");
  body["use_by"] = "2026-11-22T06:00:00+08:00";
  EXPECT_EQ(f.run(op, "tableware.batch", body).reason_code, "bad_use_by");
  EXPECT_FALSE(f.state_json(tableware_key(kBatch)));
}

TEST_F(TablewareTest, DisinfectionMayNotBeAfterTheBlockTime) {
  json body = batch_body();
  body["disinfected_at"] = "2026-11-23T10:00:01+08:00";
  EXPECT_EQ(f.run(op, "tableware.batch", body).reason_code, "disinfected_in_future");
  body["disinfected_at"] = "2026-11-23T02:00:00Z";  // the block time itself
  EXPECT_TRUE(f.run(op, "tableware.batch", body).accepted);
}

TEST_F(TablewareTest, BatchCodeIsRecordedOnceEvenWithinABlock) {
  auto results = f.run_block({f.sign(op, "tableware.batch", batch_body()),
                              f.sign(op, "tableware.batch", batch_body())});
  EXPECT_TRUE(results[0].accepted);
  EXPECT_EQ(results[1].reason_code, "batch_exists");
  // Batch codes are global: another unit cannot reuse one either.
  EXPECT_EQ(f.run(other_unit_operator(), "tableware.batch", batch_body()).reason_code, "batch_exists");
}

TEST_F(TablewareTest, OnlyADisinfectionUnitsOperatorRecordsABatch) {
  EXPECT_EQ(f.run(inspector, "tableware.batch", batch_body()).reason_code, "role_not_permitted");
  EXPECT_EQ(f.run(f.person("rest-a", "op-wu", "operator"), "tableware.batch", batch_body()).reason_code,
            "org_not_permitted");
}

TEST_F(TablewareTest, BatchBodyIsCheckedStrictly) {
  expect_codes(op, "tableware.batch", batch_body(),
               {
                   {"no batch_code", [](json& b) { b.erase("batch_code"); }, "missing_field"},
                   {"no results", [](json& b) { b.erase("results"); }, "missing_field"},
                   {"no salmonella", [](json& b) { b["results"].erase("salmonella"); }, "missing_field"},
                   {"quantity as text", [](json& b) { b["quantity"] = "500"; }, "wrong_type"},
                   {"results as text", [](json& b) { b["results"] = "pass"; }, "wrong_type"},
                   {"chlorine as float", [](json& b) { b["results"]["free_residual_chlorine"] = 0.01; },
                    "wrong_type"},
                   {"extra field", [](json& b) { b["grade"] = "A"; }, "unknown_field"},
                   {"extra result", [](json& b) { b["results"]["lead"] = "ok"; }, "unknown_field"},
                   {"quantity 0", [](json& b) { b["quantity"] = 0; }, "out_of_range"},
                   {"quantity too big", [](json& b) { b["quantity"] = 10'000'001; }, "out_of_range"},
                   {"chlorine too big", [](json& b) { b["results"]["free_residual_chlorine"] = "1000.001"; },
                    "out_of_range"},
                   {"chlorine negative", [](json& b) { b["results"]["free_residual_chlorine"] = "-0.001"; },
                    "out_of_range"},
                   {"batch_code too long", [](json& b) { b["batch_code"] = std::string(33, 'T'); },
                    "out_of_range"},
                   {"licence_no too long", [](json& b) { b["licence_no"] = std::string(65, 'L'); },
                    "out_of_range"},
                   {"chlorine 4 digits", [](json& b) { b["results"]["free_residual_chlorine"] = "0.0301"; },
                    "bad_format"},
                   {"batch_code slash", [](json& b) { b["batch_code"] = "TW/1"; }, "bad_format"},
                   {"line space", [](json& b) { b["line"] = "L 2"; }, "bad_format"},
                   {"method", [](json& b) { b["method"] = "uv"; }, "bad_format"},
                   {"sensory", [](json& b) { b["results"]["sensory"] = "ok"; }, "bad_format"},
                   {"date only", [](json& b) { b["disinfected_at"] = "2026-11-23"; }, "bad_format"},
                   {"resident id", [](json& b) { b["licence_no"] = "110101199003077571"; },
                    "patient_identifier_in_clear"},
               });
  EXPECT_FALSE(f.state_json(tableware_key(kBatch)));
}

TEST_F(TablewareTest, QuantityIsOptional) {
  json body = batch_body();
  body.erase("quantity");
  record_batch(body);
  EXPECT_TRUE(batch()["quantity"].is_null());
}

// --- tableware.ship ----------------------------------------------------------------------

TEST_F(TablewareTest, ShipmentToARestaurantIsAppendedToTheBatch) {
  record_batch();
  ASSERT_TRUE(f.run(op, "tableware.ship", ship_to("rest-a", 120)).accepted);
  const json b = batch();
  ASSERT_EQ(b["shipments"].size(), 1u);
  EXPECT_EQ(b["shipments"][0]["to_org"], "rest-a");
  EXPECT_EQ(b["shipments"][0]["quantity"], 120);
  EXPECT_EQ(b["shipments"][0]["by"], "disinf-a/op-chen");
  EXPECT_EQ(b["shipped_quantity"], 120);
  EXPECT_EQ(f.index_of("org/rest-a"), std::vector<uint64_t>{f.last_leaf()});
  EXPECT_EQ(f.index_of("tw/" + kBatch).size(), 2u);
}

TEST_F(TablewareTest, ShipmentToANamedCustomer) {
  record_batch();
  ASSERT_TRUE(f.run(op, "tableware.ship", {{"batch_code", kBatch}, {"customer", "Canteen No. 3"}}).accepted);
  const json s = batch()["shipments"][0];
  EXPECT_EQ(s["customer"], "Canteen No. 3");
  EXPECT_TRUE(s["to_org"].is_null());
  EXPECT_TRUE(s["quantity"].is_null());
}

TEST_F(TablewareTest, ShipmentsAppendedKeepTheBatchsOneEncoding) {
  record_batch();
  ASSERT_TRUE(f.run(inspector, "tableware.inspect", inspect_body("none")).accepted);
  ASSERT_TRUE(f.run(op, "tableware.ship", ship_to("rest-a", 120)).accepted);
  ASSERT_TRUE(f.run(op, "tableware.ship", {{"batch_code", kBatch}, {"customer", "Canteen No. 3"}}).accepted);
  expect_one_encoding();
  const json b = batch();
  ASSERT_EQ(b["shipments"].size(), 2u);
  EXPECT_EQ(b["shipments"][0]["to_org"], "rest-a");
  EXPECT_EQ(b["shipments"][1]["customer"], "Canteen No. 3");
  EXPECT_EQ(b["shipped_quantity"], 120);
  EXPECT_EQ(b["inspections"].size(), 1u);
  EXPECT_EQ(b["status"], "passed");
}

TEST_F(TablewareTest, StoredBatchThatDoesNotDecodeIsCorruptState) {
  record_batch();
  ASSERT_TRUE(f.run(op, "tableware.ship", ship_to("rest-a")).accepted);
  // Damaged inside its last shipment: tableware.ship does not keep the stored shipments but
  // still refuses to write behind bytes that do not decode.
  std::string cut = stored_batch();
  cut.pop_back();
  f.state.apply({{tableware_key(kBatch), cut}});
  EXPECT_EQ(f.run(op, "tableware.ship", ship_to("rest-a")).reason_code, "corrupt_state");
  f.state.apply({{tableware_key(kBatch), std::string("garbage")}});
  EXPECT_EQ(f.run(op, "tableware.ship", ship_to("rest-a")).reason_code, "corrupt_state");
  EXPECT_EQ(f.run(inspector, "tableware.inspect", inspect_body("none")).reason_code, "corrupt_state");
  EXPECT_EQ(f.run(op, "tableware.recall", recall_body()).reason_code, "corrupt_state");
  EXPECT_EQ(f.run(op, "tableware.batch", batch_body()).reason_code, "batch_exists");
  EXPECT_EQ(*f.state.get(tableware_key(kBatch)), "garbage");
}

TEST_F(TablewareTest, ShipmentNamesExactlyOneRecipient) {
  record_batch();
  json both = ship_to("rest-a");
  both["customer"] = "Canteen No. 3";
  EXPECT_EQ(f.run(op, "tableware.ship", both).reason_code, "bad_recipient");
  EXPECT_EQ(f.run(op, "tableware.ship", {{"batch_code", kBatch}}).reason_code, "bad_recipient");
}

TEST_F(TablewareTest, RecipientOrganisationMustBeAKnownRestaurant) {
  record_batch();
  EXPECT_EQ(f.run(op, "tableware.ship", ship_to("rest-z")).reason_code, "unknown_org");
  EXPECT_EQ(f.run(op, "tableware.ship", ship_to("hosp-a")).reason_code, "not_a_restaurant");
  f.put_state_json(org_key("rest-a"), json{{"removed", true}});
  EXPECT_EQ(f.run(op, "tableware.ship", ship_to("rest-a")).reason_code, "unknown_org");
  EXPECT_EQ(batch()["shipments"], json::array());
}

TEST_F(TablewareTest, OnlyTheOwningUnitShipsItsBatch) {
  record_batch();
  EXPECT_EQ(f.run(other_unit_operator(), "tableware.ship", ship_to("rest-a")).reason_code,
            "not_batch_owner");
  EXPECT_EQ(f.run(op, "tableware.ship", {{"batch_code", "TW-NONE"}, {"to_org", "rest-a"}}).reason_code,
            "unknown_batch");
  EXPECT_EQ(f.run(inspector, "tableware.ship", ship_to("rest-a")).reason_code, "role_not_permitted");
}

TEST_F(TablewareTest, HeldBatchNeverShips) {
  json body = batch_body();
  body["results"]["coliforms"] = "detected";
  record_batch(body);
  const json before = batch();
  EXPECT_EQ(f.run(op, "tableware.ship", ship_to("rest-a")).reason_code, "batch_held");
  EXPECT_EQ(batch(), before);
  // The refused shipment still belongs to the batch's trail.
  EXPECT_EQ(f.index_of("tw/" + kBatch).size(), 2u);
}

TEST_F(TablewareTest, RecalledBatchDoesNotShip) {
  record_batch();
  ASSERT_TRUE(f.run(op, "tableware.recall", recall_body()).accepted);
  EXPECT_EQ(f.run(op, "tableware.ship", ship_to("rest-a")).reason_code, "batch_recalled");
}

TEST_F(TablewareTest, ExpiredBatchDoesNotShip) {
  record_batch();
  f.set_time("2026-11-25T06:00:00+08:00");  // the use-by instant itself is still in time
  EXPECT_TRUE(f.run(op, "tableware.ship", ship_to("rest-a")).accepted);
  f.set_time("2026-11-25T06:00:00.001+08:00");
  EXPECT_EQ(f.run(op, "tableware.ship", ship_to("rest-a")).reason_code, "batch_expired");
}

TEST_F(TablewareTest, ShipmentsMayNotExceedTheBatchQuantity) {
  record_batch();  // 500 pieces
  ASSERT_TRUE(f.run(op, "tableware.ship", ship_to("rest-a", 300)).accepted);
  EXPECT_EQ(f.run(op, "tableware.ship", ship_to("rest-a", 201)).reason_code, "quantity_exceeds_batch");
  EXPECT_TRUE(f.run(op, "tableware.ship", ship_to("rest-a", 200)).accepted);
  EXPECT_EQ(batch()["shipped_quantity"], 500);
}

TEST_F(TablewareTest, ShipmentsPerBatchAreBounded) {
  json body = batch_body();
  body.erase("quantity");
  record_batch(body);
  const json customer = {{"batch_code", kBatch}, {"customer", "Canteen"}};
  std::vector<ledger::Envelope> records;
  for (int i = 0; i < 1001; ++i) records.push_back(f.sign(op, "tableware.ship", customer));
  auto results = f.run_block(records);
  EXPECT_TRUE(results[999].accepted);
  EXPECT_EQ(results[1000].reason_code, "too_many_shipments");
  EXPECT_EQ(batch()["shipments"].size(), 1000u);
  expect_one_encoding();  // the shipment count's varint grew from one byte to two on the way
}

TEST_F(TablewareTest, InspectionsPerBatchAreBounded) {
  record_batch();
  std::vector<ledger::Envelope> records;
  for (int i = 0; i < 101; ++i) records.push_back(f.sign(inspector, "tableware.inspect", inspect_body("none")));
  auto results = f.run_block(records);
  EXPECT_TRUE(results[99].accepted);
  EXPECT_EQ(results[100].reason_code, "too_many_inspections");
  EXPECT_EQ(batch()["inspections"].size(), 100u);
}

TEST_F(TablewareTest, ShipBodyIsCheckedStrictly) {
  record_batch();
  expect_codes(op, "tableware.ship", ship_to("rest-a"),
               {
                   {"no batch_code", [](json& b) { b.erase("batch_code"); }, "missing_field"},
                   {"to_org number", [](json& b) { b["to_org"] = 5; }, "wrong_type"},
                   {"quantity text", [](json& b) { b["quantity"] = "5"; }, "wrong_type"},
                   {"extra field", [](json& b) { b["price"] = 3; }, "unknown_field"},
                   {"quantity 0", [](json& b) { b["quantity"] = 0; }, "out_of_range"},
                   {"to_org upper", [](json& b) { b["to_org"] = "Rest-A"; }, "bad_format"},
                   {"customer too long",
                    [](json& b) {
                      b.erase("to_org");
                      b["customer"] = std::string(129, 'c');
                    },
                    "out_of_range"},
               });
  EXPECT_EQ(batch()["shipments"], json::array());
}

// --- tableware.inspect -------------------------------------------------------------------

TEST_F(TablewareTest, PassingInspectionIsRecordedWithoutChangingTheStatus) {
  record_batch();
  ASSERT_TRUE(f.run(inspector, "tableware.inspect", inspect_body("none")).accepted);
  const json b = batch();
  EXPECT_EQ(b["status"], "passed");
  ASSERT_EQ(b["inspections"].size(), 1u);
  EXPECT_EQ(b["inspections"][0]["by"], "reg-a/insp-zhou");
  EXPECT_EQ(b["inspections"][0]["action"], "none");
  EXPECT_EQ(b["inspections"][0]["results"]["sensory"], "pass");
  EXPECT_EQ(f.index_of("tw/" + kBatch).size(), 2u);
}

TEST_F(TablewareTest, FailingInspectionHoldsTheBatchEvenWithoutAction) {
  record_batch();
  json body = inspect_body("none");
  body["results"]["free_residual_chlorine"] = "0.045";
  ASSERT_TRUE(f.run(inspector, "tableware.inspect", body).accepted);
  EXPECT_EQ(batch()["status"], "held");
  EXPECT_EQ(batch()["inspections"][0]["failing"], json::array({"free_residual_chlorine"}));
  EXPECT_EQ(f.run(op, "tableware.ship", ship_to("rest-a")).reason_code, "batch_held");
}

TEST_F(TablewareTest, InspectorHoldsOrRecalls) {
  record_batch();
  json no_results = {{"batch_code", kBatch}, {"action", "hold"}, {"note", "packaging torn"}};
  ASSERT_TRUE(f.run(inspector, "tableware.inspect", no_results).accepted);
  EXPECT_EQ(batch()["status"], "held");
  EXPECT_TRUE(batch()["inspections"][0]["results"].is_null());
  ASSERT_TRUE(f.run(f.person("insp-a", "insp-he", "inspector"), "tableware.inspect",
                    inspect_body("recall"))
                  .accepted);
  EXPECT_EQ(batch()["status"], "recalled");
}

TEST_F(TablewareTest, RecalledBatchCannotBeHeldOrRecalledAgainButMayBeInspected) {
  record_batch();
  ASSERT_TRUE(f.run(inspector, "tableware.inspect", inspect_body("recall")).accepted);
  EXPECT_EQ(f.run(inspector, "tableware.inspect", inspect_body("hold")).reason_code, "batch_recalled");
  EXPECT_EQ(f.run(inspector, "tableware.inspect", inspect_body("recall")).reason_code, "already_recalled");
  json failing = inspect_body("none");
  failing["results"]["salmonella"] = "detected";
  ASSERT_TRUE(f.run(inspector, "tableware.inspect", failing).accepted);
  EXPECT_EQ(batch()["status"], "recalled");
  EXPECT_EQ(batch()["inspections"].size(), 2u);
}

TEST_F(TablewareTest, InspectionNeedsAKnownBatchAndAnAuthoritysInspector) {
  EXPECT_EQ(f.run(inspector, "tableware.inspect", inspect_body("none")).reason_code, "unknown_batch");
  record_batch();
  EXPECT_TRUE(f.run(f.person("cdc-a", "insp-gao", "inspector"), "tableware.inspect", inspect_body("none"))
                  .accepted);
  EXPECT_EQ(f.run(op, "tableware.inspect", inspect_body("none")).reason_code, "role_not_permitted");
  EXPECT_EQ(f.run(f.person("rest-a", "insp-x", "inspector"), "tableware.inspect", inspect_body("none"))
                .reason_code,
            "org_not_permitted");
}

TEST_F(TablewareTest, InspectBodyIsCheckedStrictly) {
  record_batch();
  expect_codes(inspector, "tableware.inspect", inspect_body("hold"),
               {
                   {"no action", [](json& b) { b.erase("action"); }, "missing_field"},
                   {"no coliforms", [](json& b) { b["results"].erase("coliforms"); }, "missing_field"},
                   {"note number", [](json& b) { b["note"] = 7; }, "wrong_type"},
                   {"extra field", [](json& b) { b["fine"] = 1000; }, "unknown_field"},
                   {"extra result", [](json& b) { b["results"]["lead"] = "ok"; }, "unknown_field"},
                   {"note too long", [](json& b) { b["note"] = std::string(513, 'n'); }, "out_of_range"},
                   {"action", [](json& b) { b["action"] = "destroy"; }, "bad_format"},
               });
  EXPECT_EQ(batch()["status"], "passed");
}

// --- tableware.recall --------------------------------------------------------------------

TEST_F(TablewareTest, OwnerRecallsItsBatch) {
  record_batch();
  ASSERT_TRUE(f.run(op, "tableware.recall", recall_body()).accepted);
  const json b = batch();
  EXPECT_EQ(b["status"], "recalled");
  EXPECT_EQ(b["recall"]["by"], "disinf-a/op-chen");
  EXPECT_EQ(b["recall"]["reason"], "coliforms found at a restaurant");
  EXPECT_EQ(f.run(op, "tableware.recall", recall_body()).reason_code, "already_recalled");
}

TEST_F(TablewareTest, MarketRegulatorsMayRecallButNotDiseaseControlOrOtherUnits) {
  record_batch();
  EXPECT_EQ(f.run(f.person("cdc-a", "insp-gao", "inspector"), "tableware.recall", recall_body()).reason_code,
            "not_permitted_to_recall");
  EXPECT_EQ(f.run(other_unit_operator(), "tableware.recall", recall_body()).reason_code,
            "not_permitted_to_recall");
  EXPECT_EQ(f.run(f.person("hosp-a", "dr-li", "doctor"), "tableware.recall", recall_body()).reason_code,
            "role_not_permitted");
  EXPECT_EQ(batch()["status"], "passed");
  EXPECT_TRUE(f.run(f.person("insp-a", "insp-he", "inspector"), "tableware.recall", recall_body()).accepted);
  EXPECT_EQ(batch()["status"], "recalled");
}

TEST_F(TablewareTest, RegulatorRecallsAHeldBatch) {
  json body = batch_body();
  body["results"]["sensory"] = "fail";
  record_batch(body);
  EXPECT_TRUE(f.run(inspector, "tableware.recall", recall_body()).accepted);
  EXPECT_EQ(batch()["status"], "recalled");
}

TEST_F(TablewareTest, RecallOfAnUnknownBatchIsRefused) {
  EXPECT_EQ(f.run(op, "tableware.recall", recall_body()).reason_code, "unknown_batch");
  EXPECT_EQ(f.index_of("tw/" + kBatch).size(), 1u);
}

TEST_F(TablewareTest, RecallReachesTheTrailOfEveryRestaurantSupplied) {
  record_batch();
  ASSERT_TRUE(f.run(op, "tableware.ship", ship_to("rest-a")).accepted);
  ASSERT_TRUE(f.run(op, "tableware.ship", ship_to("rest-a")).accepted);
  ASSERT_TRUE(f.run(inspector, "tableware.recall", recall_body()).accepted);
  const std::vector<uint64_t> trail = f.index_of("org/rest-a");
  ASSERT_EQ(trail.size(), 3u);
  EXPECT_EQ(trail.back(), f.last_leaf());
}

TEST_F(TablewareTest, RecallBodyIsCheckedStrictly) {
  record_batch();
  expect_codes(op, "tableware.recall", recall_body(),
               {
                   {"no reason", [](json& b) { b.erase("reason"); }, "missing_field"},
                   {"reason number", [](json& b) { b["reason"] = 1; }, "wrong_type"},
                   {"extra field", [](json& b) { b["urgent"] = true; }, "unknown_field"},
                   {"reason too long", [](json& b) { b["reason"] = std::string(257, 'r'); }, "out_of_range"},
                   {"empty reason", [](json& b) { b["reason"] = ""; }, "out_of_range"},
                   {"code format", [](json& b) { b["batch_code"] = "TW 1"; }, "bad_format"},
               });
  EXPECT_EQ(batch()["status"], "passed");
}

// --- batch_citizen_status ----------------------------------------------------------------

TEST(TablewareCitizenStatus, StrongestFactWins) {
  const int64_t use_by = 1'000'000;
  struct Case {
    json state;
    int64_t now;
    std::string status;
  };
  const std::vector<Case> cases = {
      {{{"status", "passed"}, {"use_by_ms", use_by}}, use_by, "safe"},
      {{{"status", "passed"}, {"use_by_ms", use_by}}, use_by + 1, "expired"},
      {{{"status", "held"}, {"use_by_ms", use_by}}, 0, "held"},
      {{{"status", "held"}, {"use_by_ms", use_by}}, use_by + 1, "held"},
      {{{"status", "recalled"}, {"use_by_ms", use_by}}, use_by + 1, "recalled"},
      {{{"status", "passed"}}, 0, "unknown"},
      {{{"status", "fine"}, {"use_by_ms", use_by}}, 0, "unknown"},
      {json::array(), 0, "unknown"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.state.dump());
    EXPECT_EQ(batch_citizen_status(c.state, c.now), c.status);
  }
}

// --- life cycle --------------------------------------------------------------------------

TEST_F(TablewareTest, LifeCycleFromDisinfectionToRecall) {
  record_batch();
  EXPECT_EQ(batch_citizen_status(batch(), f.now_ms()), "safe");
  ASSERT_TRUE(f.run(op, "tableware.ship", ship_to("rest-a", 200)).accepted);
  ASSERT_TRUE(f.run(inspector, "tableware.inspect", inspect_body("none")).accepted);
  f.advance_ms(6 * kMsPerHour);
  ASSERT_TRUE(f.run(op, "tableware.ship", {{"batch_code", kBatch}, {"customer", "Canteen"}}).accepted);
  EXPECT_EQ(batch_citizen_status(batch(), f.now_ms()), "safe");

  json failing = inspect_body("none");
  failing["results"]["coliforms"] = "detected";
  ASSERT_TRUE(f.run(f.person("cdc-a", "insp-gao", "inspector"), "tableware.inspect", failing).accepted);
  EXPECT_EQ(batch_citizen_status(batch(), f.now_ms()), "held");
  EXPECT_EQ(f.run(op, "tableware.ship", ship_to("rest-a")).reason_code, "batch_held");

  ASSERT_TRUE(f.run(inspector, "tableware.recall", recall_body()).accepted);
  EXPECT_EQ(batch_citizen_status(batch(), f.now_ms()), "recalled");
  EXPECT_EQ(f.run(op, "tableware.recall", recall_body()).reason_code, "already_recalled");

  const json b = batch();
  EXPECT_EQ(b["shipments"].size(), 2u);
  EXPECT_EQ(b["shipped_quantity"], 200);
  EXPECT_EQ(b["inspections"].size(), 2u);
  // Every record, accepted or refused, is on the batch's trail.
  EXPECT_EQ(f.index_of("tw/" + kBatch).size(), 8u);
  EXPECT_EQ(f.index_of("org/rest-a").size(), 3u);  // ship, refused ship, recall
}

}  // namespace
}  // namespace medtrail::contracts
