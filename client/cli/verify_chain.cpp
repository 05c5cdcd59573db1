#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "commands.h"
#include "io.h"
#include "medtrail/ledger/thread_pool.h"
#include "medtrail/ledger/chain_verifier.h"
#include "medtrail/ledger/genesis.h"

namespace medtrail::cli {
namespace {

// A node keeps its RocksDB in <data-dir>/db; a bare store directory is accepted as well.
std::string store_dir(const std::string& data_dir) {
  std::filesystem::path db = std::filesystem::path(data_dir) / "db";
  return std::filesystem::is_directory(db) ? db.string() : data_dir;
}

}  // namespace

void add_verify_chain(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "verify-chain",
      "Re-check a whole chain offline: signatures, leaves, Merkle nodes and roots, hash links, "
      "checkpoints");
  auto data_dir = std::make_shared<std::string>();
  auto threads = std::make_shared<size_t>(0);
  auto quiet = std::make_shared<bool>(false);
  auto genesis_file = std::make_shared<std::string>();
  cmd->add_option("--data-dir", *data_dir, "Node data directory (or a chain store directory)")
      ->required();
  cmd->add_option("--threads", *threads, "Verification threads (default: all cores)");
  cmd->add_flag("--quiet", *quiet, "No progress line");
  cmd->add_option("--genesis", *genesis_file,
                  "The consortium's genesis.json: the chain must be its chain, and every "
                  "checkpoint must carry a quorum of its organisations' node signatures");
  cmd->callback([&exit_code, data_dir, threads, quiet, genesis_file] {
    auto store = ledger::ChainStore::open_existing(store_dir(*data_dir), /*read_only=*/true);
    if (!store.ok()) {
      exit_code = fail("verify-chain", store.status(), kExitUsage);
      return;
    }
    ledger::CheckpointTrust trust;
    if (!genesis_file->empty()) {
      auto genesis = ledger::load_genesis_file(*genesis_file);
      if (!genesis.ok()) {
        exit_code = fail("verify-chain", genesis.status(), kExitUsage);
        return;
      }
      if (genesis->chain_id != (*store)->chain_id() ||
          genesis->suite != &(*store)->suite()) {
        std::cerr << "medtrail: chain invalid at height 0: wrong_chain: the store holds chain "
                  << ledger::to_hex((*store)->chain_id()) << ", genesis names "
                  << ledger::to_hex(genesis->chain_id) << "\n";
        exit_code = kExitInvalid;
        return;
      }
      trust = ledger::genesis_checkpoint_trust(genesis->genesis);
    }
    ledger::ThreadPool pool(*threads);
    ledger::VerifyOptions options;
    options.runner = &pool;
    if (!genesis_file->empty()) options.trust = &trust;
    bool progress = !*quiet && isatty(STDERR_FILENO);
    if (progress) {
      options.on_progress = [](const ledger::VerifyProgress& p) {
        std::fprintf(stderr, "\rverifying: block %llu of %llu, %llu records",
                     static_cast<unsigned long long>(p.height),
                     static_cast<unsigned long long>(p.chain_height),
                     static_cast<unsigned long long>(p.records));
      };
    }
    auto start = std::chrono::steady_clock::now();
    ledger::VerifyReport report = ledger::verify_chain(**store, options);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (progress) std::fprintf(stderr, "\n");
    if (!report.ok) {
      std::cerr << "medtrail: chain invalid at height " << report.bad_height << ": "
                << report.problem_code << ": " << report.problem << "\n";
      exit_code = kExitInvalid;
      return;
    }
    std::printf("valid: %llu blocks, %llu records, %llu checkpoint signatures in %.2f s (%.0f records/s)\n",
                static_cast<unsigned long long>(report.blocks),
                static_cast<unsigned long long>(report.records),
                static_cast<unsigned long long>(report.checkpoints), seconds,
                seconds > 0 ? static_cast<double>(report.records) / seconds : 0.0);
  });
}

}  // namespace medtrail::cli
