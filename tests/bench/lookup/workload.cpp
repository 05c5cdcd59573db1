#include "bench/lookup/workload.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/rfc3339.h"

namespace medtrail::bench::lookup {

namespace {

std::string org_of(const std::string& actor) { return actor.substr(0, actor.find('/')); }

std::string payload(const std::string& actor, const std::string& kind, const std::string& nonce,
                    int64_t now_ms, nlohmann::json body) {
  nlohmann::json p = {{"v", 1},
                      {"kind", kind},
                      {"org", org_of(actor)},
                      {"actor", actor},
                      {"ts", ledger::unix_ms_to_rfc3339(now_ms)},
                      {"nonce", nonce},
                      {"body", std::move(body)}};
  return p.dump();
}

}  // namespace

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string batch_code(const std::string& prefix, uint64_t n) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%09llu", static_cast<unsigned long long>(n));
  return "TW-" + prefix + digits;
}

std::string tableware_batch_payload(const std::string& actor, const std::string& code, int64_t now_ms) {
  nlohmann::json body = {{"batch_code", code},
                         {"licence_no", "XA-XD-2025-0193"},
                         {"line", "L2"},
                         {"disinfected_at", ledger::unix_ms_to_rfc3339(now_ms - 3'600'000)},
                         {"use_by", ledger::unix_ms_to_rfc3339(now_ms + 30LL * 86'400'000)},
                         {"method", "steam"},
                         {"quantity", 1200},
                         {"results",
                          {{"sensory", "pass"},
                           {"free_residual_chlorine", "0.010"},
                           {"anionic_detergent", "not_detected"},
                           {"coliforms", "not_detected"},
                           {"salmonella", "not_detected"}}}};
  return payload(actor, "tableware.batch", "tw-" + code, now_ms, std::move(body));
}

std::string rx_issue_payload(const std::string& actor, uint64_t n, int64_t now_ms) {
  char patient[65];
  std::snprintf(patient, sizeof patient, "%064llx",
                static_cast<unsigned long long>(n * 0x9E3779B97F4A7C15ULL));
  nlohmann::json item = {{"drug_code", "86979474000084"}, {"name", "Amoxicillin capsules"},
                         {"strength", "0.25 g"},          {"quantity", 20},
                         {"unit", "capsule"},             {"dosage", "2 capsules three times a day"},
                         {"days_supply", 5}};
  nlohmann::json body = {{"patient_ref", patient},  {"type", "normal"},
                         {"channel", "offline"},    {"diagnosis_code", "J02.9"},
                         {"items", nlohmann::json::array({item})}};
  return payload(actor, "rx.issue", "rx-" + std::to_string(n), now_ms, std::move(body));
}

std::vector<ledger::Envelope> sign_all(const std::vector<std::string>& payloads, const ledger::KeyPair& key,
                                       unsigned threads) {
  std::vector<ledger::Envelope> out(payloads.size());
  std::atomic<bool> failed{false};
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (size_t i = t; i < payloads.size(); i += threads) {
        auto e = ledger::sign_envelope(ledger::to_bytes(payloads[i]), key);
        if (!e.ok()) {
          failed = true;
          return;
        }
        out[i] = std::move(e.value());
      }
    });
  }
  for (std::thread& w : workers) w.join();
  if (failed) throw std::runtime_error("signing failed");
  return out;
}

}  // namespace medtrail::bench::lookup
