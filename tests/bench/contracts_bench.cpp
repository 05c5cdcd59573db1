// Contract apply throughput (issue 5): how many records per second the contracts execute, as a
// ratio of one core's Ed25519 verification rate measured in the same process.
//
// The workload is one day of a provincial deployment: 100,000 records in blocks of 500, mixed
// per 100 as 35 rx (10 issue, 10 review, 10 dispense, 5 deliver), 30 vaccine (25 administer,
// 5 supply: lot register/release, codes.add, ship and receive from maker to CDC to clinic),
// 10 tableware (3 batch, 7 ship), 20 access.read (2 of them break-glass) and 5 identity/other
// (3 identity.register, 2 access.justify). Staff are registered up front; prescriptions, doses,
// batches and index entries accumulate through the day; each step of a case (a prescription
// reviewed, doses given after the clinic received them) lands about a block after the one before.
// Envelopes are signed, payloads parsed
// and record ids hashed before timing: the timed loop is BlockExecutor::execute per record plus
// committing each block's writes into a std::map (what the node hands to the store).
//
// BM_ContractsApply: records/s and state writes per record.
// BM_VerifyVsContracts: the same envelopes' Ed25519 signatures verified on one thread, and one
// apply pass in the same iteration: contracts_over_verify = apply rate / verify rate.
// BM_VerifyVsContractsAllCores: both on every core — verification on a thread pool, the
// contracts speculating on the same pool (BlockExecutor::speculate, as the node applies).
// BM_ContractsApplyByKind: where the apply time goes, in microseconds per record of each kind.
// BM_ExecuteFixedCosts: the steps every record pays before its handler, timed alone.
// BM_SealedVsClear: the node's CPU per record (parse, verify, execute, commit) on the same day
// with and without its confidential fields sealed: sealed_over_clear (goal >= 0.9).
// BM_StateMapVsWithout (issue 20): the apply pass again with each block's writes put into the
// authenticated state map (keys and values hashed, the map updated, its nodes kept in memory):
// state_map_over_without (goal >= 0.6) and state_map_over_verify (goal >= 3).

#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "bench/contracts/day.h"
#include "medtrail/contracts/block_executor.h"
#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/registry.h"
#include "medtrail/ledger/state_map.h"
#include "medtrail/ledger/state_map_memory.h"
#include "medtrail/ledger/thread_pool.h"

namespace {

using namespace medtrail;
using bench::Day;
using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

struct ApplyStats {
  size_t records = 0;
  size_t accepted = 0;
  size_t writes = 0;        // state entries committed (values and index entries)
  double execute_s = 0;     // the contracts: every record executed, the block's writes taken
  double commit_s = 0;      // the writes put into the in-memory store standing in for RocksDB
  double state_map_s = 0;   // with a state map: the writes hashed and the map updated
  size_t speculations_kept = 0;
  double contracts_rate() const { return static_cast<double>(records) / execute_s; }
  double with_commit_rate() const { return static_cast<double>(records) / (execute_s + commit_s); }
  double with_state_map_rate() const {
    return static_cast<double>(records) / (execute_s + state_map_s);
  }
};

// The authenticated state map over a day's state, one version per block, its nodes in memory
// (their writes count as commit, as the node's go into the block's RocksDB batch).
class AuthenticatedState {
 public:
  // Version 1: the state at the day's start (not timed).
  explicit AuthenticatedState(const bench::MemoryState& start) {
    ledger::StateWrites all;
    for (const auto& [key, value] : start.entries()) all.emplace(key, value);
    auto write = map_.update(std::nullopt, 1, changes(all));
    if (write.ok()) commit(*write);
    ok_ = write.ok();
  }
  bool ok() const { return ok_; }

  // The map's work for one block: `writes` hashed, and the next version computed.
  std::optional<ledger::StateMapWrite> update(const ledger::StateWrites& writes) {
    auto write = map_.update(version_, version_ + 1, changes(writes));
    if (!write.ok()) {
      ok_ = false;
      return std::nullopt;
    }
    ++version_;
    return std::move(*write);
  }
  void commit(const ledger::StateMapWrite& write) { nodes_.apply(write); }

 private:
  std::vector<ledger::StateMapChange> changes(const ledger::StateWrites& writes) const {
    std::vector<ledger::StateMapChange> out;
    out.reserve(writes.size());
    for (const auto& [key, value] : writes) {
      ledger::StateMapChange c{ledger::state_key_hash(suite_, ledger::as_bytes(key)), {}};
      if (value) c.value_hash = ledger::state_value_hash(suite_, ledger::as_bytes(*value));
      out.push_back(c);
    }
    return out;
  }

