#include "core/record_status.h"

namespace medtrail::node {

RecordStatus RecordStatus::invalid(std::string id, std::string code, std::string message) {
  RecordStatus s;
  s.id = std::move(id);
  s.state = RecordState::kInvalid;
  s.code = std::move(code);
  s.message = std::move(message);
  return s;
}

RecordStatus RecordStatus::from_outcome(std::string id, const RecordOutcome& outcome) {
  switch (outcome.kind) {
    case RecordOutcome::Kind::kForged:
      return invalid(std::move(id), outcome.result.reason_code, outcome.result.reason);
    case RecordOutcome::Kind::kDuplicate:
    case RecordOutcome::Kind::kIncluded: {
      RecordStatus s;
      s.id = std::move(id);
      s.height = outcome.height;
      s.leaf_index = outcome.leaf_index;
      s.result = outcome.result;
      if (outcome.kind == RecordOutcome::Kind::kDuplicate) {
        s.state = RecordState::kDuplicate;
      } else {
        s.state = outcome.result.accepted ? RecordState::kCommitted : RecordState::kRejected;
      }
      return s;
    }
  }
  return invalid(std::move(id), "internal", "unknown outcome");
}

const char* record_state_name(RecordState state) {
  switch (state) {
    case RecordState::kPending: return "pending";
    case RecordState::kCommitted: return "committed";
    case RecordState::kRejected: return "rejected";
    case RecordState::kDuplicate: return "duplicate";
    case RecordState::kInvalid: return "invalid";
    case RecordState::kOverloaded: return "overloaded";
  }
  return "unknown";
}

}  // namespace medtrail::node
