// `medtrail checkpoint watch`: follows a node's newest checkpoint and believes nothing the node
// says on its own word. Each checkpoint must be signed by a quorum of the organisations in the
// genesis file the user holds, and must extend the last checkpoint this tool verified (RFC 9162
// consistency, from the root the tool kept — not one the node reports). That last checkpoint is
// kept in a state file named by the chain id of the user's genesis, never the node's.
// A node that serves a forked or rewritten history is caught: exit 1, both checkpoints printed.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

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

// Both checkpoints, for the operator who must now show that a node lied.
int forked(const std::string& why, const ledger::SignedCheckpoint& kept,
           const ledger::SignedCheckpoint& served) {
  std::cerr << "medtrail: invalid: history_diverges: " << why << "\n"
            << "  verified before: " << ledger::checkpoint_to_json(kept).dump() << "\n"
            << "  served now:      " << ledger::checkpoint_to_json(served).dump() << "\n";
  return kExitInvalid;
}

// Whether the log of `served` extends the log of `kept`, with a proof fetched from the node
// and checked against the two roots this tool already trusts.
ledger::Status check_consistency(const NodeUrl& node, const ledger::CryptoSuite& suite,
                                 const ledger::Checkpoint& kept, const ledger::Checkpoint& served) {
  auto reply = http_get(node, "/v1/proofs/consistency?from=" + std::to_string(kept.tree_size) +
                                  "&to=" + std::to_string(served.tree_size));
  if (!reply.ok()) return reply.status();
  if (reply->status != 200) {
    return ledger::Status::error("proof_unavailable", "the node answered " +
                                                          std::to_string(reply->status) + ": " +
                                                          reply->body.substr(0, 200));
  }
  nlohmann::json served_proof = nlohmann::json::parse(reply->body, nullptr, false);
  if (!served_proof.is_object() || !served_proof.contains("path")) {
    return ledger::Status::error("proof_invalid", "the node's consistency proof is not a proof document");
  }
  const nlohmann::json ours = {{"type", "consistency"},
                               {"suite", std::string(suite.name())},
                               {"first_size", kept.tree_size},
                               {"second_size", served.tree_size},
                               {"first_root", ledger::to_hex(kept.tree_root)},
                               {"second_root", ledger::to_hex(served.tree_root)},
                               {"path", served_proof["path"]}};
  auto checked = ledger::verify_proof_document(ours.dump());
  return checked.ok() ? ledger::Status() : checked.status();
}

int check_once(const WatchOptions& o, const NodeUrl& node, const ledger::LoadedGenesis& genesis,
               const std::string& state_path) {
  const ledger::CryptoSuite& suite = *genesis.suite;
  auto reply = http_get(node, "/v1/checkpoints/latest");
  if (!reply.ok()) return fail("checkpoint watch", reply.status(), kExitUsage);
  if (reply->status == 404) {
    std::cout << "no checkpoint yet: the node has none a quorum signed\n";
    return 0;
  }
  if (reply->status != 200) {
    return fail("checkpoint watch",
                ledger::Status::error("unexpected_answer", "the node answered " + std::to_string(reply->status)),
                kExitUsage);
  }
  auto served = ledger::checkpoint_from_json(reply->body);
  if (!served.ok()) return fail("invalid", served.status(), kExitInvalid);
  if (served->checkpoint.chain_id != genesis.chain_id) {
    return fail("invalid", ledger::Status::error("wrong_chain", "the node serves another chain than the genesis file's"),
                kExitInvalid);
  }
  const ledger::CheckpointTrust trust = ledger::genesis_checkpoint_trust(genesis.genesis);
  if (ledger::Status s = ledger::verify_checkpoint_quorum(suite, *served, trust); !s.ok()) {
    return fail("invalid", s, kExitInvalid);
  }

  std::optional<ledger::SignedCheckpoint> kept;
  if (fs::exists(state_path)) {
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

  const ledger::Checkpoint& now = served->checkpoint;
  std::string relation = "the first checkpoint this tool has verified for the chain";
  if (kept) {
    const ledger::Checkpoint& before = kept->checkpoint;
    if (now.tree_size < before.tree_size) {
      std::cout << "the node is behind: " << describe(*served) << " is older than the "
                << "checkpoint verified before (" << describe(*kept) << "); nothing to check\n";
      return 0;
    }
    if (now.tree_size == before.tree_size) {
      if (now.tree_root != before.tree_root) return forked("same tree size, another root", *kept, *served);
      relation = "the same tree as before";
    } else {
      ledger::Status s = check_consistency(node, suite, before, now);
      if (s.code() == "proof_invalid" || s.code() == "proof_malformed") {
        return forked("the served tree does not extend the one verified before (" + s.message() + ")",
                      *kept, *served);
      }
      if (!s.ok()) return fail("checkpoint watch", s, kExitUsage);
      relation = "extends the tree of " + std::to_string(before.tree_size) + " verified before";
    }
  }
  std::error_code ec;
  fs::create_directories(fs::path(state_path).parent_path(), ec);
  const std::string tmp = state_path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << ledger::checkpoint_to_json(*served).dump() << "\n";
    if (!out) {
      return fail("checkpoint watch", ledger::Status::error("io_error", "cannot write " + tmp), kExitUsage);
    }
  }
  fs::rename(tmp, state_path, ec);
  if (ec) return fail("checkpoint watch", ledger::Status::error("io_error", ec.message()), kExitUsage);
  std::cout << "verified: " << describe(*served) << "; signed by " << served->signatures.size()
            << " node(s), quorum " << trust.quorum << " organisations; " << relation << "\n";
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
      exit_code = check_once(*o, *node, *genesis, state_path);
      std::cout.flush();
      // A lie ends the watch; an unreachable node is retried.
      if (o->once || exit_code == kExitInvalid) return;
      std::this_thread::sleep_for(std::chrono::seconds(o->interval_s));
    }
  });
}

}  // namespace medtrail::cli
