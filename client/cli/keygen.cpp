#include <iostream>

#include "commands.h"
#include "io.h"
#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/key_file.h"

namespace medtrail::cli {

void add_keygen(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("keygen", "Generate a key pair into a new key file (mode 0600)");
  auto out = std::make_shared<std::string>();
  auto suite = std::make_shared<std::string>(ledger::kSuiteEd25519Sha256);
  cmd->add_option("--out", *out, "Key file to create (never overwritten)")->required();
  cmd->add_option("--suite", *suite, "Crypto suite")
      ->check(CLI::IsMember({std::string(ledger::kSuiteEd25519Sha256),
                             std::string(ledger::kSuiteSm2Sm3)}));
  cmd->callback([&exit_code, out, suite] {
    const ledger::CryptoSuite* s = ledger::find_suite(*suite);
    auto key = s->generate_keypair();
    if (!key.ok()) {
      exit_code = fail("keygen", key.status(), kExitUsage);
      return;
    }
    ledger::Status saved = ledger::save_key_file(*out, *key);
    if (!saved.ok()) {
      exit_code = fail("keygen", saved, kExitUsage);
      return;
    }
    std::cout << "key_id: " << s->key_id(key->public_key) << "\n"
              << "public_key: " << ledger::to_hex(key->public_key) << "\n";
  });
}

}  // namespace medtrail::cli
