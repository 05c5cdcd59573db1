// Bad input: fuzz-style randomized bodies for every kind never crash and always yield a reason.
//
// Every kind the registry knows starts from valid seed bodies (each accepted as is, in a state
// prepared for it) and is mutated a few thousand times with a seeded std::mt19937_64: fields
// deleted or added, values retyped, long, empty, unicode or control-character strings, deep
// nesting, arrays of 0/1/huge counts, int64 boundaries, impossible dates, resident-id-like
// strings. Each record runs through the real BlockExecutor against the same prepared state.
// A failure prints the kind, the seed that rebuilds the body, and the body.
//
// MEDTRAIL_FUZZ_ITERATIONS and MEDTRAIL_FUZZ_SEED override the defaults for longer runs;
// MEDTRAIL_FUZZ_VERBOSE=1 prints how often each outcome occurred.
//
// The seed bodies live in fuzz_seeds.cpp, the mutation engine in fuzz_mutations.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "contracts/contract_fixture.h"
#include "contracts/fuzz_mutations.h"
#include "contracts/fuzz_seeds.h"
#include "medtrail/contracts/registry.h"

namespace medtrail::contracts {
namespace {

using fuzz_testing::Seed;
using nlohmann::json;
using testing::ContractFixture;
using testing::Person;

constexpr uint64_t kDefaultSeed = 0x6d65647472a1f022ULL;
constexpr int kDefaultIterationsPerKind = 1500;
// Room left in the payload for the envelope's own fields ({"v","kind","org","actor","ts",...}).
constexpr size_t kPayloadOverhead = 256;
// What a leaf record can encode (ledger/src/serialization.h: kMaxShortText, kMaxReasonText).
constexpr size_t kMaxReasonCodeBytes = 256;
constexpr size_t kMaxReasonBytes = 4096;

uint64_t env_or(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 0) : fallback;
}

// Reason codes with a documented meaning: every code in the first column of a table in
// docs/contracts.md ("| `code` |" or "| `a` / `b` |"). A code the contracts emit but the document
// does not list fails the test.
const std::set<std::string, std::less<>>& known_codes() {
  static const std::set<std::string, std::less<>> codes = [] {
    std::set<std::string, std::less<>> out;
    std::ifstream doc(std::string(MEDTRAIL_SOURCE_DIR) + "/docs/contracts.md");
    EXPECT_TRUE(doc.good()) << "cannot read docs/contracts.md";
    std::string line;
    while (std::getline(doc, line)) {
      if (!line.starts_with("| `")) continue;
      const std::string first_cell = line.substr(1, line.find('|', 1) - 1);
      size_t at = 0;
      while ((at = first_cell.find('`', at)) != std::string::npos) {
        const size_t end = first_cell.find('`', at + 1);
        if (end == std::string::npos) break;
        out.insert(first_cell.substr(at + 1, end - at - 1));
        at = end + 1;
      }
    }
    return out;
  }();
  return codes;
}

bool is_snake_case(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Messages travel in JSON (API responses, leaf records): they must be valid UTF-8.
bool is_valid_utf8(const std::string& s) {
  try {
    (void)json(s).dump();
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

// Seeds for every kind, each valid in the state prepare() builds (see fuzz_seeds.cpp).
class FuzzTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(prepare()); }

  ledger::Envelope sign(const Person& who, const std::string& kind, const json& body,
                        ledger::Status* refused) {
    const json payload = {{"v", 1},
                          {"kind", kind},
                          {"org", who.org},
                          {"actor", who.id},
                          {"ts", "2026-11-23T02:00:00Z"},
                          {"nonce", "fz" + std::to_string(++nonce_)},
                          {"body", body}};
    auto e = ledger::sign_envelope(ledger::to_bytes(payload.dump()), who.key);
    if (!e.ok()) {
      *refused = e.status();
      return {};
    }
    return std::move(e).value();
  }

  void prepare() { seeds = fuzz_testing::prepare_seeds(f); }

  ContractFixture f;
  fuzz_testing::SeedTable seeds;
  uint64_t nonce_ = 0;
};

// The kind's seeds must stay valid, or the fuzzing starts from rejections and proves little.
TEST_F(FuzzTest, EveryKindHasSeedsThatAreAccepted) {
  const testing::MemoryState prepared = f.state;
  for (std::string_view kind : Registry::standard().kinds()) {
    auto it = seeds.find(kind);
    if (it == seeds.end()) {
      ADD_FAILURE() << "no seed body for kind " << kind << ": add one to FuzzTest::prepare";
      continue;
    }
    for (const Seed& seed : it->second) {
      ledger::ExecutionResult r = f.run(seed.signer, std::string(kind), seed.body);
      EXPECT_TRUE(r.accepted) << kind << " " << seed.body.dump() << ": " << r.reason_code << " "
                              << r.reason;
      f.state = prepared;
    }
  }
}

TEST_F(FuzzTest, RandomizedBodiesForEveryKindNeverCrashAndAlwaysYieldADocumentedReason) {
  const uint64_t base_seed = env_or("MEDTRAIL_FUZZ_SEED", kDefaultSeed);
  const uint64_t iterations = env_or("MEDTRAIL_FUZZ_ITERATIONS", kDefaultIterationsPerKind);
  const testing::MemoryState prepared = f.state;
  // Each problem is reported in full once per kind, then only counted.
  std::map<std::string, int> problems;
  std::map<std::string, int> outcomes;
  for (std::string_view kind_view : Registry::standard().kinds()) {
    const std::string kind(kind_view);
    auto it = seeds.find(kind);
    if (it == seeds.end()) {
      ADD_FAILURE() << "no seed body for kind " << kind << ": add one to FuzzTest::prepare";
      continue;
    }
    const uint64_t kind_seed = base_seed ^ std::hash<std::string>{}(kind);
    for (uint64_t i = 0; i < iterations; ++i) {
      const uint64_t seed = kind_seed + i;
      const Seed& start = it->second[i % it->second.size()];
      json body = start.body;
      fuzz_testing::mutate(seed, body, ledger::kMaxPayloadBytes - kPayloadOverhead);
      auto report = [&](const std::string& problem, const std::string& detail) {
        if (problems[kind + ": " + problem]++ > 0) return;
        std::string text = body.dump(-1, ' ', false, json::error_handler_t::replace);
        if (text.size() > 1000) text = text.substr(0, 1000) + "...";
        ADD_FAILURE() << problem << ": "
                      << json(detail).dump(-1, ' ', false, json::error_handler_t::replace)
                      << "\n  kind " << kind << ", iteration " << i
                      << " of MEDTRAIL_FUZZ_SEED=" << base_seed << " (mutator seed " << seed
                      << ")\n  body " << text;
      };

      ledger::Status refused;
      ledger::Envelope envelope = sign(start.signer, kind, body, &refused);
      if (!refused.ok()) {
        // Only the envelope's bounds may refuse a body: its size and its nesting depth.
        if (refused.code() != "payload_too_large" && refused.code() != "malformed_json") {
          report("envelope refused the payload", refused.to_string());
        }
        ++outcomes["(refused by the envelope: " + refused.code() + ")"];
        continue;
      }
      ledger::ExecutionResult r;
      try {
        r = f.run_block({envelope}).at(0);
      } catch (const std::exception& e) {
        report("exception escaped", e.what());
      } catch (...) {
        report("exception escaped", "not a std::exception");
      }
      f.state = prepared;
      ++outcomes[r.accepted ? "(accepted)" : r.reason_code];
      if (r.accepted) {
        if (!r.reason_code.empty() || !r.reason.empty())
          report("accepted with a reason", r.reason_code);
        continue;
      }
      if (!is_snake_case(r.reason_code))
        report("reason code is not snake_case", "\"" + r.reason_code + "\"");
      if (r.reason.empty()) report("empty message", r.reason_code);
      if (!is_valid_utf8(r.reason))
        report("message is not valid UTF-8", r.reason_code + ": " + r.reason);
      if (r.reason_code == "bad_body") report("a handler threw (caught as bad_body)", r.reason);
      if (!known_codes().contains(r.reason_code))
        report("undocumented reason code " + r.reason_code, r.reason);
      if (r.reason_code.size() > kMaxReasonCodeBytes || r.reason.size() > kMaxReasonBytes) {
        report("reason too long for a leaf record", std::to_string(r.reason.size()) + " bytes");
      }
      // The kinds that carry a patient_ref never echo it (an added "patient_ref" field is only
      // an unknown field name).
      auto ref = body.find("patient_ref");
      if (start.body.contains("patient_ref") && ref != body.end() && ref->is_string() &&
          ref->get<std::string>().size() >= 16 &&
          r.reason.find(ref->get<std::string>()) != std::string::npos) {
        report("message echoes the patient_ref", r.reason_code + ": " + r.reason);
      }
    }
  }
  if (::testing::Test::HasFailure()) {
    for (const auto& [problem, count] : problems) std::cout << count << " x " << problem << "\n";
  }
  if (env_or("MEDTRAIL_FUZZ_VERBOSE", 0) != 0) {
    for (const auto& [outcome, count] : outcomes) std::cout << count << " x " << outcome << "\n";
  }
}

}  // namespace
}  // namespace medtrail::contracts
