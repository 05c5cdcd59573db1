#include "api/record_json.h"

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/envelope.h"

namespace medtrail::node::api {

namespace {

// Error messages from parsers may quote a client's field names; keep them short.
constexpr size_t kMaxMessageBytes = 256;

std::string bounded(const std::string& message) {
  if (message.size() <= kMaxMessageBytes) return message;
  return std::string(ledger::utf8_prefix(message, kMaxMessageBytes)) + "...";
}

bool is_on_chain(RecordState state) {
  return state == RecordState::kCommitted || state == RecordState::kRejected ||
         state == RecordState::kDuplicate;
}

}  // namespace

nlohmann::json execution_result_json(const ledger::ExecutionResult& result) {
  return {{"accepted", result.accepted},
          {"reason_code", result.reason_code},
          {"reason", result.reason}};
}

nlohmann::json record_status_json(const RecordStatus& status) {
  nlohmann::json out = {{"id", status.id}, {"status", record_state_name(status.state)}};
  if (is_on_chain(status.state)) {
    out["height"] = status.height;
    out["leaf_index"] = status.leaf_index;
    out["result"] = execution_result_json(status.result);
  }
  if (status.state == RecordState::kInvalid || status.state == RecordState::kOverloaded) {
    out["code"] = status.code;
    out["message"] = bounded(status.message);
  }
  return out;
}

nlohmann::json leaf_json(const std::string& id, uint64_t leaf_index,
                         const ledger::LeafRecord& leaf) {
  // The wire form is the one encoder of envelopes; parsing our own output back is exact.
  nlohmann::json envelope = nlohmann::json::parse(ledger::envelope_to_wire(leaf.envelope), nullptr,
                                                  /*allow_exceptions=*/false);
  return {{"id", id},
          {"leaf_index", leaf_index},
          {"height", leaf.height},
          {"timestamp_ms", leaf.timestamp_ms},
          {"envelope", std::move(envelope)},
          {"signer_public_key", ledger::to_hex(leaf.signer_public_key)},
          {"result", execution_result_json(leaf.result)}};
}

}  // namespace medtrail::node::api
