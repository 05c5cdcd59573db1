// The whole node under simulation (node_sim.h): seeds swept in CI, more with
// MEDTRAIL_NODE_SIM_SEEDS=A-B (scripts/node-sim runs thousands), each replayable alone.
#include "node_sim.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace medtrail::node::testing {
namespace {

// "A-B" or "A" from the environment, else the default range.
std::pair<uint64_t, uint64_t> seed_range(uint64_t first, uint64_t last) {
  const char* env = std::getenv("MEDTRAIL_NODE_SIM_SEEDS");
  if (env == nullptr || *env == '\0') return {first, last};
  const std::string s(env);
  const size_t dash = s.find('-');
  const uint64_t a = std::stoull(s.substr(0, dash));
  const uint64_t b = dash == std::string::npos ? a : std::stoull(s.substr(dash + 1));
  return {a, b};
}

std::string describe(uint64_t seed, const NodeSimReport& r) {
  return "seed " + std::to_string(seed) + ": height " + std::to_string(r.height) + ", " +
         std::to_string(r.acknowledged) + "/" + std::to_string(r.submitted) + " acknowledged, " +
         std::to_string(r.crashes) + " crashes, " + std::to_string(r.partitions) + " partitions, " +
         std::to_string(r.snapshots_installed) + " snapshots installed";
}

TEST(NodeSim, SeedsHoldTheChainInvariants) {
  const auto [first, last] = seed_range(1, 8);
  const auto started = std::chrono::steady_clock::now();
  uint64_t failures = 0;
  for (uint64_t seed = first; seed <= last; ++seed) {
    NodeSimOptions options;
    options.seed = seed;
    const NodeSimReport r = run_node_sim(options);
    if (!r.ok) {
      ++failures;
      ADD_FAILURE() << describe(seed, r) << "\n  " << r.failure
                    << "\n  replay: MEDTRAIL_NODE_SIM_SEEDS=" << seed
                    << " build/tests/node_core_tests --gtest_filter=NodeSim.SeedsHoldTheChainInvariants";
    } else {
      std::printf("%s\n", describe(seed, r).c_str());  // progress, in a long sweep's log
      std::fflush(stdout);
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("node sim: seeds %llu-%llu, %llu failed, %.1f s\n", static_cast<unsigned long long>(first),
              static_cast<unsigned long long>(last), static_cast<unsigned long long>(failures), seconds);
}

TEST(NodeSim, ARunReplaysExactlyFromItsSeed) {
  NodeSimOptions options;
  options.seed = 4242;
  const NodeSimReport a = run_node_sim(options);
  const NodeSimReport b = run_node_sim(options);
  ASSERT_TRUE(a.ok) << a.failure;
  EXPECT_GT(a.acknowledged, 100u) << "the load reached the chain";
  EXPECT_GT(a.crashes + a.partitions, 0u) << "faults were injected";
  EXPECT_EQ(a.head, b.head);
  EXPECT_EQ(a.height, b.height);
  EXPECT_EQ(a.acknowledged, b.acknowledged);
  EXPECT_EQ(a.crashes, b.crashes);
}

}  // namespace
}  // namespace medtrail::node::testing
