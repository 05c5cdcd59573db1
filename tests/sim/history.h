#pragma once
// The clients' view of a run: each operation's invocation and response, in one total real-time
// order (a logical clock ticked by every invoke and return), for the linearizability checker.
//
// Outcomes: a completed operation has a response; a failed one (refused before it could take
// effect) is left out of the checked history; an append that timed out is indeterminate — it may
// or may not have taken effect, so it stays in the history with no response.

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "medtrail/consensus/types.h"
#include "sim/event_queue.h"

namespace medtrail::sim {

struct Operation {
  static constexpr uint64_t kPending = std::numeric_limits<uint64_t>::max();
  enum class Kind : uint8_t { kAppend, kRead };

  Kind kind = Kind::kAppend;
  int client = 0;
  uint64_t value = 0;             // append: the value appended
  std::vector<uint64_t> observed;  // read: the whole list the read returned
  uint64_t invoked = 0;           // logical time of the invocation
  uint64_t returned = kPending;   // logical time of the response
  bool failed = false;
  // For reports only.
  consensus::NodeId node = consensus::kNoNode;
  Time invoked_at = 0;
  Time returned_at = 0;
};

class History {
 public:
  size_t invoke_append(int client, uint64_t value, consensus::NodeId node, Time now);
  size_t invoke_read(int client, consensus::NodeId node, Time now);
  void complete_append(size_t op, Time now);
  void complete_read(size_t op, std::vector<uint64_t> observed, Time now);
  void fail(size_t op) { ops_[op].failed = true; }

  const Operation& op(size_t op) const { return ops_[op]; }
  const std::vector<Operation>& all() const { return ops_; }
  // What the checker sees: everything except failed operations and reads without a response.
  std::vector<Operation> checkable() const;

  size_t completed_reads() const;
  size_t completed_appends() const;

 private:
  size_t invoke(Operation op);

  uint64_t clock_ = 0;
  std::vector<Operation> ops_;
};

std::string describe(const Operation& op);

}  // namespace medtrail::sim
