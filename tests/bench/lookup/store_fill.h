#pragma once
// Fills an ApiStack's chain through admission, in large batches, without HTTP: 10^6 records in
// minutes rather than the ~10 minutes ingest over HTTP takes here.
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/node/api_stack.h"

namespace medtrail::bench::lookup {

struct FillSpec {
  uint64_t tableware = 0;      // batches by `operator_`
  uint64_t prescriptions = 0;  // rx.issue by `doctor`
  size_t chunk = 2000;         // records per admission request; two are in flight
  std::function<bool()> stop;  // asked between chunks: true ends the fill (throws Stopped)
};

struct Stopped : std::runtime_error {
  Stopped() : std::runtime_error("stopped while filling") {}
};

struct FillResult {
  uint64_t records = 0;  // committed and accepted
  double seconds = 0;
  std::vector<std::string> codes;   // tableware batch codes
  std::vector<std::string> rx_ids;  // prescription ids
};

// Throws if a record is not committed and accepted, Stopped if spec.stop() says so. `progress` gets the records done so far.
FillResult fill_store(node::api::testing::ApiStack& stack, const node::api::testing::Person& operator_,
                      const node::api::testing::Person& doctor, const FillSpec& spec,
                      const std::function<void(uint64_t)>& progress);

}  // namespace medtrail::bench::lookup
