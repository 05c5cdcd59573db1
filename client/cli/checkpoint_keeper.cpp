#include "checkpoint_keeper.h"

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "http_get.h"
#include "io.h"
#include "medtrail/ledger/checkpoint_json.h"
#include "medtrail/ledger/proof_json.h"

namespace medtrail::cli {
namespace {

namespace fs = std::filesystem;
using ledger::Status;

std::string describe(const ledger::SignedCheckpoint& cp) {
  return "height " + std::to_string(cp.checkpoint.height) + ", tree " +
         std::to_string(cp.checkpoint.tree_size) + ", root " +
         ledger::to_hex(cp.checkpoint.tree_root);
}

// Both checkpoints, for the operator who must now show what was served.
Status evidence(const std::string& code, const std::string& why,
                const ledger::SignedCheckpoint& kept, const ledger::SignedCheckpoint& served) {
  return Status::error(code,
                       why + "\n  verified before: " + ledger::checkpoint_to_json(kept).dump() +
                           "\n  served now:      " + ledger::checkpoint_to_json(served).dump());
}

// The node's proof that the tree of `second` extends the tree of `first`, checked against the
// two roots already trusted. `not_found` when the node lacks one of the trees.
Status check_consistency(const NodeUrl& node, std::chrono::milliseconds timeout,
                         const ledger::CryptoSuite& suite, const ledger::Checkpoint& first,
                         const ledger::Checkpoint& second) {
  auto reply = http_get(node,
                        "/v1/proofs/consistency?from=" + std::to_string(first.tree_size) +
                            "&to=" + std::to_string(second.tree_size),
                        timeout, ledger::kMaxProofDocumentBytes);
  if (!reply.ok()) return reply.status();
  if (reply->status == 404) return Status::error("not_found", "the node lacks that tree");
  if (reply->status != 200) {
    return Status::error("unexpected_answer", "the node answered " + std::to_string(reply->status) +
                                                  ": " + printable_text(reply->body, 200));
  }
  return ledger::verify_served_consistency(reply->body, suite, first.tree_size, first.tree_root,
                                           second.tree_size, second.tree_root);
}

bool is_proof_failure(const Status& s) {
  return s.code() == "proof_invalid" || s.code() == "proof_malformed" ||
         s.code() == "bad_proof_document";
}

Status save(const std::string& state_path, const ledger::SignedCheckpoint& cp) {
  std::error_code ec;
  fs::create_directories(fs::path(state_path).parent_path(), ec);
  return replace_file_durably(state_path, ledger::checkpoint_to_json(cp).dump() + "\n");
}

ledger::Result<std::optional<ledger::SignedCheckpoint>> load(const std::string& state_path,
                                                             const ledger::Hash& chain_id) {
  std::error_code ec;
  if (!fs::exists(state_path, ec)) return std::optional<ledger::SignedCheckpoint>();
  auto text = read_input(state_path, ledger::kMaxCheckpointJsonBytes);
  if (!text.ok()) return text.status();
  auto parsed = ledger::checkpoint_from_json(*text);
  if (!parsed.ok() || parsed->checkpoint.chain_id != chain_id) {
    return Status::error(
        "bad_state",
        state_path + " is not a checkpoint of this chain; move it away to start afresh");
  }
  return std::optional<ledger::SignedCheckpoint>(std::move(*parsed));
}

const char* const kUnproven =
    "the node cannot prove that one tree extends the other: a forked history, or a node serving "
    "bad proofs "
    "(check with another --node)";

}  // namespace

std::string default_state_dir() {
  const char* state = std::getenv("XDG_STATE_HOME");
  if (state != nullptr && *state != '\0') return std::string(state) + "/medtrail";
  const char* home = std::getenv("HOME");
  return home != nullptr && *home != '\0' ? std::string(home) + "/.local/state/medtrail" : ".";
}

bool is_evidence_of_lie(const Status& status) {
  const std::string& c = status.code();
  return c == "history_diverges" || c == "not_consistent" || c == "wrong_chain" ||
         c.starts_with("checkpoint_") || c == "bad_checkpoint";
}

ledger::Result<CheckpointVerdict> verify_newest_checkpoint(const NodeUrl& node,
                                                           std::chrono::milliseconds timeout,
                                                           const ledger::LoadedGenesis& genesis,
                                                           const std::string& state_dir) {
  auto reply = http_get(node, "/v1/checkpoints/latest", timeout, ledger::kMaxCheckpointJsonBytes);
  if (!reply.ok()) return reply.status();
  if (reply->status == 404) {
    const std::string state_path =
        state_dir + "/" + ledger::to_hex(genesis.chain_id) + ".checkpoint.json";
    auto kept = load(state_path, genesis.chain_id);
    return Status::error(
        "no_checkpoint",
        "the node serves no quorum checkpoint yet" +
            (kept.ok() && *kept ? "; last verified: " + describe(**kept) : std::string()));
  }
  if (reply->status != 200) {
    return Status::error("unexpected_answer", "the node answered " + std::to_string(reply->status) +
                                                  ": " + printable_text(reply->body, 200));
  }
  auto served = ledger::checkpoint_from_json(reply->body);
  if (!served.ok())
    return Status::error("bad_checkpoint",
                         "the checkpoint does not read: " + served.status().message());
  return judge_checkpoint(node, timeout, genesis, state_dir, *served);
}

ledger::Result<CheckpointVerdict> judge_checkpoint(const NodeUrl& node,
                                                   std::chrono::milliseconds timeout,
                                                   const ledger::LoadedGenesis& genesis,
                                                   const std::string& state_dir,
                                                   const ledger::SignedCheckpoint& served) {
  const std::string state_path =
      state_dir + "/" + ledger::to_hex(genesis.chain_id) + ".checkpoint.json";
  auto kept = load(state_path, genesis.chain_id);
  if (!kept.ok()) return kept.status();
  if (Status s = ledger::verify_checkpoint_for_genesis(genesis, served); !s.ok()) return s;

  CheckpointVerdict verdict;
  verdict.served = served;
  verdict.organisations =
      ledger::signing_organisations(ledger::genesis_checkpoint_trust(genesis.genesis), served)
          .size();
  verdict.relation = "the first checkpoint this tool has verified for the chain";
  const ledger::Checkpoint& now = served.checkpoint;
  if (*kept) {
    const ledger::SignedCheckpoint& before_cp = **kept;
    const ledger::Checkpoint& before = before_cp.checkpoint;
    if (now.tree_size == before.tree_size) {
      // Two checkpoints a quorum signed for one tree size must be the same block.
      if (now.tree_root != before.tree_root || now.height != before.height ||
          now.block_hash != before.block_hash) {
        return evidence("history_diverges",
                        "a quorum signed two different blocks for one tree size", before_cp,
                        served);
      }
      verdict.relation = "the same tree as before";
    } else if (now.tree_size < before.tree_size) {
      // A node that is behind: its older tree must still be a prefix of the one kept, which
      // stays kept (it is the newer one).
      verdict.behind = true;
      Status s = check_consistency(node, timeout, *genesis.suite, now, before);
      if (is_proof_failure(s)) return evidence("not_consistent", kUnproven, before_cp, served);
      if (s.code() == "not_found") {
        verdict.relation = "the node is behind (" + describe(served) +
                           "; verified before: " + describe(before_cp) +
                           ") and cannot prove its tree is a prefix yet";
        return verdict;
      }
      if (!s.ok()) return s;
      verdict.relation = "the node is behind, consistently: " + describe(served) +
                         " is a prefix of the tree verified before (" + describe(before_cp) + ")";
      return verdict;
    } else {
      Status s = check_consistency(node, timeout, *genesis.suite, before, now);
      if (is_proof_failure(s)) return evidence("not_consistent", kUnproven, before_cp, served);
      if (!s.ok()) return s;
      verdict.relation =
          "extends the tree of " + std::to_string(before.tree_size) + " verified before";
    }
  }
  if (Status s = save(state_path, served); !s.ok()) return s;
  return verdict;
}

std::string verified_line(const CheckpointVerdict& verdict) {
  return "chain verified: checkpoint at block " + std::to_string(verdict.served.checkpoint.height) +
         " signed by " + std::to_string(verdict.organisations) +
         " organisations of your genesis; " + verdict.relation;
}

bool report_chain(const ledger::Result<CheckpointVerdict>& verdict, std::ostream& out) {
  if (verdict.ok()) {
    out << verified_line(*verdict) << "\n";
    return true;
  }
  if (is_evidence_of_lie(verdict.status())) {
    fail("chain NOT verified", verdict.status(), kExitInvalid);
    return false;
  }
  out << "chain not verified: " << verdict.status().message() << "\n";
  return true;
}

}  // namespace medtrail::cli
