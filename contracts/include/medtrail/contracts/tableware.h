#pragma once
// Disinfected tableware batches as citizens and inspectors read them. A batch lives at
// "tw/<batch_code>" (batch codes are global: a citizen scans the code on the package), and its
// public facts at "pub/tw/<batch_code>" (public_view below).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "medtrail/contracts/state_codec.h"
#include "medtrail/ledger/public_facts.h"

namespace medtrail::contracts {

namespace tableware {

// A batch's recall. Outside Batch, which holds it as an optional: clang will not construct a
// nested struct with member initialisers while its enclosing class is incomplete.
struct BatchRecall {
  int64_t at_ms = 0;
  std::string by;
  std::string reason;
  std::string record;

  static constexpr auto fields() {
    return std::tuple{field("at_ms", &BatchRecall::at_ms), field("by", &BatchRecall::by),
                      field("reason", &BatchRecall::reason), field("record", &BatchRecall::record)};
  }
};

// "tw/<batch_code>": a batch, its shipments and inspections. Times are ms since the Unix epoch.
struct Batch {
  // GB 14934-2016 test results, as the unit or an inspector sent them.
  struct Results {
    std::string sensory;                 // pass, fail
    std::string free_residual_chlorine;  // mg/100 cm², 3 decimals: "0.030"
    std::string anionic_detergent;       // not_detected, detected
    std::string coliforms;               // per 50 cm²
    std::string salmonella;              // per 50 cm²

    static constexpr auto fields() {
      return std::tuple{field("sensory", &Results::sensory),
                        field("free_residual_chlorine", &Results::free_residual_chlorine),
                        field("anionic_detergent", &Results::anionic_detergent),
                        field("coliforms", &Results::coliforms),
                        field("salmonella", &Results::salmonella)};
    }
  };

  // Exactly one of to_org (a restaurant) and customer.
  struct Shipment {
    int64_t at_ms = 0;
    std::string by;
    std::string record;
    std::optional<std::string> to_org;
    std::optional<std::string> customer;
    std::optional<int64_t> quantity;

    static constexpr auto fields() {
      return std::tuple{field("at_ms", &Shipment::at_ms),       field("by", &Shipment::by),
                        field("record", &Shipment::record),     field("to_org", &Shipment::to_org),
                        field("customer", &Shipment::customer), field("quantity", &Shipment::quantity)};
    }
  };

  struct Inspection {
    int64_t at_ms = 0;
    std::string by;
    std::string org;
    std::string action;  // none, hold, recall
    std::optional<Results> results;
    std::vector<std::string> failing;  // of `results`, in the standard's order
    std::string record;

    static constexpr auto fields() {
      return std::tuple{field("at_ms", &Inspection::at_ms),     field("by", &Inspection::by),
                        field("org", &Inspection::org),         field("action", &Inspection::action),
                        field("results", &Inspection::results), field("failing", &Inspection::failing),
                        field("record", &Inspection::record)};
    }
  };

  using Recall = BatchRecall;

  std::string batch_code;
  std::string org;  // the disinfection unit
  std::string licence_no;
  std::string line;
  std::string method;
  int64_t disinfected_at_ms = 0;
  int64_t use_by_ms = 0;
  std::optional<int64_t> quantity;  // pieces
  Results results;
  std::vector<std::string> failing;  // GB 14934 items, in the standard's order
  std::string status;                // passed, held, recalled
  int64_t recorded_at_ms = 0;
  std::string recorded_by;
  std::string record;
  int64_t shipped_quantity = 0;
  std::vector<Inspection> inspections;  // at most 100
  std::optional<Recall> recall;
  std::vector<Shipment> shipments;  // at most 1000

  // shipments last: tableware.ship appends one behind the stored ones without decoding them.
  static constexpr auto fields() {
    return std::tuple{field("batch_code", &Batch::batch_code),
                      field("org", &Batch::org),
                      field("licence_no", &Batch::licence_no),
                      field("line", &Batch::line),
                      field("method", &Batch::method),
                      field("disinfected_at_ms", &Batch::disinfected_at_ms),
                      field("use_by_ms", &Batch::use_by_ms),
                      field("quantity", &Batch::quantity),
                      field("results", &Batch::results),
                      field("failing", &Batch::failing),
                      field("status", &Batch::status),
                      field("recorded_at_ms", &Batch::recorded_at_ms),
                      field("recorded_by", &Batch::recorded_by),
                      field("record", &Batch::record),
                      field("shipped_quantity", &Batch::shipped_quantity),
                      field("inspections", &Batch::inspections),
                      field("recall", &Batch::recall),
                      field("shipments", &Batch::shipments)};
  }
};

// What anyone may read and prove of a batch (docs/contracts.md, "Public facts"), written at
// "pub/tw/<batch_code>" with every write of the batch. Not its shipments (customers are private),
// so a shipment leaves it as it was.
ledger::PublicFacts public_view(const Batch& batch);

}  // namespace tableware

std::string tableware_key(std::string_view batch_code);

// What a citizen is told about a batch at `now_ms`, strongest first: "recalled", "held",
// "expired" (use-by passed), "safe" (passed GB 14934 and nothing since). Takes the batch's JSON
// view (state_value_json); a state that lacks its status or use-by reads "unknown", never
// "safe": a damaged record must not reassure.
std::string batch_citizen_status(const nlohmann::json& batch_state, int64_t now_ms);

}  // namespace medtrail::contracts
