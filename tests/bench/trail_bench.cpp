// A trail of 1,000 records proven complete (issue 20): the page a regulator's
// `medtrail audit trail --verify` gets for a subject with 1,000 records among 4,000, its size, and
// the client's time to check it. Two checks in the same run, so their ratio is what counts on a
// noisy machine: the rows against their leaves and the quorum checkpoint (check_trail_page, all
// that --verify checked before trails were proven complete), and then that no record about the
// subject is left out (TrailCompleteness: three state proofs and a hash per row).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_support.h"
#include "cli/trail_proofs.h"
#include "medtrail/ledger/block.h"
#include "medtrail/ledger/trail_head.h"
#include "support/chain_fixture.h"
#include "support/trail_page.h"

namespace {

using namespace medtrail;
using nlohmann::json;

const ledger::CryptoSuite& suite() { return ledger::ed25519_sha256(); }
const std::string kSubject = "rx/R1";
constexpr uint64_t kLeavesPerRecord = 4;  // the subject's records among the chain's others

// A chain whose every fourth leaf is about kSubject, `records` of them, the trail written as the
// contracts write it; a quorum checkpoint of its head, and the one page of the whole trail.
struct TrailFixture {
  explicit TrailFixture(uint64_t records) : consortium(suite()) {
    store = testing::open_test_store(dir.file("db"), suite());
    ledger::TrailHead head;
    std::vector<uint64_t> leaves;
    for (uint64_t r = 0; r < records; ++r) {
      ledger::BlockDraft draft;
      draft.timestamp_ms = 1'790'000'000'000 + r;
      for (uint64_t i = 0; i < kLeavesPerRecord; ++i) {
        const uint64_t leaf = store->tree_size() + i;
        draft.leaves.push_back(
            {testing::make_envelope(consortium.author, "hosp-a", "dr-li", leaf, 64),
             consortium.author.public_key, ledger::ExecutionResult::accept()});
      }
      const uint64_t about = store->tree_size();
      head = ledger::next_trail_head(suite(), head, about);
      draft.state_writes.emplace(ledger::trail_entry_key(kSubject, about),
                                 ledger::encode_trail_head(head));
      draft.state_writes.emplace(ledger::trail_head_key(kSubject), ledger::encode_trail_head(head));
      leaves.push_back(about);
      const ledger::BlockHeader header = store->append_block(draft).value();
      if (r + 1 == records) {
        checkpoint = consortium.signed_checkpoint(
            suite(), {header.chain_id, header.height, ledger::block_hash(suite(), header),
                      header.tree_size, header.tree_root});
      }
    }
    genesis = consortium.genesis(suite(), testing::test_chain_id(suite()));
    page = testing::trail_page(*store, checkpoint, kSubject, leaves, /*last=*/true);
  }

  testing::TempDir dir;
  testing::TestConsortium consortium;
  std::unique_ptr<ledger::ChainStore> store;
  ledger::SignedCheckpoint checkpoint;
  ledger::LoadedGenesis genesis;
  json page;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void BM_TrailProvenComplete(benchmark::State& state) {
  const uint64_t records = static_cast<uint64_t>(state.range(0));
  TrailFixture& f = bench::built_once<TrailFixture>(records);
  double rows_s = 0, complete_s = 0;
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    cli::TrailPageCheck rows = cli::check_trail_page(f.page, f.genesis);
    rows_s += seconds_since(start);
    start = std::chrono::steady_clock::now();
    cli::TrailCompleteness completeness(kSubject, f.genesis);
    const std::string why = completeness.add_page(f.page);
    complete_s += seconds_since(start);
    if (!rows.problem.empty() || rows.proven != records || !why.empty() ||
        completeness.records() != records) {
      state.SkipWithError(("the honest page did not verify: " + rows.problem + why).c_str());
      return;
    }
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["page_kib"] = static_cast<double>(f.page.dump().size()) / 1024;
  state.counters["trail_proofs_bytes"] = static_cast<double>(f.page["trail"].dump().size());
  state.counters["rows_check_ms"] = rows_s / n * 1e3;
  state.counters["completeness_ms"] = complete_s / n * 1e3;
  state.counters["completeness_over_rows"] = complete_s / rows_s;
}

}  // namespace

BENCHMARK(BM_TrailProvenComplete)->Arg(1'000)->Unit(benchmark::kMillisecond);