  const ledger::CryptoSuite& suite_ = ledger::ed25519_sha256();
  ledger::StateMapMemoryNodes nodes_;
  ledger::StateMap map_{suite_, nodes_};
  uint64_t version_ = 1;
  bool ok_ = true;
};

// Where the body comes from: handed over by the payload parse (as the node applies), or parsed
// again by the executor (as a caller without it would).
enum class Body { kHandedOver, kParsedAgain };

// The timed part: every block through a fresh executor over `state`, writes committed after it.
// With `pool`, each block's records are first run speculatively on it, as the node's apply step
// does (the listing of the block's records for it is not timed).
// With `map`, each block's writes also go into the authenticated state map.
ApplyStats apply_day(const Day& day, bench::MemoryState& state, Body body = Body::kHandedOver,
                     ledger::ThreadPool* pool = nullptr, AuthenticatedState* map = nullptr) {
  ApplyStats stats;
  uint64_t leaf = 0;
  std::vector<contracts::BlockExecutor::PendingRecord> pending;
  for (const bench::Block& block : day.blocks) {
    pending.clear();
    for (const bench::Record& r : block.records) {
      pending.push_back({&r.envelope, &r.fields, r.record_id, body == Body::kHandedOver ? &r.body : nullptr});
    }
    auto t0 = Clock::now();
    contracts::BlockExecutor executor(contracts::Registry::standard(), state, day.chain,
                                      block.context);
    if (pool != nullptr) executor.speculate(pending, *pool);
    for (const contracts::BlockExecutor::PendingRecord& r : pending) {
      stats.accepted += executor.execute(*r.envelope, *r.fields, r.record_id, leaf++, r.body).accepted ? 1 : 0;
    }
    stats.speculations_kept += executor.speculations_kept();
    ledger::StateWrites writes = executor.take_writes();
    auto t1 = Clock::now();
    std::optional<ledger::StateMapWrite> map_write;
    if (map != nullptr) map_write = map->update(writes);
    auto t2 = Clock::now();
    stats.writes += writes.size();
    state.apply(writes);
    if (map_write) map->commit(*map_write);
    stats.execute_s += seconds(t0, t1);
    stats.state_map_s += seconds(t1, t2);
    stats.commit_s += seconds(t2, Clock::now());
    stats.records += block.records.size();
  }
  return stats;
}

// Applies the day once outside timing and reports any refusal: the mix must be all valid records,
// or the figures would measure refusals instead of work.
bool day_is_valid(const Day& day) {
  bench::MemoryState state = day.committed;
  uint64_t leaf = 0;
  size_t refused = 0;
  for (const bench::Block& block : day.blocks) {
    contracts::BlockExecutor executor(contracts::Registry::standard(), state, day.chain,
                                      block.context);
    for (const bench::Record& r : block.records) {
      ledger::ExecutionResult result = executor.execute(r.envelope, r.fields, r.record_id, leaf++, &r.body);
      if (!result.accepted && refused++ < 5) {
        std::fprintf(stderr, "refused %s: %s %s\n", r.fields.kind.c_str(),
                     result.reason_code.c_str(), result.reason.c_str());
      }
    }
    state.apply(executor.take_writes());
  }
  return refused == 0;
}

Day checked_day(bool sealed) {
  Day d = bench::build_day(100'000, 500, sealed);
  std::fprintf(stderr, "%s day: %zu records in %zu blocks, %zu committed entries at start; mix:",
               sealed ? "sealed" : "clear", d.record_count(), d.blocks.size(), d.committed.size());
  for (const auto& [kind, n] : d.kind_counts) std::fprintf(stderr, " %s=%zu", kind.c_str(), n);
  std::fprintf(stderr, "\n");
  if (!day_is_valid(d)) std::abort();
  return d;
}

const Day& the_day() {
  static const Day day = checked_day(false);
  return day;
}

// The same day on a chain that seals confidential fields: every rx.issue, administer and
// justify body sealed by its author's client.
const Day& the_sealed_day() {
  static const Day day = checked_day(true);
  return day;
}

void BM_ContractsApply(benchmark::State& state) {
  const Day& day = the_day();
  ApplyStats stats;
  for (auto _ : state) {
    bench::MemoryState committed = day.committed;  // not timed: the store at the day's start
    auto t0 = Clock::now();
    stats = apply_day(day, committed);
    state.SetIterationTime(seconds(t0, Clock::now()));
    if (stats.accepted != stats.records) state.SkipWithError("a record was refused");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * stats.records));
  state.counters["records"] = static_cast<double>(stats.records);
  state.counters["writes_per_record"] = static_cast<double>(stats.writes) / stats.records;
  state.counters["contracts_per_s"] = stats.contracts_rate();
  state.counters["with_commit_per_s"] = stats.with_commit_rate();
}
BENCHMARK(BM_ContractsApply)->Iterations(3)->UseManualTime()->Unit(benchmark::kMillisecond);

// The limit: every envelope's signature checked under its signer's key, one thread. Returns how
// many failed.
size_t verify_day(const Day& day) {
  size_t bad = 0;
  for (const bench::Block& block : day.blocks) {
    for (const bench::Record& r : block.records) {
      if (!ledger::verify_envelope_signature(r.envelope, r.public_key).ok()) ++bad;
    }
  }
  return bad;
}

void BM_VerifyVsContracts(benchmark::State& state) {
  const Day& day = the_day();
  double verify_rate = 0;
  ApplyStats handed, parsed;
  for (auto _ : state) {
    auto t0 = Clock::now();
    const size_t bad = verify_day(day);
    auto t1 = Clock::now();
    bench::MemoryState committed = day.committed;
    handed = apply_day(day, committed, Body::kHandedOver);
    committed = day.committed;
    parsed = apply_day(day, committed, Body::kParsedAgain);
    if (bad != 0 || handed.accepted != handed.records || parsed.accepted != parsed.records) {
      state.SkipWithError("verification failed");
    }
    verify_rate = day.record_count() / seconds(t0, t1);
    state.SetIterationTime(seconds(t0, t1));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * day.record_count()));
  state.counters["verify_per_s"] = verify_rate;
  state.counters["contracts_per_s"] = handed.contracts_rate();
  state.counters["contracts_over_verify"] = handed.contracts_rate() / verify_rate;
  // The same with the store's stand-in commit counted, and with the body parsed again.
  state.counters["with_commit_over_verify"] = handed.with_commit_rate() / verify_rate;
  state.counters["parsing_body_over_verify"] = parsed.contracts_rate() / verify_rate;
}
BENCHMARK(BM_VerifyVsContracts)->Iterations(3)->UseManualTime()->Unit(benchmark::kMillisecond);

