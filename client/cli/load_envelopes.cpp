#include "load_envelopes.h"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <mutex>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/key_file.h"
#include "io.h"

namespace medtrail::cli {

ledger::Result<LoadSigner> load_signer(const std::string& key_path) {
  std::filesystem::path path(key_path);
  const std::string org = path.parent_path().filename().string();
  const std::string name = path.stem().string();
  if (org.empty() || name.empty()) {
    return ledger::Status::error("bad_key_path", key_path + ": expected .../orgs/<org>/<name>.key");
  }
  auto key = ledger::load_key_file(key_path);
  if (!key.ok()) return key.status();
  return LoadSigner{std::move(key).value(), org, org + "/" + name};
}

std::string bench_payload(const LoadSigner& signer, const EnvelopeSpec& spec, size_t index,
                          const std::string& ts) {
  // identity.register of an operator named after the nonce: a record the contracts accept
  // from an organisation's admin key, so a run measures accepted records end to end.
  const std::string nonce = spec.nonce_prefix + "-" + std::to_string(index);
  const std::string head = R"({"v":1,"kind":"identity.register","org":")" + signer.org +
                           R"(","actor":")" + signer.actor + R"(","ts":")" + ts + R"(","nonce":")" +
                           nonce + R"(","body":{"user_id":")" + nonce +
                           R"(","role":"operator","public_key":")" +
                           ledger::to_hex(signer.key.public_key) +
                           R"(","valid_from":"2026-01-01","valid_until":"2099-12-31","display_name":")";
  const std::string tail = "\"}}";
  const size_t name_bytes =
      spec.payload_bytes > head.size() + tail.size()
          ? std::min(kMaxDisplayNameBytes, spec.payload_bytes - head.size() - tail.size())
          : 1;
  return head + std::string(name_bytes, 'x') + tail;
}

ledger::Result<std::vector<std::string>> presign_envelopes(const std::vector<LoadSigner>& signers,
                                                           const EnvelopeSpec& spec,
                                                           ledger::ParallelRunner& runner) {
  if (signers.empty()) return ledger::Status::error("no_signer", "at least one key is needed");
  const std::string ts = utc_now_rfc3339();
  std::vector<std::string> wire(spec.count);
  std::mutex mu;
  ledger::Status first_error;
  runner.parallel_for(spec.count, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const LoadSigner& signer = signers[i % signers.size()];
      auto envelope =
          ledger::sign_envelope(ledger::to_bytes(bench_payload(signer, spec, i, ts)), signer.key);
      if (!envelope.ok()) {
        std::lock_guard lock(mu);
        if (first_error.ok()) first_error = envelope.status();
        return;
      }
      wire[i] = ledger::envelope_to_wire(*envelope);
    }
  });
  if (!first_error.ok()) return first_error;
  return wire;
}

}  // namespace medtrail::cli
