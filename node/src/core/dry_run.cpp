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
  // The fields a parsed payload would give, without printing a payload and parsing it back: the
  // executor reads the body it is handed, never the envelope's bytes, and a caller's body is
  // the node's own (no duplicate keys to catch). Integers read alike signed or unsigned.
  if (!ledger::is_identity_id(signer) || !ledger::is_kind(kind)) {
    return ledger::ExecutionResult::reject("bad_field", "the dry run's signer or kind is malformed");
  }
  ledger::PayloadFields fields;
  fields.v = ledger::kPayloadVersion;
  fields.kind = kind;
  fields.org = signer.substr(0, signer.find('/'));
  fields.actor = signer;
  fields.ts = ledger::unix_ms_to_rfc3339(now_ms);
  fields.nonce = "dry-run";
  ledger::Envelope envelope;
  envelope.signer = signer;
  envelope.suite = std::string(store.suite().name());
  StoreStateView view(store);
  // The next block's time is never earlier than the head's: a clock behind the chain must not
  // judge validity by an earlier day than the chain would.
  const uint64_t height = store.height();
  int64_t at = now_ms;
  if (auto head = store.header_at(height); head.ok()) at = std::max(at, static_cast<int64_t>(head->timestamp_ms));
  contracts::BlockExecutor executor(contracts::Registry::standard(), view, chain,
                                    contracts::BlockContext{height + 1, at});
  ledger::ExecutionResult result =
      executor.execute(envelope, fields, std::string(2 * ledger::kHashSize, '0'), store.tree_size(), &body);
  if (view.failed()) return ledger::ExecutionResult::reject("state_unreadable", "the state could not be read");
  return result;
}

}  // namespace medtrail::node