// Issue 20's apply goal: the contracts' pass with the state map against without, and against
// one core's verification, all in one iteration. The map starts as the day's starting state.
void BM_StateMapVsWithout(benchmark::State& state) {
  const Day& day = the_day();
  ApplyStats without, with;
  double verify_rate = 0;
  for (auto _ : state) {
    auto t0 = Clock::now();
    const size_t bad = verify_day(day);
    verify_rate = day.record_count() / seconds(t0, Clock::now());
    bench::MemoryState committed = day.committed;
    without = apply_day(day, committed);
    committed = day.committed;
    AuthenticatedState map(day.committed);
    with = apply_day(day, committed, Body::kHandedOver, nullptr, &map);
    if (bad != 0 || !map.ok() || with.accepted != with.records) {
      state.SkipWithError("verification, the contracts or the state map failed");
      break;
    }
    state.SetIterationTime(without.execute_s + with.execute_s + with.state_map_s);
  }
  state.counters["contracts_per_s"] = without.contracts_rate();
  state.counters["with_state_map_per_s"] = with.with_state_map_rate();
  state.counters["state_map_us_per_write"] =
      with.state_map_s / static_cast<double>(with.writes) * 1e6;
  state.counters["state_map_over_without"] = with.with_state_map_rate() / without.contracts_rate();
  state.counters["state_map_over_verify"] = with.with_state_map_rate() / verify_rate;
}
BENCHMARK(BM_StateMapVsWithout)->Iterations(3)->UseManualTime()->Unit(benchmark::kMillisecond);

