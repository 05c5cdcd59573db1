#pragma once
// Checkpoints: after applying a block each node signs {chain_id, height, block_hash,
// tree_size, tree_root} with its node key. A checkpoint is trusted once it carries valid
// signatures from nodes of at least `quorum` distinct organisations named in genesis.

#include <cstdint>
#include <string>
#include <vector>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

struct Checkpoint {
  Hash chain_id{};
  uint64_t height = 0;
  Hash block_hash{};
  uint64_t tree_size = 0;
  Hash tree_root{};
  bool operator==(const Checkpoint&) const = default;
};

struct CheckpointSignature {
  std::string signer;  // node identity id, "<org_id>/<node_id>"
  Bytes public_key;
  Bytes signature;
  bool operator==(const CheckpointSignature&) const = default;
};

struct SignedCheckpoint {
  Checkpoint checkpoint;
  std::vector<CheckpointSignature> signatures;
  bool operator==(const SignedCheckpoint&) const = default;
};

// What a node key signs: the checkpoint's C2SP note text (checkpoint_note.h), so the same
// signatures serve medtrail's JSON checkpoints and the signed-note checkpoints transparency-log
// tooling reads; a note can never be taken for any other message a medtrail key signs.
Bytes checkpoint_signing_bytes(const Checkpoint& checkpoint);

Result<CheckpointSignature> sign_checkpoint(const CryptoSuite& suite, const Checkpoint& checkpoint,
                                            const std::string& signer, const KeyPair& key);

// A node key the consortium trusts (from genesis).
struct TrustedSigner {
  std::string signer;  // "<org_id>/<node_id>"
  std::string org;
  Bytes public_key;
};

struct CheckpointTrust {
  std::vector<TrustedSigner> signers;
  size_t quorum = 1;  // distinct organisations needed
};

// Every signature must verify under the key it carries (`checkpoint_bad_signature`).
Status verify_checkpoint_signatures(const CryptoSuite& suite, const SignedCheckpoint& signed_cp);

// Counts distinct organisations among signatures by trusted signers with their pinned key;
// any invalid signature fails (`checkpoint_bad_signature`), a signature by an unknown signer or
// with a key other than the pinned one fails (`checkpoint_untrusted_signer`), fewer than
// `quorum` organisations fails (`checkpoint_no_quorum`).
Status verify_checkpoint_quorum(const CryptoSuite& suite, const SignedCheckpoint& signed_cp,
                                const CheckpointTrust& trust);
// The same without verifying the signatures, for a caller that verified each one already
// (a node's checkpoint pool): trusted signers with their pinned keys, from `quorum`
// organisations.
Status check_checkpoint_quorum(const SignedCheckpoint& signed_cp, const CheckpointTrust& trust);

}  // namespace medtrail::ledger
