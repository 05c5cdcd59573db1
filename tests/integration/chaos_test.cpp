// Jepsen-style: three real node processes, every peer link through a fault-injecting proxy,
// clients issuing, reviewing and competing to dispense prescriptions while partitions, one-way
// loss, delays, connection resets, kill -9 and pauses come and go. Afterwards every node must
// stop cleanly, hold the same chain and pass verify-chain, and the recorded history must be
// linearizable against that chain (chaos_history.h).
//
// CI runs a short form. scripts/chaos runs it longer, with the environment:
//   MEDTRAIL_CHAOS_SEED         the nemesis's and the clients' seed (default 1)
//   MEDTRAIL_CHAOS_SECONDS      how long faults come and go (default 30)
//   MEDTRAIL_CHAOS_FAULTS       a comma list of nemesis.h's faults (default: all)
//   MEDTRAIL_CHAOS_KILL_CYCLES  > 0: run until this many kill -9s (then only kill is injected
//                               unless FAULTS says otherwise)
//   MEDTRAIL_CHAOS_REPORT       a file to append the run's summary to (one JSON line)
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "integration/chaos_history.h"
#include "integration/chaos_nemesis.h"
#include "integration/chaos_run.h"
#include "integration/chaos_workload.h"
#include "integration/cluster_harness.h"

namespace medtrail::integration::chaos {
namespace {

TEST(Chaos, PrescriptionsUnderNetworkFaultsAndCrashesStayLinearizable) {
  const uint64_t seed = env_number("MEDTRAIL_CHAOS_SEED", 1);
  const uint64_t seconds = env_number("MEDTRAIL_CHAOS_SECONDS", 30);
  const int kill_cycles = static_cast<int>(env_number("MEDTRAIL_CHAOS_KILL_CYCLES", 0));
  NemesisOptions nemesis_options;
  nemesis_options.seed = seed;
  nemesis_options.faults =
      env_faults("MEDTRAIL_CHAOS_FAULTS", kill_cycles > 0 ? std::set<std::string>{"kill"} : kAllFaults);
  nemesis_options.kill_cycles = kill_cycles;

  ChaosCluster run(nemesis_options, seed);
  std::string why;
  ASSERT_TRUE(run.start(&why)) << why;
  Cluster& cluster = run.cluster;
  Nemesis& nemesis = run.nemesis;
  Workload& workload = run.workload;

  const auto started = std::chrono::steady_clock::now();
  workload.start();
  nemesis.run(started + (kill_cycles > 0 ? std::chrono::hours(2) : std::chrono::seconds(seconds)));
  workload.stop();
  nemesis.heal();
  const double ran = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const Verdict verdict = settle_and_check(cluster, workload.history());
  const CheckReport& report = verdict.history;
  std::ostringstream faults;
  for (const auto& [fault, count] : nemesis.injected()) faults << (faults.tellp() > 0 ? ", " : "") << fault << " " << count;
  std::cout << "chaos: seed " << seed << ", " << static_cast<int>(ran) << " s, faults: " << faults.str() << "\n"
            << "chaos: " << report.ops << " requests, " << report.acknowledged << " answered, " << report.unknown
            << " unanswered (" << report.unknown_on_chain << " of those records on the chain); dispenses "
            << report.accepted_dispenses << " accepted, " << report.refused_dispenses << " refused; chain "
            << verdict.blocks << " blocks, " << verdict.records << " records\n";
  for (const std::string& line : nemesis.log()) std::cout << "chaos:   " << line << "\n";
  if (const char* path = std::getenv("MEDTRAIL_CHAOS_REPORT"); path != nullptr && *path != '\0') {
    nlohmann::json line = {{"seed", seed},
                           {"seconds", static_cast<int>(ran)},
                           {"faults", nemesis.injected()},
                           {"kills", nemesis.kills()},
                           {"requests", report.ops},
                           {"answered", report.acknowledged},
                           {"unanswered", report.unknown},
                           {"unanswered_on_chain", report.unknown_on_chain},
                           {"dispenses_accepted", report.accepted_dispenses},
                           {"dispenses_refused", report.refused_dispenses},
                           {"blocks", verdict.blocks},
                           {"records", verdict.records},
                           {"problems", report.problems},
                           {"unexpected_exits", nemesis.unexpected_exits()}};
    std::ofstream(path, std::ios::app) << line.dump() << "\n";
  }

  EXPECT_TRUE(nemesis.unexpected_exits().empty()) << nemesis.unexpected_exits().front();
  // A run in which nothing got through proves nothing.
  EXPECT_GT(report.acknowledged, 0u);
  EXPECT_GT(report.accepted_dispenses, 0u);
  if (kill_cycles > 0) {
    EXPECT_EQ(nemesis.kills(), kill_cycles);
  }
}

}  // namespace
}  // namespace medtrail::integration::chaos
