// A node whose disk fails under load (tests/integration/disk_fault_shim.cpp, preloaded into the
// node): a disk filling up, fsync errors, write errors, a full disk, a write torn by power loss.
// Then the node restarts from what its disk holds into the same chain as the others, and nothing
// the cluster acknowledged is lost.
//   filling up, fsync errors   the node stops cleanly: exit 2, "stopped on a failure", and why
//   write errors, full disk    RocksDB's own assertion aborts the process (Debian builds it
//                              with assertions; docs/reliability.md, "Disks") unless the node
//                              stopped first — either way, never a hang
//   torn write                 the process dies mid-write (the shim kills it)
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "integration/cluster_harness.h"
#include "integration/workload.h"
#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/envelope.h"
#include "support/poll.h"

namespace medtrail::integration {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kFaulty = 2;  // node-3

// Records committed continuously, each batch resent until the cluster takes it; the ids of
// every acknowledged record are kept.
class Load {
 public:
  explicit Load(const Cluster& cluster) {
    thread_ = std::thread([this, &cluster] {
      auto clients = clients_for(cluster, {0, 1, 2}, 8s);
      for (size_t seq = 0; !stop_; seq += 5) {
        auto records = make_records(cluster, "pharm-b", "disk", seq, 5);
        SubmitStats stats;
        if (!submit_until_final(clients, records, seq / 5, Clock::now() + 120s, stats, &stop_)) {
          if (!stop_) failure_ = stats.last_error;
          continue;
        }
        std::lock_guard lock(mu_);
        for (const auto& r : records) acknowledged_.insert(r.id);
      }
    });
  }
  ~Load() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  size_t count() {
    std::lock_guard lock(mu_);
    return acknowledged_.size();
  }
  std::set<std::string> acknowledged() {
    std::lock_guard lock(mu_);
    return acknowledged_;
  }
  std::string failure() { return failure_; }

 private:
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::set<std::string> acknowledged_;
  std::string failure_;
  std::thread thread_;
};

class DiskFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    fault_file = cluster.node(kFaulty).dir + "/disk-fault";
    set_fault("none");
    for (int i = 0; i < cluster.size(); ++i) {
      if (i != kFaulty) cluster.start(i);
    }
    start_faulty();
    ASSERT_TRUE(cluster.wait_all_ready());
  }

  void set_fault(const std::string& mode) { std::ofstream(fault_file) << mode << "\n"; }

  void start_faulty() {
    std::vector<std::string> env = preload_environment(MEDTRAIL_DISK_FAULT_SHIM);
    env.insert(env.end(), {"MEDTRAIL_DISK_FAULT_FILE=" + fault_file, "MEDTRAIL_DISK_FAULT_DIR=" + cluster.data_dir(kFaulty)});
    cluster.start(kFaulty, env);
  }

  // Puts `mode` on node-3's disk under load; returns the node's exit code (-1: it did not exit).
  int fault_until_exit(const std::string& mode, Load& load) {
    const size_t before = load.count();
    EXPECT_TRUE(testing::wait_until([&] { return load.count() >= before + 10; }, 60s)) << "no load before " << mode;
    set_fault(mode);
    std::optional<int> code;
    testing::wait_until([&] { return (code = cluster.exited(kFaulty)).has_value(); }, 60s, 50ms);
    set_fault("none");
    return code.value_or(-1);
  }

  // node-3 starts again from its disk and catches up while the load goes on.
  void recover(Load& load) {
    start_faulty();
    ASSERT_TRUE(cluster.wait_ready(kFaulty, 60s)) << cluster.log_tail(kFaulty);
    const size_t before = load.count();
    EXPECT_TRUE(testing::wait_until([&] { return load.count() >= before + 10; }, 60s)) << load.failure();
  }

  std::set<std::string> records_on(int i) {
    std::set<std::string> ids;
    auto store = ledger::ChainStore::open_existing(cluster.data_dir(i) + "/db", /*read_only=*/true);
    EXPECT_TRUE(store.ok()) << store.status().to_string();
    for (uint64_t leaf = 0; store.ok() && leaf < (*store)->tree_size(); ++leaf) {
      ids.insert(ledger::record_id((*store)->leaf_at(leaf)->envelope).value());
    }
    return ids;
  }

  Cluster cluster;
  std::string fault_file;
};

TEST_F(DiskFaults, ANodeWhoseDiskFailsStopsCleanlyAndComesBackIntoTheSameChain) {
  Load load(cluster);
  // Stopped by the node itself, cleanly.
  for (const std::string mode : {"low-space", "eio-fsync"}) {
    const int code = fault_until_exit(mode, load);
    const std::string log = cluster.log_tail(kFaulty, 60);
    EXPECT_EQ(code, 2) << mode << ": the node must stop on the failure\n" << log;
    EXPECT_NE(log.find("stopped on a failure"), std::string::npos) << mode << "\n" << log;
    if (mode == "low-space") {
      EXPECT_NE(log.find("storage.min_free_mb"), std::string::npos) << log;
    }
    if (code == -1) cluster.kill9(kFaulty);
    recover(load);
  }
  // A failed WAL write: RocksDB's assertion, if the node did not stop first.
  for (const std::string mode : {"eio-write", "enospc"}) {
    const int code = fault_until_exit(mode, load);
    const std::string log = cluster.log_tail(kFaulty, 60);
    const bool rocksdb_assertion = code == 128 + SIGABRT && log.find("writable_file_writer") != std::string::npos;
    EXPECT_TRUE(code == 2 || rocksdb_assertion) << mode << ": exit " << code << "\n" << log;
    if (code == -1) cluster.kill9(kFaulty);
    recover(load);
  }
  EXPECT_EQ(fault_until_exit("torn", load), 128 + SIGKILL);
  recover(load);

  load.stop();
  EXPECT_EQ(load.failure(), "");
  ASSERT_TRUE(cluster.wait_converged(60s));
  for (int i = 0; i < cluster.size(); ++i) EXPECT_EQ(cluster.stop(i), 0) << cluster.node(i).id;
  const std::set<std::string> acknowledged = load.acknowledged();
  for (int i = 0; i < cluster.size(); ++i) {
    const std::set<std::string> held = records_on(i);
    size_t missing = 0;
    for (const auto& id : acknowledged) missing += held.contains(id) ? 0 : 1;
    EXPECT_EQ(missing, 0u) << cluster.node(i).id << " lacks acknowledged records";
    std::string output;
    EXPECT_EQ(cluster.run_cli({"verify-chain", "--data-dir", cluster.data_dir(i), "--genesis", cluster.genesis_path(),
                               "--quiet"},
                              &output),
              0)
        << cluster.node(i).id << ": " << output;
  }
  EXPECT_GT(acknowledged.size(), 40u);
}

}  // namespace
}  // namespace medtrail::integration
