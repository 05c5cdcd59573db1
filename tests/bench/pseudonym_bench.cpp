// The pseudonym service (ledger/pseudonym.h, docs/privacy.md): evaluations per second on one
// core, the service's side (VOPRF BlindEvaluate with its DLEQ proof) in batches of 1 and 64,
// and the member's side (blind, then verify the proof and finalize). Each is also reported as a
// ratio to one core's Ed25519 verification rate measured in the same run, which a node spends
// three of on every record: the ratio says what the service costs in records' worth of work.
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>
#include <vector>

#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/pseudonym.h"

namespace {

using namespace medtrail;

// A spread of valid resident ids (GB 11643 check characters computed).
std::vector<std::string> resident_ids(size_t n) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kCheck[] = "10X98765432";
  std::vector<std::string> ids;
  for (size_t i = 0; i < n; ++i) {
    std::string id = "11010119900307" + std::to_string(100 + i % 900);
    int sum = 0;
    for (size_t k = 0; k < 17; ++k) sum += (id[k] - '0') * kWeights[k];
    ids.push_back(id + kCheck[sum % 11]);
  }
  return ids;
}

// One core's Ed25519 verifications per second, measured now (the baseline of every ratio).
double ed25519_verifications_per_second() {
  const auto& suite = ledger::ed25519_sha256();
  auto key = suite.generate_keypair();
  const ledger::Bytes message(400, 7);
  auto signature = suite.sign(*key, message);
  const auto start = std::chrono::steady_clock::now();
  size_t n = 0;
  while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(300)) {
    for (int i = 0; i < 100; ++i) benchmark::DoNotOptimize(suite.verify(key->public_key, message, *signature));
    n += 100;
  }
  return static_cast<double>(n) /
         std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void report(benchmark::State& state, size_t evaluations) {
  state.counters["evals/s"] = benchmark::Counter(static_cast<double>(evaluations), benchmark::Counter::kIsRate);
  const double baseline = ed25519_verifications_per_second();
  state.counters["ed25519/s"] = baseline;
  // A rate too: divided by the run's time, it is evals/s over the baseline.
  state.counters["x_ed25519"] = benchmark::Counter(static_cast<double>(evaluations) / baseline,
                                                   benchmark::Counter::kIsRate);
}

void BM_PseudonymServiceEvaluate(benchmark::State& state) {
  const size_t batch = static_cast<size_t>(state.range(0));
  const ledger::OprfServerKey key = ledger::oprf_generate_key_pair();
  auto request = ledger::blind_resident_ids(resident_ids(batch));
  size_t evaluations = 0;
  for (auto _ : state) {
    auto evaluation = ledger::oprf_blind_evaluate(ledger::kPseudonymMode, key, request->blinded);
    benchmark::DoNotOptimize(evaluation);
    evaluations += batch;
  }
  report(state, evaluations);
}
BENCHMARK(BM_PseudonymServiceEvaluate)->Arg(1)->Arg(64)->Unit(benchmark::kMicrosecond);

void BM_PseudonymMemberSide(benchmark::State& state) {
  const size_t batch = static_cast<size_t>(state.range(0));
  const ledger::OprfServerKey key = ledger::oprf_generate_key_pair();
  const std::vector<std::string> ids = resident_ids(batch);
  size_t evaluations = 0;
  for (auto _ : state) {
    auto request = ledger::blind_resident_ids(ids);
    state.PauseTiming();  // the service's part, measured above
    auto served = ledger::oprf_blind_evaluate(ledger::kPseudonymMode, key, request->blinded);
    const std::string body = ledger::pseudonym_response_json(*served, key.public_key);
    state.ResumeTiming();
    auto refs = ledger::finish_patient_refs(*request, body, key.public_key);
    if (!refs.ok()) state.SkipWithError(refs.status().to_string().c_str());
    evaluations += batch;
  }
  report(state, evaluations);
}
BENCHMARK(BM_PseudonymMemberSide)->Arg(1)->Arg(64)->Unit(benchmark::kMicrosecond);

}  // namespace
