#pragma once
// Pre-signed submissions for `medtrail load`: every envelope is signed and put in wire form
// before the clock starts, so a run measures the cluster rather than the generator's signing.

#include <string>
#include <vector>

#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/parallel.h"
#include "medtrail/ledger/status.h"

namespace medtrail::cli {

// A signing identity: the key and the identity id it signs as ("<org>/<name>").
struct LoadSigner {
  ledger::KeyPair key;
  std::string org;
  std::string actor;
};

// Loads a key file laid out as `genesis init` writes it, .../orgs/<org>/<name>.key, and
// takes the identity "<org>/<name>" from the path.
ledger::Result<LoadSigner> load_signer(const std::string& key_path);

struct EnvelopeSpec {
  size_t count = 0;
  size_t payload_bytes = 400;  // padded inside `body` to this size, as far as the kind allows
  std::string nonce_prefix;  // [a-z0-9-]; makes this run's records distinct from every other run's
};

inline constexpr size_t kMaxDisplayNameBytes = 64;  // identity.register's display_name bound

// An identity.register payload (an operator named "<nonce_prefix>-<index>") of about
// `payload_bytes` bytes: its display name pads it, up to that field's bound.
std::string bench_payload(const LoadSigner& signer, const EnvelopeSpec& spec, size_t index,
                          const std::string& ts);

// Signs `spec.count` envelopes, round-robin over `signers`, spread over `runner`; returns
// their wire JSON in order.
ledger::Result<std::vector<std::string>> presign_envelopes(const std::vector<LoadSigner>& signers,
                                                           const EnvelopeSpec& spec,
                                                           ledger::ParallelRunner& runner);

}  // namespace medtrail::cli