// Every core: signatures verified on a pool of one thread per core, then the contracts run
// with speculation on the same pool. Counters: both rates, their ratio, and the share of
// speculative results that stood (the rest ran again in block order).
void BM_VerifyVsContractsAllCores(benchmark::State& state) {
  const Day& day = the_day();
  ledger::ThreadPool pool;
  std::vector<const bench::Record*> all;
  for (const bench::Block& block : day.blocks) {
    for (const bench::Record& r : block.records) all.push_back(&r);
  }
  double verify_rate = 0;
  double apply_rate = 0;
  double kept_share = 0;
  for (auto _ : state) {
    std::atomic<size_t> bad{0};
    auto t0 = Clock::now();
    pool.parallel_for(all.size(), [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; ++i) {
        if (!ledger::verify_envelope_signature(all[i]->envelope, all[i]->public_key).ok()) ++bad;
      }
    });
    auto t1 = Clock::now();
    bench::MemoryState committed = day.committed;
    ApplyStats stats = apply_day(day, committed, Body::kHandedOver, &pool);
    if (bad != 0 || stats.accepted != stats.records) state.SkipWithError("verification failed");
    verify_rate = day.record_count() / seconds(t0, t1);
    apply_rate = stats.contracts_rate();
    kept_share = static_cast<double>(stats.speculations_kept) / static_cast<double>(stats.records);
    state.SetIterationTime(seconds(t0, t1));
  }
  state.counters["threads"] = static_cast<double>(pool.concurrency());
  state.counters["verify_per_s"] = verify_rate;
  state.counters["contracts_per_s"] = apply_rate;
  state.counters["contracts_over_verify"] = apply_rate / verify_rate;
  state.counters["speculations_kept"] = kept_share;
}
BENCHMARK(BM_VerifyVsContractsAllCores)->Iterations(3)->UseManualTime()->Unit(benchmark::kMillisecond);

// Each record timed on its own (about 50 ns of clock reads each), summed per kind; the block
// commits are timed apart. Counters: microseconds per record of a kind, "commit" per record.
void BM_ContractsApplyByKind(benchmark::State& state) {
  const Day& day = the_day();
  std::map<std::string, double> total_s;
  double commit_s = 0;
  for (auto _ : state) {
    bench::MemoryState committed = day.committed;
    auto start = Clock::now();
    uint64_t leaf = 0;
    for (const bench::Block& block : day.blocks) {
      contracts::BlockExecutor executor(contracts::Registry::standard(), committed, day.chain,
                                        block.context);
      for (const bench::Record& r : block.records) {
        auto t0 = Clock::now();
        benchmark::DoNotOptimize(executor.execute(r.envelope, r.fields, r.record_id, leaf++, &r.body));
        total_s[r.fields.kind] += seconds(t0, Clock::now());
      }
      auto t0 = Clock::now();
      committed.apply(executor.take_writes());
      commit_s += seconds(t0, Clock::now());
    }
    state.SetIterationTime(seconds(start, Clock::now()));
  }
  const double runs = static_cast<double>(state.iterations());
  for (const auto& [kind, s] : total_s) {
    state.counters[kind] = s / runs / static_cast<double>(day.kind_counts.at(kind)) * 1e6;
  }
  state.counters["commit"] = commit_s / runs / static_cast<double>(day.record_count()) * 1e6;
}
BENCHMARK(BM_ContractsApplyByKind)->Iterations(2)->UseManualTime()->Unit(benchmark::kMillisecond);

// What execute() does for every record before the handler, each step timed alone over the day's
// records against the day's starting state (staff are all there): the signer's identity read and
// parsed, its validity, its organisation, and the payload parsed again to reach the body.
// Counters: microseconds per record.
void BM_ExecuteFixedCosts(benchmark::State& state) {
  const Day& day = the_day();
  const contracts::BlockState block_state(day.committed);
  double signer_s = 0, validity_s = 0, org_s = 0, payload_s = 0;
  for (auto _ : state) {
    auto start = Clock::now();
    for (const bench::Block& block : day.blocks) {
      for (const bench::Record& r : block.records) {
        auto t0 = Clock::now();
        std::optional<contracts::Signer> signer =
            contracts::find_signer(block_state, day.chain, r.envelope.signer);
        auto t1 = Clock::now();
        benchmark::DoNotOptimize(contracts::signer_validity(block_state, day.chain, *signer,
                                                            block.context.timestamp_ms));
        auto t2 = Clock::now();
        benchmark::DoNotOptimize(contracts::find_org(block_state, day.chain, signer->org));
        auto t3 = Clock::now();
        nlohmann::json payload =
            nlohmann::json::parse(ledger::as_chars(r.envelope.payload), nullptr,
                                  /*allow_exceptions=*/false);
        benchmark::DoNotOptimize(payload);
        auto t4 = Clock::now();
        signer_s += seconds(t0, t1);
        validity_s += seconds(t1, t2);
        org_s += seconds(t2, t3);
        payload_s += seconds(t3, t4);
      }
    }
    state.SetIterationTime(seconds(start, Clock::now()));
  }
  const double per_record = 1e6 / static_cast<double>(state.iterations() * day.record_count());
  state.counters["find_signer_us"] = signer_s * per_record;
  state.counters["signer_validity_us"] = validity_s * per_record;
  state.counters["find_org_us"] = org_s * per_record;
  state.counters["payload_parse_us"] = payload_s * per_record;
}
BENCHMARK(BM_ExecuteFixedCosts)->Iterations(2)->UseManualTime()->Unit(benchmark::kMillisecond);

