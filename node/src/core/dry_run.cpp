#include "core/dry_run.h"

#include <algorithm>

#include "core/store_state_view.h"
#include "medtrail/contracts/block_executor.h"
#include "medtrail/contracts/registry.h"
#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/rfc3339.h"

namespace medtrail::node {

ledger::ExecutionResult dry_run(const ledger::ChainStore& store, const contracts::ChainParams& chain,
                                const std::string& kind, const std::string& signer,
                                const nlohmann::json& body, int64_t now_ms) {
  const std::string org = signer.substr(0, signer.find('/'));
  const nlohmann::json payload = {{"v", ledger::kPayloadVersion},
                                  {"kind", kind},
                                  {"org", org},
                                  {"actor", signer},
                                  {"ts", ledger::unix_ms_to_rfc3339(now_ms)},
                                  {"nonce", "dry-run"},
                                  {"body", body}};
  ledger::Envelope envelope;
  envelope.payload = ledger::to_bytes(payload.dump());
  envelope.signer = signer;
  envelope.suite = std::string(store.suite().name());
  nlohmann::json parsed_body;
  auto fields = ledger::parse_payload(envelope, &parsed_body);
  if (!fields.ok()) return ledger::ExecutionResult::reject(fields.status().code(), fields.status().message());
  StoreStateView view(store);
  // The next block's time is never earlier than the head's: a clock behind the chain must not
  // judge validity by an earlier day than the chain would.
  const uint64_t height = store.height();
  int64_t at = now_ms;
  if (auto head = store.header_at(height); head.ok()) at = std::max(at, static_cast<int64_t>(head->timestamp_ms));
  contracts::BlockExecutor executor(contracts::Registry::standard(), view, chain,
                                    contracts::BlockContext{height + 1, at});
  ledger::ExecutionResult result =
      executor.execute(envelope, *fields, std::string(2 * ledger::kHashSize, '0'), store.tree_size(), &parsed_body);
  if (view.failed()) return ledger::ExecutionResult::reject("state_unreadable", "the state could not be read");
  return result;
}

}  // namespace medtrail::node
