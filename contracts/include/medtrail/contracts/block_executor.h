#pragma once
// Runs a block's records through the contracts, one after another in block order: each record
// sees the state left by the records before it. Pure: the same committed state, chain
// parameters, block context and records give the same results and writes on every node.
//
// For each record: the kind's rule (`unknown_kind`), the body as JSON, the signer (known,
// same organisation as the payload's `org`, not revoked, within its validity, in a role and
// organisation type the kind allows), then the handler. A rejected record writes nothing but
// its index entries and its subjects' trail heads (ledger/trail_head.h); an accepted one also
// commits its writes to the block.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/contracts/context.h"
#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/registry.h"
#include "medtrail/contracts/state.h"
#include "medtrail/ledger/block.h"
#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/parallel.h"

namespace medtrail::contracts {

class BlockExecutor {
 public:
  BlockExecutor(const Registry& registry, const StateView& committed, const ChainParams& chain,
                BlockContext block);

  // The key the chain knows for `signer_id` at this point of the block (an identity registered
  // by an earlier record of the block counts), whatever its validity; nullopt if none.
  std::optional<ledger::Bytes> signer_key(std::string_view signer_id) const;

  // Executes one record whose signature was verified and whose payload parsed; its leaf will
  // be `leaf_index`. `body`: the payload's body as parse_payload handed it over, or null to
  // parse it here. Never throws; bad input yields a reason.
  ledger::ExecutionResult execute(const ledger::Envelope& envelope,
                                  const ledger::PayloadFields& fields, std::string_view record_id,
                                  uint64_t leaf_index, const nlohmann::json* body = nullptr);

  // Optional, before the first execute(): runs `records` against the block's starting state on
  // `runner`'s threads. execute() then keeps each record's speculative result when nothing it
  // read was written by an earlier record of the block, and runs it again otherwise — so the
  // results and writes are those of running the records one after another (Block-STM's
  // insight, with one validation pass in block order instead of a scheduler).
  struct PendingRecord {
    const ledger::Envelope* envelope;
    const ledger::PayloadFields* fields;
    std::string_view record_id;
    const nlohmann::json* body = nullptr;  // as for execute()
  };
  void speculate(std::span<const PendingRecord> records, ledger::ParallelRunner& runner);
  // How many speculative results execute() kept so far (the rest ran again).
  size_t speculations_kept() const { return speculations_kept_; }

  const ledger::StateWrites& writes() const { return state_.writes(); }
  ledger::StateWrites take_writes() { return state_.take_writes(); }

 private:
  struct KnownSigner {
    Signer signer;
    std::optional<Organisation> org;
  };
  // What one record did, before it joins the block.
  struct Outcome {
    ledger::ExecutionResult result;
    ledger::StateWrites writes;         // kept: accepted, or refused with its consequence
    std::vector<std::string> subjects;  // index subjects, kept in every case
  };
  struct Speculation {
    Outcome outcome;
    std::vector<std::string> reads;  // every key it read below its own writes
  };

  Outcome run(const StateView& state, const KnownSigner* known, const ledger::Envelope& envelope,
              const ledger::PayloadFields& fields, std::string_view record_id,
              const nlohmann::json* body) const;
  ledger::ExecutionResult commit(Outcome&& outcome, uint64_t leaf_index);
  std::optional<KnownSigner> look_up_signer(const StateView& state,
                                            std::string_view signer_id) const;
  // Signers and their organisations as the block so far sees them (most records sign as someone
  // seen before); an identity write drops that person, an organisation or node write drops all.
  const KnownSigner* known_signer(std::string_view signer_id);
  void forget_signers_if_changed(const ledger::StateWrites& writes);

  const Registry* registry_;
  const ChainParams* chain_;
  BlockContext block_;
  const StateView* committed_;
  BlockState state_;
  std::map<std::string, Speculation, std::less<>> speculations_;  // by record id
  size_t speculations_kept_ = 0;
  std::map<std::string, KnownSigner, std::less<>> signers_;
};

}  // namespace medtrail::contracts
