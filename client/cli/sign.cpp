#include <iostream>

#include "commands.h"
#include "io.h"
#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/key_file.h"

namespace medtrail::cli {

void add_sign(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "sign", "Sign a payload JSON file offline; prints the envelope (wire form) on stdout");
  auto key_path = std::make_shared<std::string>();
  auto payload_path = std::make_shared<std::string>();
  cmd->add_option("--key", *key_path, "Key file of the signer")->required();
  cmd->add_option("--payload", *payload_path, "Payload JSON file ('-' for stdin)")->required();
  cmd->callback([&exit_code, key_path, payload_path] {
    auto payload = read_input(*payload_path, ledger::kMaxPayloadBytes);
    if (!payload.ok()) {
      exit_code = fail("sign", payload.status(), kExitUsage);
      return;
    }
    auto key = ledger::load_key_file(*key_path);
    if (!key.ok()) {
      exit_code = fail("sign", key.status(), kExitUsage);
      return;
    }
    auto envelope = ledger::sign_envelope(ledger::to_bytes(*payload), *key);
    if (!envelope.ok()) {
      exit_code = fail("sign", envelope.status(), kExitInvalid);
      return;
    }
    std::cout << ledger::envelope_to_wire(*envelope) << "\n";
  });
}

}  // namespace medtrail::cli
