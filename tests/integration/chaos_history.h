#pragma once
// What the chaos run's clients did and saw, and the check of it against the chain they leave.
//
// The chain gives every record a place (its leaf index), so linearizability is checked against
// that witness order rather than searched for: a history is linearizable if the chain's order
//   1. holds each record at most once (a resubmitted record is never doubled),
//   2. holds every record a client was told about, with the verdict it was told,
//   3. respects real time: a record answered before another was sent comes first, and
//   4. replays under the sequential model of a prescription: a dispense is accepted exactly
//      when the prescription was issued and approved before it and the dispensed total stays
//      within the prescribed quantity; refused otherwise, with the reason the model gives.
// Records whose answer never came (a timeout, a node killed under the request) may be on the
// chain or not — but at most once, and if there, they take part in 3 and 4 like any other.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace medtrail::integration::chaos {

using Clock = std::chrono::steady_clock;

enum class Outcome { kAccepted, kRejected, kUnknown };

struct Op {
  std::string kind;       // "rx.issue", "rx.review", "rx.dispense"
  std::string record_id;  // the envelope's id; a retry sends the same record again
  std::string rx_id;      // the prescription (its own record id for rx.issue)
  int64_t quantity = 0;   // prescribed (rx.issue) or dispensed (rx.dispense)
  Clock::time_point invoked;
  Clock::time_point completed;
  Outcome outcome = Outcome::kUnknown;
  std::string reason_code;  // when rejected
};

// A leaf of the final chain, in chain order.
struct ChainRecord {
  uint64_t leaf = 0;
  std::string record_id;
  bool accepted = false;
  std::string reason_code;
};

struct CheckReport {
  std::vector<std::string> problems;  // empty: the history holds
  uint64_t ops = 0;
  uint64_t acknowledged = 0;
  uint64_t unknown = 0;
  uint64_t unknown_on_chain = 0;
  uint64_t accepted_dispenses = 0;
  uint64_t refused_dispenses = 0;
  bool ok() const { return problems.empty(); }
};

CheckReport check_history(const std::vector<Op>& ops, const std::vector<ChainRecord>& chain);

}  // namespace medtrail::integration::chaos