// Confidential fields (docs/privacy.md): what sealing costs the node. Each record from its
// payload on, as the node handles it: the payload parsed (body included), the signature
// verified, the contracts run and the block's writes committed — on the clear day and on the
// same day with its confidential fields sealed, alternating in one process. Goal (issue 17):
// sealed_over_clear >= 0.9. The clients' own sealing time is reported apart (client_seal_us).
struct NodePath {
  double seconds = 0;
  double parse_s = 0, verify_s = 0, execute_s = 0;  // the steps' shares of `seconds`
  size_t records = 0;
  size_t accepted = 0;
  size_t payload_bytes = 0;
  double rate() const { return static_cast<double>(records) / seconds; }
};

NodePath node_path(const Day& day) {
  bench::MemoryState state = day.committed;
  NodePath out;
  uint64_t leaf = 0;
  auto t0 = Clock::now();
  for (const bench::Block& block : day.blocks) {
    contracts::BlockExecutor executor(contracts::Registry::standard(), state, day.chain, block.context);
    for (const bench::Record& r : block.records) {
      nlohmann::json body;
      auto a = Clock::now();
      auto fields = ledger::parse_payload(r.envelope, &body);
      auto b = Clock::now();
      const bool verified = ledger::verify_envelope_signature(r.envelope, r.public_key).ok();
      auto c = Clock::now();
      if (!fields.ok() || !verified) continue;
      out.accepted += executor.execute(r.envelope, *fields, r.record_id, leaf++, &body).accepted ? 1 : 0;
      out.execute_s += seconds(c, Clock::now());
      out.parse_s += seconds(a, b);
      out.verify_s += seconds(b, c);
      out.payload_bytes += r.envelope.payload.size();
    }
    state.apply(executor.take_writes());
    out.records += block.records.size();
  }
  out.seconds = seconds(t0, Clock::now());
  return out;
}

void BM_SealedVsClear(benchmark::State& state) {
  const Day& clear = the_day();
  const Day& sealed = the_sealed_day();
  NodePath c, s;
  double clear_s = 0, sealed_s = 0;
  for (auto _ : state) {
    c = node_path(clear);
    s = node_path(sealed);
    if (c.accepted != c.records || s.accepted != s.records) state.SkipWithError("a record was refused");
    clear_s += c.seconds;
    sealed_s += s.seconds;
    state.SetIterationTime(c.seconds + s.seconds);
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["clear_per_s"] = static_cast<double>(c.records) * n / clear_s;
  state.counters["sealed_per_s"] = static_cast<double>(s.records) * n / sealed_s;
  state.counters["sealed_over_clear"] = clear_s / sealed_s;
  state.counters["clear_payload_bytes"] = static_cast<double>(c.payload_bytes) / c.records;
  state.counters["sealed_payload_bytes"] = static_cast<double>(s.payload_bytes) / s.records;
  state.counters["sealed_share"] = static_cast<double>(sealed.sealed_records) / sealed.record_count();
  const double per_record = 1e6 / static_cast<double>(c.records);
  state.counters["clear_parse_us"] = c.parse_s * per_record;
  state.counters["sealed_parse_us"] = s.parse_s * per_record;
  state.counters["clear_verify_us"] = c.verify_s * per_record;
  state.counters["sealed_verify_us"] = s.verify_s * per_record;
  state.counters["clear_execute_us"] = c.execute_s * per_record;
  state.counters["sealed_execute_us"] = s.execute_s * per_record;
  state.counters["client_seal_us"] = 1e6 * sealed.sealing_s / static_cast<double>(sealed.sealed_records);
}
BENCHMARK(BM_SealedVsClear)->Iterations(3)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace
