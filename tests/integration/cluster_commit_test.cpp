// Three real nodes commit the same chain: under load, and when a follower was away.
#include <gtest/gtest.h>

#include <sstream>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <map>
#include <set>
#include <thread>

#include "integration/cluster_harness.h"
#include "integration/member_reader.h"
#include "integration/workload.h"

namespace medtrail::integration {
namespace {

using Clock = std::chrono::steady_clock;
using testing::HttpResponse;

std::vector<int> all_nodes(const Cluster& cluster) {
  std::vector<int> nodes;
  for (int i = 0; i < cluster.size(); ++i) nodes.push_back(i);
  return nodes;
}

// Every node has the same block hash at every height 1..height.
void expect_identical_blocks(Cluster& cluster, uint64_t height) {
  auto clients = clients_for(cluster, all_nodes(cluster));
  for (uint64_t h = 1; h <= height; ++h) {
    std::string first;
    for (int i = 0; i < cluster.size(); ++i) {
      HttpResponse r = clients[i].get("/v1/blocks/" + std::to_string(h));
      ASSERT_EQ(r.status, 200) << cluster.node(i).id << " block " << h << ": " << r.error << r.body;
      auto block = nlohmann::json::parse(r.body, nullptr, false);
      ASSERT_TRUE(block.is_object() && block.contains("hash")) << r.body;
      ASSERT_EQ(block.value("height", uint64_t{0}), h) << r.body;
      std::string hash = block["hash"].get<std::string>();
      if (i == 0) first = hash;
      ASSERT_EQ(hash, first) << "block " << h << " differs on " << cluster.node(i).id;
    }
  }
}

// Heads of all running nodes; they must agree (after wait_converged).
nlohmann::json agreed_head(Cluster& cluster) {
  nlohmann::json head;
  for (int i = 0; i < cluster.size(); ++i) {
    if (!cluster.running(i)) continue;
    auto s = cluster.status(i);
    EXPECT_TRUE(s.has_value()) << cluster.node(i).id << " gives no status";
    if (!s) continue;
    if (head.is_null()) head = *s;
    EXPECT_EQ((*s)["height"], head["height"]) << cluster.node(i).id;
    EXPECT_EQ((*s)["tree_size"], head["tree_size"]) << cluster.node(i).id;
    EXPECT_EQ((*s)["tree_root"], head["tree_root"]) << cluster.node(i).id;
  }
  return head;
}

TEST(ClusterIntegration, ThreeNodesCommitTenThousandRecordsIdentically) {
  Cluster cluster;
  cluster.start_all();
  ASSERT_TRUE(cluster.wait_all_ready()) << "not every node became ready";
  ASSERT_TRUE(cluster.leader().has_value()) << "no leader";

  constexpr size_t kThreads = 4, kPerThread = 2500, kBatch = 100;
  std::vector<std::string> errors(kThreads);
  std::vector<SubmitStats> stats(kThreads);
  std::vector<std::vector<std::string>> ids(kThreads);
  auto started = Clock::now();
  std::vector<std::thread> threads;
  for (size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto records = make_records(cluster, cluster.orgs()[t], "bulk" + std::to_string(t), 0,
                                  kPerThread);
      auto clients = clients_for(cluster, all_nodes(cluster));
      for (size_t b = 0; b * kBatch < records.size(); ++b) {
        std::vector<Record> batch(records.begin() + b * kBatch,
                                  records.begin() + (b + 1) * kBatch);
        // Spread the arrays over every node: followers forward to the leader.
        if (!submit_until_final(clients, batch, t + b, Clock::now() + 120s, stats[t])) {
          errors[t] = stats[t].last_error;
          return;
        }
        for (const auto& r : batch) ids[t].push_back(r.id);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  size_t retries = 0;
  std::map<std::string, size_t> reasons;
  for (size_t t = 0; t < kThreads; ++t) {
    ASSERT_EQ(errors[t], "") << "client thread " << t;
    retries += stats[t].retries;
    for (const auto& [why, n] : stats[t].retry_reasons) reasons[why] += n;
  }
  std::printf("committed %zu records in %.1f s (%.0f records/s), %zu arrays resent\n",
              kThreads * kPerThread, seconds, kThreads * kPerThread / seconds, retries);
  for (const auto& [why, n] : reasons) std::printf("  resent %zu times after: %s\n", n, why.c_str());

  ASSERT_TRUE(cluster.wait_converged(30s)) << "nodes did not reach the same head";
  nlohmann::json head = agreed_head(cluster);
  EXPECT_EQ(head.value("tree_size", uint64_t{0}), kThreads * kPerThread) << head.dump();
  expect_identical_blocks(cluster, head.value("height", uint64_t{0}));

  // A sample of the records is readable on every node, to a regulator's auditor.
  MemberReader reader(cluster);
  auto clients = clients_for(cluster, all_nodes(cluster));
  for (size_t t = 0; t < kThreads; ++t) {
    for (size_t k = 0; k < ids[t].size(); k += 97) {
      for (int i = 0; i < cluster.size(); ++i) {
        HttpResponse r = reader.get(clients[i], cluster.node(i).id, "/v1/records/" + ids[t][k]);
        ASSERT_EQ(r.status, 200) << cluster.node(i).id << " " << ids[t][k] << ": " << r.body;
      }
    }
  }

  for (int i = 0; i < cluster.size(); ++i) {
    EXPECT_EQ(cluster.stop(i, SIGTERM), 0) << cluster.node(i).id << " did not exit cleanly";
  }
  for (int i = 0; i < cluster.size(); ++i) {
    std::string output;
    int rc = cluster.run_cli({"verify-chain", "--data-dir", cluster.data_dir(i), "--genesis",
                              cluster.genesis_path(), "--quiet"},
                             &output);
    EXPECT_EQ(rc, 0) << cluster.node(i).id << ": " << output;
    if (i == 0) std::printf("verify-chain %s: %s", cluster.node(i).id.c_str(), output.c_str());
  }
}

// Stops a follower, commits 2,000 records without it, restarts it and checks it caught up.
// Returns the node that was away.
int catch_up_after_absence(Cluster& cluster, const std::string& tag, size_t per_batch = 100) {
  auto leader = cluster.leader();
  EXPECT_TRUE(leader.has_value()) << "no leader";
  if (!leader) return -1;
  int away = (*leader + 1) % cluster.size();
  int other = (*leader + 2) % cluster.size();
  EXPECT_EQ(cluster.stop(away, SIGTERM), 0) << cluster.node(away).id << " did not exit cleanly";

  auto clients = clients_for(cluster, {*leader, other});
  auto records = make_records(cluster, cluster.orgs()[3], tag, 0, 2000);
  SubmitStats stats;
  for (size_t b = 0; b * per_batch < records.size(); ++b) {
    std::vector<Record> batch(records.begin() + b * per_batch,
                              records.begin() + (b + 1) * per_batch);
    EXPECT_TRUE(submit_until_final(clients, batch, b, Clock::now() + 60s, stats)) << stats.last_error;
  }

  cluster.start(away);
  EXPECT_TRUE(cluster.wait_ready(away)) << cluster.node(away).id << " did not come back";
  EXPECT_TRUE(cluster.wait_converged(30s)) << cluster.node(away).id << " did not catch up";
  nlohmann::json head = agreed_head(cluster);  // includes the node that was away
  EXPECT_EQ(head.value("tree_size", uint64_t{0}), 2000u) << head.dump();
  auto back = cluster.client(away);
  MemberReader reader(cluster);
  for (size_t k = 0; k < records.size(); k += 37) {
    EXPECT_EQ(reader.get(back, cluster.node(away).id, "/v1/records/" + records[k].id).status, 200) << records[k].id;
  }
  return away;
}

TEST(ClusterIntegration, RestartedNodeCatchesUpByLog) {
  Cluster cluster;
  cluster.start_all();
  ASSERT_TRUE(cluster.wait_all_ready());
  int away = catch_up_after_absence(cluster, "catchup");
  ASSERT_GE(away, 0);
  EXPECT_EQ(cluster.metric(away, "medtrail_snapshots_installed_total"), 0);
}

TEST(ClusterIntegration, RestartedNodeCatchesUpBySnapshotWhenTheLogIsCompacted) {
  ClusterOptions options;
  options.extra_toml = "\n[limits]\nsnapshot_every = 5\n";  // the leader compacts often
  Cluster cluster(options);
  cluster.start_all();
  ASSERT_TRUE(cluster.wait_all_ready());
  // Small batches make many entries: more than Raft keeps in flight to an absent follower (and
  // so more than its peer link can have queued), so the rest is only in the leader's snapshot.
  int away = catch_up_after_absence(cluster, "snapshot", 10);
  ASSERT_GE(away, 0);
  EXPECT_GE(cluster.metric(away, "medtrail_snapshots_installed_total"), 1);
  // The node's chain, rebuilt from the image, verifies offline like any other.
  ASSERT_EQ(cluster.stop(away, SIGTERM), 0);
  std::string output;
  EXPECT_EQ(cluster.run_cli({"verify-chain", "--data-dir", cluster.data_dir(away),
                             "--genesis", cluster.genesis_path(), "--quiet"},
                            &output),
            0)
      << output;
}

}  // namespace
}  // namespace medtrail::integration
