// Membership over the real daemon: a fourth node created with `medtrail node init` joins as a
// learner through the admin endpoint (a regulator's signed request), catches up, is promoted;
// a founding node is removed; the chain goes on and every remaining node agrees.

#include <gtest/gtest.h>

#include <csignal>

#include "integration/cluster_harness.h"
#include "integration/workload.h"
#include "support/poll.h"

namespace medtrail::integration {
namespace {

using Clock = std::chrono::steady_clock;
using testing::wait_until;

// Signs a membership request with the regulator's admin key through the CLI.
std::string membership_request(Cluster& cluster, const std::vector<std::string>& args) {
  std::vector<std::string> cmd{"node", "membership", "--key", cluster.admin_key_path("reg-c"),
                               "--org", "reg-c"};
  cmd.insert(cmd.end(), args.begin(), args.end());
  std::string output;
  EXPECT_EQ(cluster.run_cli(cmd, &output), 0) << output;
  return output;
}

// POSTs fresh requests (each is accepted once) to the current leader until one is proposed.
bool propose(Cluster& cluster, const std::vector<std::string>& args) {
  const auto deadline = Clock::now() + 30s;
  while (Clock::now() < deadline) {
    auto leader = cluster.leader(5s);
    if (leader) {
      auto reply = cluster.client(*leader).post("/v1/admin/membership",
                                                membership_request(cluster, args), "application/json");
      if (reply.status == 202) return true;
      if (reply.status != 409 && reply.status != 503) {
        ADD_FAILURE() << "membership: " << reply.status << " " << reply.body;
        return false;
      }
    }
    std::this_thread::sleep_for(200ms);
  }
  return false;
}

TEST(MembershipIntegration, AddAFourthNodeThenRemoveOneAndTheChainContinues) {
  Cluster cluster;
  cluster.start_all();
  ASSERT_TRUE(cluster.wait_all_ready());
  auto leader = cluster.leader();
  ASSERT_TRUE(leader.has_value());
  auto clients = clients_for(cluster, {0, 1, 2});
  auto records = make_records(cluster, "clinic-d", "membership", 0, 400);
  SubmitStats stats;
  std::vector<Record> first(records.begin(), records.begin() + 200);
  ASSERT_TRUE(submit_until_final(clients, first, 0, Clock::now() + 60s, stats)) << stats.last_error;

  const int added = cluster.add_node("node-4", "clinic-d");
  ASSERT_TRUE(propose(cluster, {"--action", "add_learner", "--member",
                                cluster.node(added).dir + "/member.json"}));
  cluster.start(added);
  ASSERT_TRUE(wait_until([&] {
    auto s = cluster.status(added);
    return s && lists(*s, "learners", "node-4") && s->value("tree_size", uint64_t{0}) == 200;
  }, 30s, kClusterPoll)) << "node-4 did not catch up as a learner";

  ASSERT_TRUE(propose(cluster, {"--action", "promote", "--node-id", "node-4"}));
  ASSERT_TRUE(wait_until([&] {
    auto s = cluster.status(added);
    return s && lists(*s, "voters", "node-4");
  }, 30s, kClusterPoll));

  leader = cluster.leader();
  ASSERT_TRUE(leader.has_value());
  const int removed = *leader == 0 ? 1 : 0;
  const std::string removed_id = cluster.node(removed).id;
  ASSERT_TRUE(propose(cluster, {"--action", "remove", "--node-id", removed_id}));
  ASSERT_TRUE(wait_until([&] {
    auto s = cluster.status(added);
    return s && !lists(*s, "voters", removed_id) && (*s)["voters"].size() == 3;
  }, 30s, kClusterPoll));
  ASSERT_EQ(cluster.stop(removed, SIGTERM), 0);

  std::vector<int> remaining;
  for (int i = 0; i < cluster.size(); ++i) {
    if (i != removed) remaining.push_back(i);
  }
  auto after = clients_for(cluster, remaining);
  std::vector<Record> second(records.begin() + 200, records.end());
  ASSERT_TRUE(submit_until_final(after, second, 1, Clock::now() + 60s, stats)) << stats.last_error;
  ASSERT_TRUE(cluster.wait_converged(30s));
  auto s = cluster.status(added);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->value("tree_size", uint64_t{0}), 400u);
}

}  // namespace
}  // namespace medtrail::integration
