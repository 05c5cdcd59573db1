#include <iostream>

#include "commands.h"
#include "io.h"
#include "medtrail/ledger/envelope.h"

namespace medtrail::cli {

void add_verify_envelope(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "verify-envelope", "Check an envelope's form, payload and signature; prints 'valid'");
  auto path = std::make_shared<std::string>();
  auto public_key = std::make_shared<std::string>();
  cmd->add_option("FILE", *path, "Envelope JSON file ('-' for stdin)")->required();
  cmd->add_option("--public-key", *public_key, "Signer's public key (hex)")->required();
  cmd->callback([&exit_code, path, public_key] {
    auto wire = read_input(*path, ledger::kMaxEnvelopeWireBytes);
    if (!wire.ok()) {
      exit_code = fail("verify-envelope", wire.status(), kExitUsage);
      return;
    }
    auto key = ledger::from_hex(*public_key);
    if (!key.ok()) {
      exit_code = fail("verify-envelope --public-key", key.status(), kExitUsage);
      return;
    }
    auto envelope = ledger::envelope_from_wire(*wire);
    if (!envelope.ok()) {
      exit_code = fail("invalid", envelope.status(), kExitInvalid);
      return;
    }
    auto fields = ledger::validate_envelope(*envelope, *key);
    if (!fields.ok()) {
      exit_code = fail("invalid", fields.status(), kExitInvalid);
      return;
    }
    auto id = ledger::record_id(*envelope);
    if (!id.ok()) {
      exit_code = fail("invalid", id.status(), kExitInvalid);
      return;
    }
    std::cout << "valid: " << fields->kind << " by " << envelope->signer << ", record " << *id
              << "\n";
  });
}

}  // namespace medtrail::cli
