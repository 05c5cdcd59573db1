#pragma once
// An organisation's encryption keyring (sealed_fields.h): JSON
//   {"suite": "x25519-xchacha20poly1305", "keys": [{"public_key": hex, "secret_key": hex}, ...]}
// newest last, mode 0600, apart from every signing key: it opens the confidential fields sealed
// for the organisation. Rotation appends a key and keeps the old ones, so records sealed before
// it stay readable by whoever holds this file.
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/ledger/sealed_fields.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

inline constexpr std::string_view kEncryptionKeySuite = "x25519-xchacha20poly1305";
inline constexpr size_t kMaxKeyringKeys = 64;

// A new keyring of one key, never replacing a file (`file_exists`); `io_error` otherwise.
Status save_new_encryption_keyring(const std::string& path, const EncryptionKey& key);
// Appends `key` as the newest, replacing the file atomically (a crash leaves the old keyring or
// the new one, never half of either). Errors: those of load_encryption_keyring, `too_many_keys`,
// `io_error`.
Status add_to_encryption_keyring(const std::string& path, const EncryptionKey& key);
// Errors: `io_error`, `insecure_permissions`, `bad_key_file` (format, hex, 1..64 keys, a key id
// twice), `key_mismatch` (a public key that is not its secret's).
Result<std::vector<EncryptionKey>> load_encryption_keyring(const std::string& path);

}  // namespace medtrail::ledger
