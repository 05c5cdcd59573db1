#pragma once
// The chaos run's faults. Every link "node i dials node j" runs through its own FaultProxy
// (node.toml [peer_routes]), so the nemesis can cut, stall or slow each direction alone. It
// runs on the test's main thread (it starts node processes; see cluster_harness.h) and, from a
// seed, alternates a fault with a healed interval:
//   isolate   every link to and from one node cut (or stalled) — leader or follower
//   one-way   one direction between two nodes cut: i still hears j, j no longer hears i
//   slow      every link delayed 20..150 ms, with as much jitter
//   reset     every connection closed at once (they redial)
//   kill      kill -9 of one node (the leader half of the time); restarted at the heal
//   pause     SIGSTOP of one node (the leader half of the time); SIGCONT at the heal
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "integration/cluster_harness.h"
#include "integration/fault_proxy.h"

namespace medtrail::integration::chaos {

inline const std::set<std::string> kAllFaults{"isolate", "one-way", "slow", "reset", "kill", "pause"};

struct NemesisOptions {
  uint64_t seed = 1;
  std::set<std::string> faults = kAllFaults;
  int kill_cycles = 0;  // > 0: stop after this many kills, whatever the deadline
  std::chrono::milliseconds fault_min{1500};
  std::chrono::milliseconds fault_max{5000};
  std::chrono::milliseconds heal_min{1000};
  std::chrono::milliseconds heal_max{3000};
};

class Nemesis {
 public:
  // Makes the proxies and appends each node's [peer_routes]; call before the nodes start.
  Nemesis(Cluster& cluster, NemesisOptions options);

  // Faults and heals until `deadline` (or the kill cycles are done); ends healed.
  void run(std::chrono::steady_clock::time_point deadline);
  // Every link passes, paused nodes continue, killed nodes start again.
  void heal();

  // Nodes that exited while nobody killed them, with their exit codes.
  const std::vector<std::string>& unexpected_exits() const { return unexpected_exits_; }
  const std::map<std::string, int>& injected() const { return injected_; }
  int kills() const { return kills_; }
  const std::vector<std::string>& log() const { return log_; }

 private:
  FaultProxy& link(int from, int to) { return *proxies_.at(from).at(to); }
  void inject();
  // A node at random, or the leader when asked and one is found (then picked_leader_ is set).
  int pick_node(bool prefer_leader);
  void check_exits();
  void note(const std::string& line);

  Cluster& cluster_;
  NemesisOptions options_;
  std::mt19937_64 rng_;
  std::vector<std::vector<std::unique_ptr<FaultProxy>>> proxies_;  // [from][to]; null on the diagonal
  std::set<int> killed_;
  std::set<int> paused_;
  std::vector<std::string> unexpected_exits_;
  std::map<std::string, int> injected_;
  int kills_ = 0;
  bool picked_leader_ = false;
  std::vector<std::string> log_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace medtrail::integration::chaos
