// Killing the leader with SIGKILL, again and again under load, loses no committed record and
// never applies one twice.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "integration/cluster_harness.h"
#include "integration/member_reader.h"
#include "integration/workload.h"

namespace medtrail::integration {
namespace {

using Clock = std::chrono::steady_clock;
using testing::HttpClient;
using testing::HttpResponse;

// Client threads that keep submitting fresh arrays of records, each resent (to any node) until
// every record in it is on the chain. Destroying the load abandons it and joins the threads,
// so a failed assertion in the test body never leaves a thread running.
class Load {
 public:
  Load(const Cluster& cluster, int threads, size_t batch, size_t cap_per_thread) {
    for (int t = 0; t < threads; ++t) {
      threads_.emplace_back([this, &cluster, t, batch, cap_per_thread] {
        std::vector<HttpClient> clients;
        for (int i = 0; i < cluster.size(); ++i) clients.push_back(cluster.client(i, 12s));
        const std::string org = cluster.orgs()[t % cluster.orgs().size()];
        const std::string prefix = "chaos" + std::to_string(t);
        for (size_t seq = 0; !stop_ && seq < cap_per_thread; seq += batch) {
          auto records = make_records(cluster, org, prefix, seq, batch);
          SubmitStats stats;
          bool ok = submit_until_final(clients, records, t + seq / batch, Clock::now() + 90s,
                                       stats, &abandon_);
          std::lock_guard lock(mu_);
          retries_ += stats.retries;
          for (const auto& [why, n] : stats.retry_reasons) reasons_[why] += n;
          if (!ok) {
            errors_.push_back("thread " + std::to_string(t) + ": " + stats.last_error);
            return;
          }
          for (const auto& r : records) final_ids_.push_back(r.id);
        }
      });
    }
  }
  ~Load() {
    abandon_ = true;
    join();
  }
  // Lets every thread finish the array it is on (until it is final), then stops.
  void finish() {
    stop_ = true;
    join();
  }
  size_t final_count() {
    std::lock_guard lock(mu_);
    return final_ids_.size();
  }
  bool wait_for_more(size_t more, std::chrono::milliseconds timeout) {
    size_t target = final_count() + more;
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      if (final_count() >= target) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }
  std::vector<std::string> final_ids() {
    std::lock_guard lock(mu_);
    return final_ids_;
  }
  std::vector<std::string> errors() {
    std::lock_guard lock(mu_);
    return errors_;
  }
  size_t retries() {
    std::lock_guard lock(mu_);
    return retries_;
  }
  std::map<std::string, size_t> retry_reasons() {
    std::lock_guard lock(mu_);
    return reasons_;
  }

 private:
  void join() {
    for (auto& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }
  std::atomic<bool> stop_{false};
  std::atomic<bool> abandon_{false};
  std::mutex mu_;
  std::vector<std::string> final_ids_;
  std::vector<std::string> errors_;
  size_t retries_ = 0;
  std::map<std::string, size_t> reasons_;
  std::vector<std::thread> threads_;
};

TEST(ClusterIntegration, KillNineTheLeaderRepeatedlyLosesNothingCommitted) {
  Cluster cluster;
  cluster.start_all();
  ASSERT_TRUE(cluster.wait_all_ready());
  ASSERT_TRUE(cluster.leader().has_value()) << "no leader";

  Load load(cluster, 3, 50, 4000);
  auto began = Clock::now();
  auto since = [&] { return std::chrono::duration<double>(Clock::now() - began).count(); };
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(load.wait_for_more(300, 30s)) << "round " << round << ": the load stalled";
    std::printf("%.2f s: %zu records final\n", since(), load.final_count());
    auto leader = cluster.leader();
    ASSERT_TRUE(leader.has_value()) << "round " << round << ": no leader";
    auto killed_at = Clock::now();
    cluster.kill9(*leader);
    auto next = cluster.leader(20s);
    ASSERT_TRUE(next.has_value()) << "round " << round << ": no new leader after killing "
                                  << cluster.node(*leader).id;
    std::printf("%.2f s: round %d: killed %s, %s leads after %.2f s\n", since(), round,
                cluster.node(*leader).id.c_str(), cluster.node(*next).id.c_str(),
                std::chrono::duration<double>(Clock::now() - killed_at).count());
    cluster.start(*leader);
    ASSERT_TRUE(cluster.wait_ready(*leader)) << cluster.node(*leader).id << " did not restart";
    std::printf("%.2f s: %s restarted and ready\n", since(), cluster.node(*leader).id.c_str());
  }
  ASSERT_TRUE(load.wait_for_more(300, 30s)) << "the load stalled after the last round";
  load.finish();
  for (const auto& e : load.errors()) ADD_FAILURE() << e;
  ASSERT_TRUE(load.errors().empty());

  std::vector<std::string> ids = load.final_ids();
  std::set<std::string> distinct(ids.begin(), ids.end());
  ASSERT_EQ(distinct.size(), ids.size()) << "the load made one record twice";
  std::printf("%.2f s: %zu records on the chain, %zu arrays resent\n", since(), ids.size(),
              load.retries());
  for (const auto& [why, n] : load.retry_reasons()) {
    std::printf("  resent %zu times after: %s\n", n, why.c_str());
  }

  ASSERT_TRUE(cluster.wait_converged(30s)) << "nodes did not reach the same head";
  // Exactly once: every answered record is a leaf, and nothing else is.
  std::vector<uint64_t> heights;
  for (int i = 0; i < cluster.size(); ++i) {
    auto status = cluster.status(i);
    ASSERT_TRUE(status.has_value()) << cluster.node(i).id;
    EXPECT_EQ(status->value("tree_size", uint64_t{0}), ids.size()) << cluster.node(i).id;
    heights.push_back(status->value("height", uint64_t{0}));
  }
  // The leaves of those blocks on each node, listed to a regulator's auditor (whose
  // registration and signed reads land in later blocks).
  MemberReader reader(cluster);
  const std::multiset<std::string> want(ids.begin(), ids.end());
  for (int i = 0; i < cluster.size(); ++i) {
    HttpClient http = cluster.client(i);
    std::multiset<std::string> leaves;
    for (uint64_t h = 1; h <= heights[i]; ++h) {
      HttpResponse r = reader.get(http, cluster.node(i).id, "/v1/blocks/" + std::to_string(h));
      ASSERT_EQ(r.status, 200) << cluster.node(i).id << " block " << h << ": " << r.body;
      auto block = nlohmann::json::parse(r.body, nullptr, false);
      ASSERT_TRUE(block.is_object() && block.contains("record_ids")) << r.body;
      for (const auto& id : block["record_ids"]) leaves.insert(id.get<std::string>());
    }
    EXPECT_TRUE(leaves == want) << cluster.node(i).id << ": " << leaves.size() << " leaves for "
                                << want.size() << " answered records";
  }
}

}  // namespace
}  // namespace medtrail::integration
