#pragma once
// Linearizability checker for histories over an append-only log (Wing & Gong's search with
// Lowe's memoisation, as in Porcupine's checkSingle). The sequential model: append(v) → ok,
// adding v at the end; read() → the whole list (compared by length and digest).
//
// The search walks the history in real-time order, tentatively linearizing any operation that
// has been invoked but whose response no earlier-linearized operation has passed, and
// backtracks when it meets the response of an operation it has not linearized yet. Visited
// (set of linearized operations, model state) pairs are cached, which keeps the search
// polynomial for the small concurrency of the simulator's clients.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/history.h"

namespace medtrail::sim {

struct LinearizabilityResult {
  enum class Outcome : uint8_t { kLinearizable, kNotLinearizable, kUnknown };
  Outcome outcome = Outcome::kLinearizable;
  size_t operations = 0;  // operations searched (after dropping ones that cannot matter)
  uint64_t states = 0;    // search states explored
  std::string explanation;

  bool linearizable() const { return outcome == Outcome::kLinearizable; }
};

struct CheckLimits {
  uint64_t max_states = 5'000'000;  // beyond this the answer is kUnknown
};

LinearizabilityResult check_append_log(const std::vector<Operation>& history,
                                       const CheckLimits& limits = {});

}  // namespace medtrail::sim
