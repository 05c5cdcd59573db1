// Every contract's body reader and rule, through the real BlockExecutor: a record of any kind with
// any body, signed by someone entitled to that kind, run against a state where the kind's seed
// bodies are valid (tests/contracts/fuzz_seeds.h: people, prescriptions at every stage, lots,
// shipments, a tableware batch). Input: "<kind> <seed number>\n<body as JSON>".
// Properties (those of the contracts' own randomized test, tests/contracts/fuzz_test.cpp): no
// exception escapes, a handler never throws (it would be caught as `bad_body`), a refusal has a
// snake_case code and a message, an acceptance has neither.
#include <algorithm>

#include "contracts/contract_fixture.h"
#include "contracts/fuzz_seeds.h"
#include "fuzz_check.h"
#include "medtrail/ledger/envelope.h"

using namespace medtrail;
using contracts::fuzz_testing::SeedTable;
using contracts::testing::ContractFixture;

namespace {

struct Prepared {
  ContractFixture fixture;
  SeedTable seeds;
  contracts::testing::MemoryState state;
  Prepared() : seeds(contracts::fuzz_testing::prepare_seeds(fixture)), state(fixture.state) {}
};

Prepared& prepared() {
  static Prepared* p = new Prepared();  // never destroyed: libFuzzer may exit from any thread
  return *p;
}

bool snake_case(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  const size_t line_end = text.find('\n');
  if (line_end == std::string_view::npos) return -1;
  const std::string_view head = text.substr(0, line_end);
  const size_t space = head.find(' ');
  if (space == std::string_view::npos) return -1;
  Prepared& p = prepared();
  auto seeds = p.seeds.find(head.substr(0, space));
  if (seeds == p.seeds.end()) return -1;
  const size_t which = static_cast<size_t>(std::atoi(std::string(head.substr(space + 1)).c_str()));
  const auto& seed = seeds->second[which % seeds->second.size()];
  nlohmann::json body = nlohmann::json::parse(text.substr(line_end + 1), nullptr, false);
  if (body.is_discarded()) return -1;
  // What the envelope refuses (a body that is not an object, too large, too deep) never reaches
  // a contract: admission turns it away.
  const nlohmann::json payload = {{"v", ledger::kPayloadVersion}, {"kind", seeds->first},
                                  {"org", seed.signer.org},       {"actor", seed.signer.id},
                                  {"ts", "2026-11-23T02:00:00Z"}, {"nonce", "fz"},
                                  {"body", std::move(body)}};
  const std::string bytes = payload.dump();
  auto envelope = ledger::sign_envelope(ledger::Bytes(bytes.begin(), bytes.end()), seed.signer.key);
  if (!envelope.ok() || !ledger::parse_payload(*envelope, nullptr).ok()) return -1;

  ledger::ExecutionResult r = p.fixture.run_block({*envelope}).at(0);
  p.fixture.state = p.state;
  if (r.accepted) {
    fuzz::check(r.reason_code.empty() && r.reason.empty(), "an accepted record carries no reason");
    return 0;
  }
  fuzz::check(r.reason_code != "bad_body", "no handler throws (bad_body is a caught exception)");
  fuzz::check(snake_case(r.reason_code), "a reason code is snake_case");
  fuzz::check(!r.reason.empty(), "a refusal says why");
  return 0;
}
