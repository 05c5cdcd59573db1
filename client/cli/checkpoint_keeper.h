#pragma once
// The last checkpoint this client verified for a chain, and the judgement of each newer one
// against it (docs/proofs.md). Kept in `<state dir>/<chain id>.checkpoint.json`, named by the
// chain id of the genesis the user holds — never one a node reports. Every read command that
// shows chain data checks the node's newest checkpoint through here, so a node serving a forked
// or rewritten history is caught by whichever command meets it first.
#include <chrono>
#include <optional>
#include <ostream>
#include <string>

#include "medtrail/ledger/checkpoint.h"
#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/status.h"
#include "node_url.h"

namespace medtrail::cli {

// $XDG_STATE_HOME/medtrail, else ~/.local/state/medtrail.
std::string default_state_dir();

struct CheckpointVerdict {
  ledger::SignedCheckpoint served;
  size_t organisations = 0;  // of genesis, whose signature the checkpoint carries
  std::string relation;      // to the one verified before, in words
  // The served checkpoint is older than the one verified before (a node that is behind, or one
  // serving an old checkpoint on purpose): it is consistent, but it is not the newest known.
  bool behind = false;
};

// Fetches the node's newest quorum checkpoint, judges it by `genesis`, then against the one
// kept in `state_dir`: the same tree must be the same block; a larger tree must extend the kept
// one (RFC 9162 consistency, checked against the two roots already trusted); a smaller one must
// be a prefix of it. The newer checkpoint is kept.
// Errors: `no_checkpoint` (the node has none yet), `unreachable` / `unexpected_answer` (retry or
// ask another node), `bad_state` / `io_error` (the state file), and the evidence of a lie:
// the genesis codes (`wrong_chain`, `checkpoint_*`), `history_diverges`, `not_consistent` — whose
// message ends with both checkpoints, as JSON lines "verified before: …" and "served now: …".
ledger::Result<CheckpointVerdict> verify_newest_checkpoint(const NodeUrl& node, std::chrono::milliseconds timeout,
                                                           const ledger::LoadedGenesis& genesis,
                                                           const std::string& state_dir);

// The same judgement of `served`, a checkpoint the node gave some other way (the one a lookup's
// proof is against): by `genesis`, then against the one kept, which it replaces when newer.
ledger::Result<CheckpointVerdict> judge_checkpoint(const NodeUrl& node, std::chrono::milliseconds timeout,
                                                   const ledger::LoadedGenesis& genesis, const std::string& state_dir,
                                                   const ledger::SignedCheckpoint& served);

// True for the codes that prove the node served something false (exit 1), as against a node
// that cannot answer now (exit 2).
bool is_evidence_of_lie(const ledger::Status& status);

// "chain verified: checkpoint at block H signed by N organisations of your genesis; <relation>".
std::string verified_line(const CheckpointVerdict& verdict);

// What a read command that has shown its data says of the chain: the verified line, or that it
// could not be judged now (no checkpoint yet, the node gone), on `out`; evidence of a lie on
// stderr, and then false (the command exits 1).
bool report_chain(const ledger::Result<CheckpointVerdict>& verdict, std::ostream& out);

}  // namespace medtrail::cli
