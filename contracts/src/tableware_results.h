#pragma once
// The GB 14934-2016 test results of a tableware batch: read from a body, judged against the
// standard's limits, and kept in the batch state (tableware::Batch::Results).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/contracts/body_reader.h"
#include "medtrail/contracts/tableware.h"

namespace medtrail::contracts {

struct TablewareResults {
  std::string sensory;                   // pass, fail
  int64_t free_residual_chlorine_milli;  // mg/100 cm², scaled by 1000
  std::string anionic_detergent;         // not_detected, detected
  std::string coliforms;                 // per 50 cm²
  std::string salmonella;                // per 50 cm²
};

// GB 14934-2016 §3.2: free residual chlorine ≤ 0.03 mg/100 cm².
inline constexpr int64_t kChlorineLimitMilli = 30;

// Reads the object `name` of `body` (and refuses its unknown fields).
std::optional<TablewareResults> read_results(BodyReader& body, std::string_view name,
                                             Presence presence);
// The items that fail GB 14934, in the standard's order; empty when the batch passes.
std::vector<std::string> failing_items(const TablewareResults& results);
// As stored: the chlorine as a 3-decimal string (30 -> "0.030").
tableware::Batch::Results stored_results(const TablewareResults& results);

}  // namespace medtrail::contracts
