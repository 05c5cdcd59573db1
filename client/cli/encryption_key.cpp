// `medtrail encryption-key new|rotate`: an organisation's encryption keyring (mode 0600), whose
// public key the organisation registers with an org.enc_key record signed by its admin (or in
// genesis). Rotation appends: records sealed for the old key stay readable.
#include <iostream>
#include <memory>

#include "commands.h"
#include "io.h"
#include "medtrail/ledger/encryption_key_file.h"

namespace medtrail::cli {
namespace {

void print_key(const ledger::EncryptionKey& key) {
  std::cout << "key_id: " << key.key_id() << "\n"
            << "public_key: " << ledger::to_hex(key.public_key) << "\n"
            << "register it with an org.enc_key record signed by your organisation's admin, body: "
            << "{\"public_key\": \"" << ledger::to_hex(key.public_key) << "\"}\n";
}

// A new key, in a new keyring or appended to `path`'s.
int add_key(const std::string& path, bool rotate) {
  ledger::EncryptionKey key = ledger::generate_encryption_key();
  ledger::Status saved =
      rotate ? ledger::add_to_encryption_keyring(path, key) : ledger::save_new_encryption_keyring(path, key);
  if (!saved.ok()) return fail(rotate ? "encryption-key rotate" : "encryption-key new", saved, kExitUsage);
  print_key(key);
  return 0;
}

}  // namespace

void add_encryption_key(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("encryption-key", "An organisation's encryption keyring for confidential fields");
  cmd->require_subcommand(1);
  auto path = std::make_shared<std::string>();
  auto* made = cmd->add_subcommand("new", "Create a keyring holding one new key (never overwritten)");
  made->add_option("--out", *path, "Keyring file to create")->required();
  made->callback([&exit_code, path] { exit_code = add_key(*path, /*rotate=*/false); });
  auto* rotate = cmd->add_subcommand("rotate", "Add a new key to a keyring, keeping the old ones");
  rotate->add_option("--keyring", *path, "Keyring file")->required();
  rotate->callback([&exit_code, path] { exit_code = add_key(*path, /*rotate=*/true); });
}

}  // namespace medtrail::cli
