// A leader whose wall clock jumps hours back, then hours ahead (an NTP step, an operator's
// mistake, a hostile member): block times never go backwards, the chain keeps committing, and
// every node agrees and verifies. The nodes run under Debian's libfaketime, each reading its
// clock offset from a file the test rewrites; the monotonic clock (Raft's timers) is left alone,
// as a real step of the wall clock leaves it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <fstream>

#include "integration/cluster_harness.h"
#include "integration/workload.h"
#include "medtrail/ledger/chain_store.h"
#include "support/sanitizers.h"

namespace medtrail::integration {
namespace {

using Clock = std::chrono::steady_clock;

class ClockJumps : public ::testing::Test {
 protected:
  void SetUp() override {
    if (medtrail::testing::kUnderThreadSanitizer) {
      GTEST_SKIP() << "libfaketime wraps pthread calls in front of TSan's own (support/sanitizers.h)";
    }
    for (int i = 0; i < cluster.size(); ++i) {
      offsets.push_back(cluster.node(i).dir + "/clock-offset");
      set_offset(i, "+0");
      std::vector<std::string> env = preload_environment(MEDTRAIL_LIBFAKETIME);
      env.insert(env.end(), {"FAKETIME_TIMESTAMP_FILE=" + offsets.back(), "FAKETIME_NO_CACHE=1",
                             "FAKETIME_DONT_FAKE_MONOTONIC=1"});
      cluster.start(i, env);
    }
    ASSERT_TRUE(cluster.wait_all_ready());
  }

  // libfaketime's relative form: "+0", "-3h", "+5h".
  void set_offset(int i, const std::string& offset) { std::ofstream(offsets.at(i)) << offset << "\n"; }

  // Records through every node in turn until all are on the chain.
  void commit(const std::string& prefix, size_t count) {
    auto clients = clients_for(cluster, {0, 1, 2}, 10s);
    SubmitStats stats;
    const auto records = make_records(cluster, "hosp-a", prefix, 0, count);
    EXPECT_TRUE(submit_until_final(clients, records, 0, Clock::now() + 60s, stats)) << prefix << ": " << stats.last_error;
  }

  // The node's own idea of now, from its HTTP Date header (its wall clock, faked or not), less
  // the test's: roughly the offset in force.
  int64_t skew_hours(int i) {
    testing::HttpResponse r = cluster.client(i, 5s).get("/healthz");
    std::tm tm{};
    const std::string date = r.header("date");
    if (::strptime(date.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) == nullptr) return 99;
    const int64_t theirs = ::timegm(&tm);
    const int64_t ours = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
    return (theirs - ours + (theirs >= ours ? 1800 : -1800)) / 3600;
  }

  // Every block's timestamp, from node `i`'s store (stopped).
  std::vector<uint64_t> block_times(int i) {
    auto store = ledger::ChainStore::open_existing(cluster.data_dir(i) + "/db", /*read_only=*/true);
    EXPECT_TRUE(store.ok()) << store.status().to_string();
    std::vector<uint64_t> times;
    for (uint64_t h = 1; store.ok() && h <= (*store)->height(); ++h) times.push_back((*store)->header_at(h)->timestamp_ms);
    return times;
  }

  Cluster cluster;
  std::vector<std::string> offsets;
};

TEST_F(ClockJumps, ALeaderWhoseClockJumpsHoursBackOrAheadNeverMovesBlockTimeBackNorStallsTheChain) {
  auto leader = cluster.leader(30s);
  ASSERT_TRUE(leader.has_value());
  commit("before", 10);

  set_offset(*leader, "-3h");
  ASSERT_EQ(skew_hours(*leader), -3) << "the leader's clock did not jump";
  commit("leader-3h-behind", 20);

  leader = cluster.leader(30s);
  ASSERT_TRUE(leader.has_value());
  set_offset(*leader, "+5h");
  ASSERT_EQ(skew_hours(*leader), 5) << "the leader's clock did not jump";
  commit("leader-5h-ahead", 20);

  for (int i = 0; i < cluster.size(); ++i) set_offset(i, "+0");
  commit("after", 10);
  ASSERT_TRUE(cluster.wait_converged(60s));

  for (int i = 0; i < cluster.size(); ++i) EXPECT_EQ(cluster.stop(i), 0) << cluster.node(i).id;
  const std::vector<uint64_t> times = block_times(0);
  ASSERT_FALSE(times.empty());
  for (size_t h = 1; h < times.size(); ++h) {
    EXPECT_GE(times[h], times[h - 1]) << "block " << h + 1 << " is older than block " << h;
  }
  // The jump ahead is on the chain (a leader's clock is trusted forward; docs/reliability.md).
  EXPECT_GE(times.back() - times.front(), static_cast<uint64_t>(4 * 3600 * 1000));
  for (int i = 1; i < cluster.size(); ++i) EXPECT_EQ(block_times(i), times) << cluster.node(i).id;
  for (int i = 0; i < cluster.size(); ++i) {
    std::string output;
    EXPECT_EQ(cluster.run_cli({"verify-chain", "--data-dir", cluster.data_dir(i), "--genesis", cluster.genesis_path(),
                               "--quiet"},
                              &output),
              0)
        << cluster.node(i).id << ": " << output;
  }
}

}  // namespace
}  // namespace medtrail::integration
