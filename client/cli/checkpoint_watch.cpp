// `medtrail checkpoint watch`: follows a node's newest checkpoint and believes nothing the node
// says on its own word. Each checkpoint must be signed by a quorum of the organisations in the
// genesis file the user holds, and must extend the last checkpoint this tool verified (RFC 9162
// consistency, from the root the tool kept — not one the node reports). That last checkpoint is
// kept in a state file named by the chain id of the user's genesis, never the node's.
// Two quorum checkpoints of one tree size that differ are a forked history; a newer tree the node
// cannot prove extends the kept one is refused too (a fork, or a node serving bad proofs). Both
// end in exit 1 with the two checkpoints printed.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include <unistd.h>

#include "commands.h"
#include "http_get.h"
#include "io.h"
#include "medtrail/ledger/checkpoint_json.h"
#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/proof_json.h"

namespace medtrail::cli {
namespace {

namespace fs = std::filesystem;

struct WatchOptions {
  std::string node;
  std::string genesis;
  std::string state_dir;
  bool once = false;
  int interval_s = 10;
  int timeout_s = 10;
};

std::string default_state_dir() {
  const char* state = std::getenv("XDG_STATE_HOME");
  if (state != nullptr && *state != '\0') return std::string(state) + "/medtrail";
  const char* home = std::getenv("HOME");
  return home != nullptr && *home != '\0' ? std::string(home) + "/.local/state/medtrail" : ".";
}

std::string describe(const ledger::SignedCheckpoint& cp) {
  return "height " + std::to_string(cp.checkpoint.height) + ", tree " +
         std::to_string(cp.checkpoint.tree_size) + ", root " + ledger::to_hex(cp.checkpoint.tree_root);
}

// What a node wrote, fit for a terminal: no control bytes (a node could fake our output).
std::string printable(std::string_view text, size_t max = 200) {
  std::string out;
  for (char c : text.substr(0, max)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

// Both checkpoints, for the operator who must now show what was served.
int refuse(const std::string& code, const std::string& why, const ledger::SignedCheckpoint& kept,
           const ledger::SignedCheckpoint& served) {
  std::cerr << "medtrail: invalid: " << code << ": " << why << "\n"
            << "  verified before: " << ledger::checkpoint_to_json(kept).dump() << "\n"
            << "  served now:      " << ledger::checkpoint_to_json(served).dump() << "\n";
  return kExitInvalid;
}

// The node's proof that the tree of `second` extends the tree of `first`, checked against the
// two roots this tool already trusts. `not_found` when the node lacks one of the trees.
ledger::Status check_consistency(const NodeUrl& node, std::chrono::seconds timeout,
                                 const ledger::CryptoSuite& suite, const ledger::Checkpoint& first,
                                 const ledger::Checkpoint& second) {
  auto reply = http_get(node,
                        "/v1/proofs/consistency?from=" + std::to_string(first.tree_size) +
                            "&to=" + std::to_string(second.tree_size),
                        timeout, ledger::kMaxProofDocumentBytes);
  if (!reply.ok()) return reply.status();
  if (reply->status == 404) return ledger::Status::error("not_found", "the node lacks that tree");
  if (reply->status != 200) {
    return ledger::Status::error("unexpected_answer", "the node answered " + std::to_string(reply->status) +
                                                          ": " + printable(reply->body));
  }
  return ledger::verify_served_consistency(reply->body, suite, first.tree_size, first.tree_root,
                                           second.tree_size, second.tree_root);
}

bool is_proof_failure(const ledger::Status& s) {
  return s.code() == "proof_invalid" || s.code() == "proof_malformed" ||
         s.code() == "bad_proof_document";
}

ledger::Status save(const std::string& state_path, const ledger::SignedCheckpoint& cp) {
  std::error_code ec;
  fs::create_directories(fs::path(state_path).parent_path(), ec);
  const std::string tmp = state_path + "." + std::to_string(::getpid()) + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << ledger::checkpoint_to_json(cp).dump() << "\n";
    out.close();
    if (!out) return ledger::Status::error("io_error", "cannot write " + tmp);
  }
  fs::rename(tmp, state_path, ec);
  if (ec) return ledger::Status::error("io_error", "cannot replace " + state_path + ": " + ec.message());
  return ledger::Status();
}

int check_once(const NodeUrl& node, std::chrono::seconds timeout,
               const ledger::LoadedGenesis& genesis, const std::string& state_path) {
  const ledger::CryptoSuite& suite = *genesis.suite;
  std::optional<ledger::SignedCheckpoint> kept;
  std::error_code ec;
  if (fs::exists(state_path, ec)) {
    auto text = read_input(state_path, ledger::kMaxCheckpointJsonBytes);
    if (!text.ok()) return fail("checkpoint watch", text.status(), kExitUsage);
    auto parsed = ledger::checkpoint_from_json(*text);
    if (!parsed.ok() || parsed->checkpoint.chain_id != genesis.chain_id) {
      return fail("checkpoint watch",
                  ledger::Status::error("bad_state", state_path + " is not a checkpoint of this chain; move it away to start afresh"),
                  kExitUsage);
    }
    kept = std::move(*parsed);
  }

  auto reply = http_get(node, "/v1/checkpoints/latest", timeout, ledger::kMaxCheckpointJsonBytes);
  if (!reply.ok()) return fail("checkpoint watch", reply.status(), kExitUsage);
  if (reply->status == 404) {
    std::cout << "the node serves no quorum checkpoint yet"
              << (kept ? "; last verified: " + describe(*kept) : std::string()) << "\n";
    return 0;
  }
  if (reply->status != 200) {
    return fail("checkpoint watch",
                ledger::Status::error("unexpected_answer", "the node answered " +
                                                               std::to_string(reply->status) + ": " +
                                                               printable(reply->body)),
                kExitUsage);
  }
  auto served = ledger::checkpoint_from_json(reply->body);
  if (!served.ok()) return fail("invalid", served.status(), kExitInvalid);
  if (ledger::Status s = ledger::verify_checkpoint_for_genesis(genesis, *served); !s.ok()) {
    return fail("invalid", s, kExitInvalid);
  }

  const ledger::Checkpoint& now = served->checkpoint;
  std::string relation = "the first checkpoint this tool has verified for the chain";
  const std::string unproven =
      "the node cannot prove that one tree extends the other: a forked history, or a node "
      "serving bad proofs (check with another --node)";
  if (kept) {
    const ledger::Checkpoint& before = kept->checkpoint;
    if (now.tree_size == before.tree_size) {
      // Two checkpoints a quorum signed for one tree size must be the same block.
      if (now.tree_root != before.tree_root || now.height != before.height ||
          now.block_hash != before.block_hash) {
        return refuse("history_diverges", "a quorum signed two different blocks for one tree size",
                      *kept, *served);
      }
      relation = "the same tree as before";
    } else if (now.tree_size < before.tree_size) {
      // A node that is behind: its older tree must still be a prefix of the one kept.
      ledger::Status s = check_consistency(node, timeout, suite, now, before);
      if (is_proof_failure(s)) return refuse("not_consistent", unproven, *kept, *served);
      if (s.code() == "not_found") {
        std::cout << "the node is behind (" << describe(*served) << "; verified before: "
                  << describe(*kept) << ") and cannot prove its tree is a prefix yet\n";
        return 0;
      }
      if (!s.ok()) return fail("checkpoint watch", s, kExitUsage);
      std::cout << "the node is behind, consistently: " << describe(*served)
                << " is a prefix of the tree verified before (" << describe(*kept) << ")\n";
      return 0;  // the kept checkpoint stays: it is the newer one
    } else {
      ledger::Status s = check_consistency(node, timeout, suite, before, now);
      if (is_proof_failure(s)) return refuse("not_consistent", unproven, *kept, *served);
      if (!s.ok()) return fail("checkpoint watch", s, kExitUsage);
      relation = "extends the tree of " + std::to_string(before.tree_size) + " verified before";
    }
  }
  if (ledger::Status s = save(state_path, *served); !s.ok()) return fail("checkpoint watch", s, kExitUsage);
  std::cout << "verified: " << describe(*served) << "; signed by " << ledger::signing_organisations(ledger::genesis_checkpoint_trust(genesis.genesis), *served).size()
            << " organisations (quorum " << genesis.genesis.checkpoint_quorum << "); " << relation << "\n";
  return 0;
}

}  // namespace

void add_checkpoint(CLI::App& app, int& exit_code) {
  auto* group = app.add_subcommand("checkpoint", "Follow and check a node's checkpoints");
  group->require_subcommand(1);
  auto* cmd = group->add_subcommand(
      "watch",
      "Check the node's newest checkpoint against the genesis you hold and against the last one "
      "verified (kept per chain in the state directory); exit 1 on a forked or rewritten history");
  auto o = std::make_shared<WatchOptions>();
  o->state_dir = default_state_dir();
  cmd->add_option("--node", o->node, "The node's API, http://host:port")->required();
  cmd->add_option("--genesis", o->genesis, "The genesis file you trust")->required();
  cmd->add_option("--state-dir", o->state_dir, "Where the last verified checkpoint is kept")
      ->capture_default_str();
  cmd->add_flag("--once", o->once, "Check once and exit (default: every --interval seconds)");
  cmd->add_option("--interval", o->interval_s, "Seconds between checks")->check(CLI::Range(1, 86400))
      ->capture_default_str();
  cmd->add_option("--timeout", o->timeout_s, "Seconds a node has to answer each request")
      ->check(CLI::Range(1, 600))
      ->capture_default_str();
  cmd->callback([&exit_code, o] {
    auto node = parse_node_url(o->node);
    if (!node.ok()) {
      exit_code = fail("checkpoint watch", node.status(), kExitUsage);
      return;
    }
    auto genesis = ledger::load_genesis_file(o->genesis);
    if (!genesis.ok()) {
      exit_code = fail("checkpoint watch", genesis.status(), kExitUsage);
      return;
    }
    const std::string state_path =
        o->state_dir + "/" + ledger::to_hex(genesis->chain_id) + ".checkpoint.json";
    for (;;) {
      exit_code = check_once(*node, std::chrono::seconds(o->timeout_s), *genesis, state_path);
      std::cout.flush();
      // A lie ends the watch; an unreachable node is retried.
      if (o->once || exit_code == kExitInvalid) return;
      std::this_thread::sleep_for(std::chrono::seconds(o->interval_s));
    }
  });
}

}  // namespace medtrail::cli
