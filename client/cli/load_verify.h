#pragma once
// The raw limit `medtrail load --verify-limit` measures: Ed25519 verifications per second of
// 400-byte payloads on every core, with nothing else to do. A node cannot admit records faster
// than it verifies their signatures, and in a cluster every node verifies every record.

#include <chrono>
#include <string>

#include "medtrail/ledger/status.h"

namespace medtrail::cli {

struct VerifyLimit {
  size_t threads = 0;
  uint64_t verifications = 0;
  double seconds = 0;
};

// Verifies a set of distinct pre-made signatures over and over on a ThreadPool of `threads`
// (0: one per core) for about `duration`.
ledger::Result<VerifyLimit> measure_verify_limit(size_t threads, std::chrono::milliseconds duration,
                                                 size_t payload_bytes);

std::string verify_limit_json(const VerifyLimit& limit);

}  // namespace medtrail::cli
