#include "load_verify.h"

#include <atomic>
#include <cmath>
#include <nlohmann/json.hpp>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/thread_pool.h"

namespace medtrail::cli {
namespace {

// Distinct messages, so no cache holds a verified one; enough to keep every core busy.
constexpr size_t kSignatures = 4096;
// Signatures verified per parallel_for: large enough that the pool's hand-off costs nothing.
constexpr size_t kRound = 4096;

}  // namespace

ledger::Result<VerifyLimit> measure_verify_limit(size_t threads, std::chrono::milliseconds duration,
                                                 size_t payload_bytes) {
  const ledger::CryptoSuite& suite = ledger::ed25519_sha256();
  auto key = suite.generate_keypair();
  if (!key.ok()) return key.status();
  std::vector<ledger::Bytes> messages(kSignatures);
  std::vector<ledger::Bytes> signatures(kSignatures);
  for (size_t i = 0; i < kSignatures; ++i) {
    std::string text = std::to_string(i) + ":";
    text.resize(std::max(payload_bytes, text.size()), 'x');
    messages[i] = ledger::to_bytes(text);
    auto signature = suite.sign(*key, messages[i]);
    if (!signature.ok()) return signature.status();
    signatures[i] = std::move(signature).value();
  }

  ledger::ThreadPool pool(threads);
  std::atomic<uint64_t> failures{0};
  uint64_t verified = 0;
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + duration;
  while (std::chrono::steady_clock::now() < end) {
    pool.parallel_for(kRound, [&](size_t begin, size_t stop) {
      for (size_t i = begin; i < stop; ++i) {
        const size_t k = i % kSignatures;
        if (!suite.verify(key->public_key, messages[k], signatures[k])) ++failures;
      }
    });
    verified += kRound;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (failures.load() != 0) {
    return ledger::Status::error("verify_failed", "a valid signature did not verify");
  }
  return VerifyLimit{pool.concurrency(), verified, seconds};
}

std::string verify_limit_json(const VerifyLimit& limit) {
  const double rate =
      limit.seconds > 0 ? static_cast<double>(limit.verifications) / limit.seconds : 0.0;
  return nlohmann::json{{"mode", "verify-limit"},
                        {"threads", limit.threads},
                        {"verifications", limit.verifications},
                        {"seconds", std::round(limit.seconds * 1000) / 1000},
                        {"verifications_per_s", std::round(rate)}}
      .dump();
}

}  // namespace medtrail::cli
