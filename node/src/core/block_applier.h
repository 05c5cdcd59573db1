#pragma once
// The apply step: a committed proposal becomes a block, the same on every node.
//
// Every node re-verifies every signature here, whatever admission said, so a faulty leader
// cannot slip a forged record into the chain. Records that cannot be leaves are left out of the
// block, deterministically: a bad signature or an unknown signer (`forged`), or a record already
// on the chain or earlier in the same proposal (`duplicate`, answered with the first
// occurrence). Every other record becomes a leaf with the contracts' verdict, executed in block
// order (contracts/block_executor.h); a signer registered earlier in the same block is known.
//
// The block, its leaves and indexes, the contract state it changes (with the state root in
// its header) and the Raft index it was applied at go in one RocksDB WriteBatch, so after a
// crash the node knows exactly which entries it has applied. A state read error stops apply.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/checkpoint_pool.h"
#include "core/signer_directory.h"
#include "medtrail/contracts/governance.h"
#include "core/verified_signatures.h"
#include "medtrail/ledger/block.h"
#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/parallel.h"
#include "medtrail/ledger/proposal.h"
#include "medtrail/ledger/status.h"

namespace medtrail::node {

using ledger::Result;
using ledger::Status;

struct RecordOutcome {
  enum class Kind { kIncluded, kDuplicate, kForged } kind = Kind::kIncluded;
  ledger::Hash record_hash{};
  uint64_t height = 0;      // kIncluded / kDuplicate: where the record's leaf is
  uint64_t leaf_index = 0;
  ledger::ExecutionResult result;  // kIncluded: the contract's verdict; kForged: why it was left out
};

struct ApplyOutcome {
  std::optional<ledger::BlockHeader> block;  // none when no record became a leaf
  std::vector<RecordOutcome> records;        // one per envelope, in proposal order
  // The proposal's checkpoints the block carries: those for an earlier block of this chain that
  // match it and carry a quorum of organisations (others are dropped, on every node alike).
  std::vector<ledger::SignedCheckpoint> checkpoints;
  // Node additions and removals the block's governance records enacted.
  std::vector<contracts::NodeChange> node_changes;
  // Patients the block's patient.erase records erased (contracts/erasure.h).
  std::vector<std::string> erased_patients;
};

class BlockApplier {
 public:
  // Reads the applied Raft index from the store. `admitted` (optional): signatures this node
  // verified at admission, which apply then takes instead of verifying again.
  static Result<BlockApplier> open(ledger::ChainStore& store, const SignerDirectory& signers,
                                   ledger::ParallelRunner& verify_runner,
                                   VerifiedSignatures* admitted = nullptr);

  // Applies the committed Raft entry (term, index) carrying `proposal`. Indexes at or below
  // applied_index() are refused (`already_applied`): an entry is applied once.
  Result<ApplyOutcome> apply(const ledger::Proposal& proposal, uint64_t term, uint64_t index);
  // Records that the entry at `index` (a no-op, a conf change, an undecodable proposal) was
  // applied without producing a block, together with the caller's writes in `extra` (a new
  // member's record), in one batch.
  Status skip(uint64_t index, rocksdb::WriteBatch* extra = nullptr);

  // Checkpoint signatures `pool` holds were verified when pooled: apply takes them instead of
  // verifying them again (the verdict is the same, so every node keeps the same checkpoints).
  // The pool must outlive the applier; null (the default) verifies every one.
  void use_pooled_checkpoints(const CheckpointPool* pool) { pooled_ = pool; }

  uint64_t applied_index() const { return applied_index_; }
  const SignerDirectory& signers() const { return *signers_; }
  // Re-reads the applied index (after a ledger image replaced the store's contents).
  Status reload();

  // Where the applied index lives in the store's meta column family.
  static constexpr const char* kAppliedIndexKey = "raft_applied_index";

 private:
  BlockApplier(ledger::ChainStore& store, const SignerDirectory& signers,
               ledger::ParallelRunner& runner, VerifiedSignatures* admitted, uint64_t applied)
      : store_(&store), signers_(&signers), runner_(&runner), admitted_(admitted),
        applied_index_(applied) {}

  ledger::ChainStore* store_;
  const SignerDirectory* signers_;
  ledger::ParallelRunner* runner_;
  VerifiedSignatures* admitted_;
  const CheckpointPool* pooled_ = nullptr;
  uint64_t applied_index_ = 0;
};

}  // namespace medtrail::node
