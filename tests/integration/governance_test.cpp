// Governance over the real daemon: a regulator's gov.propose (gov_approvals is 1 in this
// consortium) adds a fourth node created with `medtrail node init`; the leader follows the
// decision on its own — learner, then voter once caught up — and a second proposal removes a
// founding node. No admin endpoint is involved.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <sstream>

#include "integration/cluster_harness.h"
#include "integration/workload.h"
#include "medtrail/ledger/envelope.h"
#include "support/poll.h"

namespace medtrail::integration {
namespace {

using Clock = std::chrono::steady_clock;
using testing::HttpResponse;
using testing::wait_until;

// Signs gov.propose as reg-c's admin and commits it through node `via`; returns the result.
nlohmann::json propose(Cluster& cluster, int via, const nlohmann::json& body, const std::string& nonce) {
  nlohmann::json payload = {{"v", 1}, {"kind", "gov.propose"}, {"org", "reg-c"},
                            {"actor", "reg-c/admin"}, {"ts", "2026-11-23T10:00:00Z"},
                            {"nonce", nonce}, {"body", body}};
  auto e = ledger::sign_envelope(ledger::to_bytes(payload.dump()), cluster.admin_key("reg-c"));
  EXPECT_TRUE(e.ok());
  HttpResponse r = cluster.client(via).post("/v1/records?wait=commit", ledger::envelope_to_wire(*e));
  EXPECT_EQ(r.status, 200) << r.body;
  auto answer = nlohmann::json::parse(r.body, nullptr, false);
  return answer.is_object() ? answer.value("result", nlohmann::json()) : nlohmann::json();
}

TEST(GovernanceIntegration, ApprovedNodeChangesDriveRaftMembership) {
  Cluster cluster;
  cluster.start_all();
  ASSERT_TRUE(cluster.wait_all_ready());
  ASSERT_TRUE(cluster.leader().has_value());
  auto clients = clients_for(cluster, {0, 1, 2});
  auto records = make_records(cluster, "clinic-d", "gov", 0, 200);
  SubmitStats stats;
  std::vector<Record> first(records.begin(), records.begin() + 100);
  ASSERT_TRUE(submit_until_final(clients, first, 0, Clock::now() + 60s, stats)) << stats.last_error;

  const int added = cluster.add_node("node-4", "clinic-d");
  std::ifstream member_file(cluster.node(added).dir + "/member.json");
  std::stringstream member;
  member << member_file.rdbuf();
  nlohmann::json node = nlohmann::json::parse(member.str(), nullptr, false);
  ASSERT_TRUE(node.is_object()) << member.str();
  nlohmann::json result = propose(cluster, 0, {{"action", "node.add"}, {"node", node},
                                               {"reason", "clinic-d runs its own node"}}, "gov-add");
  ASSERT_EQ(result.value("accepted", false), true) << result.dump();

  cluster.start(added);
  ASSERT_TRUE(wait_until([&] {
    auto s = cluster.status(added);
    return s && lists(*s, "voters", "node-4");
  }, 60s, kClusterPoll)) << "node-4 was not added and promoted by the leader";

  auto leader = cluster.leader();
  ASSERT_TRUE(leader.has_value());
  const int removed = *leader == 0 ? 1 : 0;
  const std::string removed_id = cluster.node(removed).id;
  result = propose(cluster, *leader, {{"action", "node.remove"}, {"node_id", removed_id},
                                      {"reason", "decommissioned"}}, "gov-remove");
  ASSERT_EQ(result.value("accepted", false), true) << result.dump();
  ASSERT_TRUE(wait_until([&] {
    auto s = cluster.status(added);
    return s && !lists(*s, "voters", removed_id) && (*s)["voters"].size() == 3;
  }, 30s, kClusterPoll)) << "the removed founder is still a voter";
  ASSERT_EQ(cluster.stop(removed, SIGTERM), 0);

  std::vector<int> remaining;
  for (int i = 0; i < cluster.size(); ++i) {
    if (i != removed) remaining.push_back(i);
  }
  auto after = clients_for(cluster, remaining);
  std::vector<Record> second(records.begin() + 100, records.end());
  ASSERT_TRUE(submit_until_final(after, second, 1, Clock::now() + 60s, stats)) << stats.last_error;
  ASSERT_TRUE(cluster.wait_converged(30s));
}

}  // namespace
}  // namespace medtrail::integration
