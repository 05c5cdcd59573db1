#pragma once
// Checkpoint signatures on their way to a quorum. Every node signs a checkpoint of the blocks
// it applies and sends the signature to every peer; each node pools what it receives, so any
// node can answer "the newest checkpoint a quorum of organisations signed", and the leader puts
// that checkpoint into a later block so the chain itself records the agreement.
//
// A signature is pooled only if it verifies under the key genesis pins for its signer, and is
// verified only then: lookups count organisations, and apply takes what the pool holds instead
// of verifying it again. A checkpoint is reported only if it matches this node's own block at
// that height. Bounded:
// a window of recent heights, one version per signer per height (more than one version is
// evidence of a fork or a lying node, and is counted), one signature per signer.
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/checkpoint.h"

namespace medtrail::node {

using ledger::Result;
using ledger::Status;

class CheckpointPool {
 public:
  CheckpointPool(const ledger::CryptoSuite& suite, ledger::CheckpointTrust trust)
      : suite_(suite), trust_(std::move(trust)) {}

  // Pools the signatures of `signed_cp`; `local_height` (this node's chain height) anchors the
  // window of heights kept. Errors: `checkpoint_untrusted_signer`, `checkpoint_bad_signature`,
  // `checkpoint_out_of_window`, `checkpoint_unsigned`, `checkpoint_equivocation` (the signer
  // already signed another version of that height). Thread-safe.
  Status add(const ledger::SignedCheckpoint& signed_cp, uint64_t local_height);

  // The newest checkpoint at or below `store.height()` that matches the store's block and
  // carries a quorum, with every pooled signature for it (none: nullopt).
  std::optional<ledger::SignedCheckpoint> newest_quorum(const ledger::ChainStore& store) const;
  // The same for one height (within the pool's window).
  std::optional<ledger::SignedCheckpoint> quorum_at(const ledger::ChainStore& store,
                                                    uint64_t height) const;

  // True if the pool holds exactly this signature (signer, key and bytes) on exactly this
  // checkpoint: it verified it when it pooled it, so apply need not verify it again (the
  // verdict would be the same). Thread-safe.
  bool holds(const ledger::Checkpoint& cp, const ledger::CheckpointSignature& sig) const;

  // The checkpoint this node signs for `height` (from its own store).
  static Result<ledger::Checkpoint> checkpoint_at(const ledger::ChainStore& store, uint64_t height);

  uint64_t conflicts() const;

  static constexpr uint64_t kWindowHeights = 64;
  static constexpr size_t kMaxVersionsPerHeight = 4;

 private:
  struct Version {
    ledger::Checkpoint checkpoint;
    std::map<std::string, ledger::CheckpointSignature> signatures;  // by signer
  };
  const ledger::CryptoSuite& suite_;
  const ledger::CheckpointTrust trust_;
  mutable std::mutex mu_;
  std::map<uint64_t, std::vector<Version>> heights_;
  uint64_t conflicts_ = 0;

  // Whether `v`'s signatures (verified when pooled) come from a quorum of organisations.
  bool has_quorum(const Version& v) const;
  // `v` as a checkpoint with its signatures.
  static ledger::SignedCheckpoint signed_of(const Version& v);
  // Of `versions` of `height`, the one matching the store's block with a quorum of signatures.
  std::optional<ledger::SignedCheckpoint> matching_quorum(const ledger::ChainStore& store,
                                                          uint64_t height,
                                                          const std::vector<Version>& versions) const;
};

}  // namespace medtrail::node
