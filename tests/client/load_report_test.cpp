// `medtrail load`'s report (client/cli/load_report.cpp): the windows a long run is judged by.

#include "cli/load_report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace medtrail {
namespace {

using cli::LoadRunInfo;
using cli::LoadStats;
using nlohmann::json;

// One committed record answered `answered_ms` into the run after `latency_ms`.
void commit(LoadStats& stats, uint32_t answered_ms, uint32_t latency_ms) {
  ++stats.records;
  ++stats.committed;
  stats.latencies_us.push_back(latency_ms * 1000);
  stats.answered_ms.push_back(answered_ms);
}

TEST(LoadReport, EachWindowHasItsOwnCommitsAndLatenciesAcrossMergedConnections) {
  // Two connections, as the driver merges them: slow answers early, fast ones late, so a
  // window built from latencies sorted before they were paired with their times would be wrong.
  LoadStats a;
  LoadStats b;
  for (uint32_t i = 0; i < 50; ++i) {
    commit(a, i * 20, 40);  // 0–1 s: 100 slow, from both connections
    commit(b, i * 20 + 10, 40);
  }
  for (uint32_t i = 0; i < 25; ++i) {
    commit(a, 1000 + i * 40, 5);  // 1–2 s: 50 fast
    commit(b, 1020 + i * 40, 5);
  }
  a.merge(std::move(b));
  LoadRunInfo info{
      .mode = "open", .concurrency = 2, .rate = 100, .seconds = 2, .duration_s = 2, .window_s = 1};
  const json report = json::parse(cli::load_report_json(info, a));

  const json& w = report.at("windows");
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0]["from_s"], 0);
  EXPECT_EQ(w[0]["to_s"], 1);
  EXPECT_EQ(w[0]["committed"], 100);
  EXPECT_EQ(w[0]["records_per_s"], 100);
  EXPECT_EQ(w[0]["p50_ms"], 40);
  EXPECT_EQ(w[0]["max_ms"], 40);
  EXPECT_EQ(w[1]["from_s"], 1);
  EXPECT_EQ(w[1]["committed"], 50);
  EXPECT_EQ(w[1]["records_per_s"], 50);
  EXPECT_EQ(w[1]["p99_ms"], 5);
  // The whole run's figures are over every commit.
  EXPECT_EQ(report["committed"], 150);
  EXPECT_EQ(report["p50_ms"], 40);
  EXPECT_EQ(report["p99_ms"], 40);
}

// The 1 s windows of a closed-loop run of `duration_s` seconds.
json one_second_windows(LoadStats& stats, double duration_s) {
  LoadRunInfo info{.mode = "closed", .concurrency = 1, .duration_s = duration_s, .window_s = 1};
  return json::parse(cli::load_report_json(info, stats)).at("windows");
}

TEST(LoadReport, AnswersAfterTheDurationCountInTheLastWindowWhichEndsWithThem) {
  LoadStats stats;
  for (uint32_t i = 0; i < 10; ++i) commit(stats, 1000 + i * 100, 1);  // 1–2 s
  commit(stats, 2000, 90);  // the drain: answered as the duration ended...
  commit(stats, 2500, 90);  // ...and after
  const json w = one_second_windows(stats, 2);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[1]["from_s"], 1);
  EXPECT_EQ(w[1]["to_s"], 2.5);
  EXPECT_EQ(w[1]["committed"], 12);
  EXPECT_EQ(w[1]["records_per_s"], 8);
  EXPECT_EQ(w[1]["max_ms"], 90);
}

TEST(LoadReport, AQuietSpanIsAWindowWithNoCommitsNotAGap) {
  LoadStats stats;
  commit(stats, 100, 1);
  commit(stats, 2100, 1);
  const json w = one_second_windows(stats, 3);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[1]["committed"], 0);
  EXPECT_EQ(w[1]["records_per_s"], 0);
  EXPECT_EQ(w[1]["p99_ms"], 0);
  EXPECT_EQ(w[2]["committed"], 1);
}

TEST(LoadReport, NoWindowNoWindows) {
  LoadStats stats;
  commit(stats, 100, 1);
  LoadRunInfo info{.mode = "closed", .concurrency = 1, .seconds = 1, .duration_s = 1};
  EXPECT_FALSE(json::parse(cli::load_report_json(info, stats)).contains("windows"));
}

}  // namespace
}  // namespace medtrail
