// Randomized runs of the cluster simulator: many seeds, each a few thousand steps of client
// traffic, membership changes, leadership transfers and snapshots under crashes, torn writes,
// pauses, partitions (symmetric, one-way, swizzle-clog), lossy links and lying members. Every
// invariant is checked at every step and every history must be linearizable. A failure prints
// the seed; `consensus-sim --seed S --nodes K --steps M` replays it exactly.
//
// Sized for CI: 2,000 runs of 4,000 steps (plus the settle phase) take about 25 s on one core
// (RelWithDebInfo); the batches are separate tests so ctest spreads them over cores.

#include <gtest/gtest.h>

#include <string>

#include "sim/simulation.h"

namespace medtrail::sim {
namespace {

constexpr uint64_t kSteps = 4000;

// `faults`: "all", "none" or "lies" (only lying members, on a reliable network), as the CLI.
void run_seeds(uint64_t first, uint64_t count, int nodes, const std::string& faults) {
  int failures = 0;
  for (uint64_t seed = first; seed < first + count && failures < 3; ++seed) {
    SimOptions options;
    options.seed = seed;
    options.nodes = nodes;
    options.steps = kSteps;
    options.faults = faults != "none";
    if (faults == "lies") {
      options.fault_options.crashes = false;
      options.fault_options.pauses = false;
      options.fault_options.partitions = false;
      options.fault_options.link_faults = false;
      options.fault_options.baseline = LinkFaults{};
    }
    options.trace_lines = 40;
    const SimResult result = run_simulation(options);
    if (!result.ok()) {
      ++failures;
      ADD_FAILURE() << result.failure_report() << "replay: consensus-sim --seed " << seed
                    << " --steps " << kSteps << " --nodes " << nodes << " --faults " << faults;
    }
  }
}

// 1,000 seeds for each cluster size, in batches of 250.
TEST(SimRandomTest, ThreeNodesAllFaultsSeeds1To250) { run_seeds(1, 250, 3, "all"); }
TEST(SimRandomTest, ThreeNodesAllFaultsSeeds251To500) { run_seeds(251, 250, 3, "all"); }
TEST(SimRandomTest, ThreeNodesAllFaultsSeeds501To750) { run_seeds(501, 250, 3, "all"); }
TEST(SimRandomTest, ThreeNodesAllFaultsSeeds751To1000) { run_seeds(751, 250, 3, "all"); }
TEST(SimRandomTest, FiveNodesAllFaultsSeeds1To250) { run_seeds(1, 250, 5, "all"); }
TEST(SimRandomTest, FiveNodesAllFaultsSeeds251To500) { run_seeds(251, 250, 5, "all"); }
TEST(SimRandomTest, FiveNodesAllFaultsSeeds501To750) { run_seeds(501, 250, 5, "all"); }
TEST(SimRandomTest, FiveNodesAllFaultsSeeds751To1000) { run_seeds(751, 250, 5, "all"); }
TEST(SimRandomTest, ThreeNodesNoFaults) { run_seeds(1, 200, 3, "none"); }
TEST(SimRandomTest, FiveNodesNoFaults) { run_seeds(1, 200, 5, "none"); }

// Issue 13: lying members alone, so their lies are not lost among the other faults.
TEST(SimRandomTest, ThreeNodesLyingMembersSeeds1To150) { run_seeds(1, 150, 3, "lies"); }
TEST(SimRandomTest, FiveNodesLyingMembersSeeds1To150) { run_seeds(1, 150, 5, "lies"); }

TEST(SimRandomTest, SameSeedReplaysIdentically) {
  SimOptions options;
  options.seed = 42;
  options.nodes = 5;
  options.steps = kSteps;
  const SimResult a = run_simulation(options);
  const SimResult b = run_simulation(options);
  EXPECT_EQ(a.steps + a.settle_steps, b.steps + b.settle_steps);
  EXPECT_EQ(a.virtual_time, b.virtual_time);
  EXPECT_EQ(a.messages, b.messages);
  EXPECT_EQ(a.commits, b.commits);
  EXPECT_EQ(a.elections, b.elections);
  EXPECT_EQ(a.operations, b.operations);
}

TEST(SimRandomTest, RunsMakeProgressUnderFaults) {
  // Guards the simulator itself: faults must not be so heavy that nothing is ever committed,
  // acknowledged or read (a run that does nothing checks nothing).
  uint64_t commits = 0, acknowledged = 0, reads = 0, elections = 0, conf_changes = 0, lies = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    SimOptions options;
    options.seed = seed;
    options.steps = kSteps;
    const SimResult result = run_simulation(options);
    commits += result.commits;
    acknowledged += result.appends_acknowledged;
    reads += result.reads_checked;
    elections += result.elections;
    conf_changes += result.conf_changes;
    lies += result.lies;
  }
  EXPECT_GT(commits, 20u * 10);
  EXPECT_GT(acknowledged, 20u * 5);
  EXPECT_GT(reads, 20u * 3);
  EXPECT_GT(elections, 20u * 2);
  EXPECT_GT(conf_changes, 20u);
  EXPECT_GT(lies, 20u * 10);
}

}  // namespace
}  // namespace medtrail::sim
