#include "integration/chaos_run.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/envelope.h"

namespace medtrail::integration::chaos {

using namespace std::chrono_literals;

namespace {

struct NodeHead {
  uint64_t height = 0;
  uint64_t tree_size = 0;
  std::string tree_root;
};

// The chain as node `i` stored it: its head, and (when `records`) every leaf in order.
NodeHead read_chain(const Cluster& cluster, int i, std::vector<ChainRecord>* records) {
  auto store = ledger::ChainStore::open_existing(cluster.data_dir(i) + "/db", /*read_only=*/true);
  if (!store.ok()) throw std::runtime_error(cluster.node(i).id + ": " + store.status().to_string());
  NodeHead head{(*store)->height(), (*store)->tree_size(), ledger::to_hex((*store)->tree_root())};
  for (uint64_t leaf = 0; records != nullptr && leaf < head.tree_size; ++leaf) {
    auto record = (*store)->leaf_at(leaf);
    if (!record.ok()) throw std::runtime_error(cluster.node(i).id + ": leaf " + std::to_string(leaf));
    records->push_back({leaf, ledger::record_id(record->envelope).value(), record->result.accepted,
                        record->result.reason_code});
  }
  return head;
}

}  // namespace

uint64_t env_number(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}

namespace {
ClusterOptions chaos_cluster_options() {
  ClusterOptions options;
  // An answer before the client gives up on it (chaos_workload.h: 6 s).
  options.extra_toml = "[limits]\ncommit_wait_ms = 4000\n";
  return options;
}
}  // namespace

ChaosCluster::ChaosCluster(const NemesisOptions& nemesis_options, uint64_t seed)
    : cluster(chaos_cluster_options()), nemesis(cluster, nemesis_options), workload(cluster, {.clients = 4, .seed = seed}) {}

bool ChaosCluster::start(std::string* why) {
  cluster.start_all();
  if (!cluster.wait_all_ready(60s)) {
    *why = "the nodes did not become ready";
    return false;
  }
  if (!cluster.leader(30s).has_value()) {
    *why = "no leader";
    return false;
  }
  return workload.prepare(why);
}

std::set<std::string> env_faults(const char* name, const std::set<std::string>& fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  std::set<std::string> faults;
  std::stringstream list(v);
  for (std::string f; std::getline(list, f, ',');) {
    if (!kAllFaults.contains(f)) throw std::invalid_argument(std::string(name) + ": no fault '" + f + "'");
    faults.insert(f);
  }
  return faults;
}

Verdict settle_and_check(Cluster& cluster, const std::vector<Op>& history) {
  EXPECT_TRUE(cluster.wait_converged(120s)) << "the nodes did not agree on one head after the faults";
  for (int i = 0; i < cluster.size(); ++i) {
    EXPECT_EQ(cluster.stop(i), 0) << cluster.node(i).id << " did not stop cleanly";
  }
  std::vector<ChainRecord> chain;
  const NodeHead first = read_chain(cluster, 0, &chain);
  for (int i = 1; i < cluster.size(); ++i) {
    const NodeHead head = read_chain(cluster, i, nullptr);
    EXPECT_EQ(head.height, first.height) << cluster.node(i).id;
    EXPECT_EQ(head.tree_size, first.tree_size) << cluster.node(i).id;
    EXPECT_EQ(head.tree_root, first.tree_root) << cluster.node(i).id;
  }
  for (int i = 0; i < cluster.size(); ++i) {
    std::string output;
    EXPECT_EQ(cluster.run_cli({"verify-chain", "--data-dir", cluster.data_dir(i), "--genesis",
                               cluster.genesis_path(), "--quiet"},
                              &output),
              0)
        << cluster.node(i).id << ": " << output;
  }
  Verdict verdict{check_history(history, chain), first.height, first.tree_size};
  for (const std::string& problem : verdict.history.problems) ADD_FAILURE() << problem;
  return verdict;
}

}  // namespace medtrail::integration::chaos
