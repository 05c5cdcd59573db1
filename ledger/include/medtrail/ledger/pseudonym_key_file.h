#pragma once
// The pseudonym service's key file: JSON {"suite": "voprf-ristretto255-sha512", "public_key",
// "secret_key"} in lowercase hex, mode 0600, like the signing key files (key_file.h) but apart
// from them: the node's signing key signs checkpoints; this one can compute any patient's
// pseudonym and is held only by the health authority's pseudonym node.
#include <string>
#include <string_view>

#include "medtrail/ledger/oprf.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

inline constexpr std::string_view kPseudonymKeySuite = "voprf-ristretto255-sha512";

// A new file, never replacing one (`file_exists`); `io_error` otherwise.
Status save_pseudonym_key_file(const std::string& path, const OprfServerKey& key);
// Errors: `io_error`, `insecure_permissions`, `bad_key_file` (not this format, bad hex, a
// secret that is not a canonical nonzero scalar), `key_mismatch` (public key not the secret's).
Result<OprfServerKey> load_pseudonym_key_file(const std::string& path);

}  // namespace medtrail::ledger
