#pragma once
// Key files: JSON {"suite", "key_id", "public_key", "secret_key"}, keys in lowercase hex,
// mode 0600. Secrets are wiped from memory after use.

#include <string>

#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

// Writes a new key file with mode 0600 (created with that mode: never world-readable, not
// even briefly). Error `file_exists` rather than overwriting a key; `io_error` otherwise.
Status save_key_file(const std::string& path, const KeyPair& key);

// Errors: `io_error` (cannot open/read), `insecure_permissions` (group or others may read or
// write it), `bad_key_file` (not JSON, missing/ill-typed fields, bad hex, wrong sizes),
// `unknown_suite`, `key_mismatch` (public key does not match the secret).
Result<KeyPair> load_key_file(const std::string& path);

}  // namespace medtrail::ledger
