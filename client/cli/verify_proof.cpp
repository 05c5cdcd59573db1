#include <iostream>

#include "commands.h"
#include "io.h"
#include "medtrail/ledger/proof_json.h"

namespace medtrail::cli {

void add_verify_proof(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "verify-proof", "Check an inclusion, consistency or state proof document (docs/proofs.md)");
  auto path = std::make_shared<std::string>();
  cmd->add_option("FILE", *path, "Proof JSON file ('-' for stdin)")->required();
  cmd->callback([&exit_code, path] {
    auto text = read_input(*path, ledger::kMaxProofDocumentBytes);
    if (!text.ok()) {
      exit_code = fail("verify-proof", text.status(), kExitUsage);
      return;
    }
    auto summary = ledger::verify_proof_document(*text);
    if (!summary.ok()) {
      exit_code = fail("invalid", summary.status(), kExitInvalid);
      return;
    }
    std::cout << "valid: " << summary->description << "\n";
  });
}

}  // namespace medtrail::cli
