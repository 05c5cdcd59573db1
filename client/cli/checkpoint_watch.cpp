// `medtrail checkpoint watch`: follows a node's newest checkpoint and believes nothing the node
// says on its own word. Each checkpoint must be signed by a quorum of the organisations in the
// genesis file the user holds, and must extend the last checkpoint this tool verified (RFC 9162
// consistency, from the root the tool kept — not one the node reports). That last checkpoint is
// kept in a state file named by the chain id of the user's genesis, never the node's.
// Two quorum checkpoints of one tree size that differ are a forked history; a newer tree the node
// cannot prove extends the kept one is refused too (a fork, or a node serving bad proofs). Both
// end in exit 1 with the two checkpoints printed.
#include <chrono>
#include <iostream>
#include <thread>

#include "checkpoint_keeper.h"
#include "commands.h"
#include "io.h"

namespace medtrail::cli {
namespace {

struct WatchOptions {
  std::string node;
  std::string genesis;
  std::string state_dir;
  bool once = false;
  int interval_s = 10;
  int timeout_s = 10;
};

int check_once(const NodeUrl& node, std::chrono::seconds timeout, const ledger::LoadedGenesis& genesis,
               const std::string& state_dir) {
  auto verdict = verify_newest_checkpoint(node, timeout, genesis, state_dir);
  if (!verdict.ok()) {
    if (verdict.status().code() == "no_checkpoint") {
      std::cout << verdict.status().message() << "\n";
      return 0;
    }
    return fail(is_evidence_of_lie(verdict.status()) ? "invalid" : "checkpoint watch", verdict.status(),
                is_evidence_of_lie(verdict.status()) ? kExitInvalid : kExitUsage);
  }
  const ledger::Checkpoint& cp = verdict->served.checkpoint;
  std::cout << "verified: height " << cp.height << ", tree " << cp.tree_size << ", root "
            << ledger::to_hex(cp.tree_root) << "; signed by " << verdict->organisations << " organisations (quorum "
            << genesis.genesis.checkpoint_quorum << "); " << verdict->relation << "\n";
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
  cmd->add_option("--node", o->node, "The node's API, https://host:port (or http:// where it is set to plain_http)")->required();
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
    trust_genesis_pins(*node, genesis->genesis);
    for (;;) {
      exit_code = check_once(*node, std::chrono::seconds(o->timeout_s), *genesis, o->state_dir);
      std::cout.flush();
      // A lie ends the watch; an unreachable node is retried.
      if (o->once || exit_code == kExitInvalid) return;
      std::this_thread::sleep_for(std::chrono::seconds(o->interval_s));
    }
  });
}

}  // namespace medtrail::cli
