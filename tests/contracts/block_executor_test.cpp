// The executor's own guards, with a registry of test kinds.
#include "medtrail/contracts/block_executor.h"

#include <gtest/gtest.h>

#include "contracts/contract_fixture.h"
#include "medtrail/ledger/trail_head.h"

namespace medtrail::contracts {
namespace {

using ledger::ExecutionResult;

ExecutionResult write_oversized_value(Call& call) {
  call.txn.put("test/big", std::string(ledger::kMaxStateValueBytes + 1, 'x'));
  call.txn.index("test/subject");
  return ExecutionResult::accept();
}

struct Counter {
  int64_t n = 0;
  static constexpr auto fields() { return std::tuple{field("n", &Counter::n)}; }
};

ExecutionResult bump_counter(Call& call) {
  call.txn.index("test/counter");
  Counter c = call.txn.read<Counter>("test/counter").value_or(Counter{});
  ++c.n;
  call.txn.write("test/counter", c);
  return ExecutionResult::accept();
}

// Names one subject twice, and another once, then refuses.
ExecutionResult index_twice_and_refuse(Call& call) {
  call.txn.index("test/counter");
  call.txn.index("test/counter");
  call.txn.index("test/other");
  return ExecutionResult::reject("refused", "refused after naming its subjects");
}

ExecutionResult write_small_value(Call& call) {
  call.txn.put("test/small", "1");
  return ExecutionResult::accept();
}

ExecutionResult index_out_of_range(Call& call) {
  call.txn.index("test/fault");
  return ExecutionResult::reject("never", std::string("x").substr(5));  // throws out_of_range
}

ExecutionResult empty_optional(Call& call) {
  call.txn.index("test/fault");
  std::optional<int> none;
  return ExecutionResult::reject("never", std::to_string(none.value()));
}

// A contract bug reached by a record's bytes is the same on every node: the record is refused
// and the chain goes on, instead of every node stopping on the same committed entry.
TEST(BlockExecutor, AContractThatFailsOnARecordRefusesTheRecordNotTheBlock) {
  testing::ContractFixture f;
  Registry registry({{"test.range", {kAdminRole}, {}, index_out_of_range},
                     {"test.optional", {kAdminRole}, {}, empty_optional},
                     {"test.small", {kAdminRole}, {}, write_small_value}});
  BlockExecutor executor(registry, f.state, f.chain, {1, f.now_ms()});
  uint64_t leaf = 0;
  for (const char* kind : {"test.range", "test.optional"}) {
    ledger::Envelope e = f.sign(f.admin("hosp-a"), kind, nlohmann::json::object());
    ExecutionResult r =
        executor.execute(e, ledger::parse_payload(e).value(), ledger::record_id(e).value(), leaf);
    EXPECT_EQ(r.reason_code, "contract_fault") << kind;
    ++leaf;
  }
  ledger::Envelope small = f.sign(f.admin("hosp-a"), "test.small", nlohmann::json::object());
  EXPECT_TRUE(executor
                  .execute(small, ledger::parse_payload(small).value(),
                           ledger::record_id(small).value(), leaf)
                  .accepted);
  ledger::StateWrites writes = executor.take_writes();
  EXPECT_EQ(writes.count(index_key("test/fault", 0)), 1u);  // refusals stay on their trails
  EXPECT_EQ(writes.count(index_key("test/fault", 1)), 1u);
}

TEST(BlockExecutor, RecordThatWouldOversizeAValueIsRefusedNotTheBlock) {
  testing::ContractFixture f;
  Registry registry({{"test.big", {kAdminRole}, {}, write_oversized_value},
                     {"test.small", {kAdminRole}, {}, write_small_value}});
  BlockExecutor executor(registry, f.state, f.chain, {1, f.now_ms()});
  ledger::Envelope big = f.sign(f.admin("hosp-a"), "test.big", nlohmann::json::object());
  ledger::Envelope small = f.sign(f.admin("hosp-a"), "test.small", nlohmann::json::object());
  ExecutionResult r =
      executor.execute(big, ledger::parse_payload(big).value(), ledger::record_id(big).value(), 0);
  EXPECT_EQ(r.reason_code, "state_too_large");
  EXPECT_TRUE(
      executor
          .execute(small, ledger::parse_payload(small).value(), ledger::record_id(small).value(), 1)
          .accepted);
  ledger::StateWrites writes = executor.take_writes();
  EXPECT_EQ(writes.count("test/big"), 0u);
  EXPECT_EQ(writes.count("test/small"), 1u);
  EXPECT_EQ(writes.count(index_key("test/subject", 0)), 1u);  // the refused record's trail stays
}

TEST(BlockExecutor, StoredValueThatDoesNotDecodeIsTheVerdictCorruptState) {
  testing::ContractFixture f;
  Registry registry({{"test.bump", {kAdminRole}, {}, bump_counter}});
  auto run = [&](uint64_t leaf) {
    BlockExecutor executor(registry, f.state, f.chain, {leaf + 1, f.now_ms()});
    ledger::Envelope e = f.sign(f.admin("hosp-a"), "test.bump", nlohmann::json::object());
    ExecutionResult r =
        executor.execute(e, ledger::parse_payload(e).value(), ledger::record_id(e).value(), leaf);
    f.state.apply(executor.take_writes());
    return r;
  };
  EXPECT_TRUE(run(0).accepted);
  EXPECT_TRUE(run(1).accepted);
  EXPECT_EQ(decode_value<Counter>(*f.state.get("test/counter"))->n, 2);
  f.state.apply({{"test/counter", std::string("{\"n\":2}")}});
  EXPECT_EQ(run(2).reason_code, "corrupt_state");
  EXPECT_EQ(*f.state.get("test/counter"), "{\"n\":2}");    // nothing written over it
  EXPECT_TRUE(f.state.get(index_key("test/counter", 2)));  // the refusal stays on the trail
}

// Each subject's trail head (ledger/trail_head.h): its entry per record holds the head after it,
// the head key the newest, across blocks and within one; a refused record is on the trail, and a
// subject named twice by one record is on it once.
TEST(BlockExecutor, EveryRecordExtendsItsSubjectsTrailHeadsAndEachEntryHoldsTheHeadAfterIt) {
  testing::ContractFixture f;
  Registry registry({{"test.bump", {kAdminRole}, {}, bump_counter},
                     {"test.twice", {kAdminRole}, {}, index_twice_and_refuse},
                     {"test.small", {kAdminRole}, {}, write_small_value}});
  const ledger::CryptoSuite& suite = *f.chain.suite;
  ledger::TrailHead counter, other;  // what the heads must be, chained here
  uint64_t leaf = 0;
  auto block = [&](std::vector<const char*> kinds) {
    BlockExecutor executor(registry, f.state, f.chain, {leaf + 1, f.now_ms()});
    for (const char* kind : kinds) {
      ledger::Envelope e = f.sign(f.admin("hosp-a"), kind, nlohmann::json::object());
      ExecutionResult r =
          executor.execute(e, ledger::parse_payload(e).value(), ledger::record_id(e).value(), leaf);
      EXPECT_EQ(r.accepted, std::string(kind) != "test.twice") << kind;
      if (std::string(kind) != "test.small")
        counter = ledger::next_trail_head(suite, counter, leaf);
      if (std::string(kind) == "test.twice") other = ledger::next_trail_head(suite, other, leaf);
      if (std::string(kind) != "test.small") {
        EXPECT_EQ(executor.writes().at(index_key("test/counter", leaf)),
                  ledger::encode_trail_head(counter))
            << leaf;
      }
      ++leaf;
    }
    f.state.apply(executor.take_writes());
  };
  block({"test.bump", "test.small", "test.twice"});
  block({"test.bump"});
  block({"test.twice", "test.bump", "test.small"});
  EXPECT_EQ(counter.count, 5u);
  EXPECT_EQ(other.count, 2u);
  EXPECT_EQ(*f.state.get(ledger::trail_head_key("test/counter")),
            ledger::encode_trail_head(counter));
  EXPECT_EQ(*f.state.get(ledger::trail_head_key("test/other")), ledger::encode_trail_head(other));
  EXPECT_EQ(*f.state.get(index_key("test/other", 4)), ledger::encode_trail_head(other));
  EXPECT_FALSE(f.state.get(index_key("test/counter", 1)).has_value());  // test.small names nothing
  EXPECT_EQ(f.state_json(ledger::trail_head_key("test/counter")),
            nlohmann::json({{"count", 5}, {"chain", ledger::to_hex(counter.chain)}}));
}

}  // namespace
}  // namespace medtrail::contracts
