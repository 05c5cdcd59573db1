#pragma once
// The workload: clients that append unique values to the replicated log and read it back,
// each through whichever node it believes is leader. A client moves to another node when told
// not_leader (following the hint) or when a request times out. Every operation is recorded in
// the cluster's History for the linearizability check.
//
// A reply comes from the node the request went to, and only from the incarnation that took
// it: an append is acknowledged when that node applies it, a read is answered once that node's
// state machine reaches the read index (§6.4).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/cluster.h"

namespace medtrail::sim {

struct WorkloadOptions {
  int clients = 3;
  double read_fraction = 0.35;
  Time think_min = 1;
  Time think_max = 40;
  Time request_delay_max = 3;  // client → node latency
  Time timeout = 400;
  size_t max_padding = 48;  // random filler in each entry, so entry sizes vary
  // UNSAFE, for testing the checker: answer reads from the local state machine at once,
  // skipping ReadIndex. Stale reads from deposed leaders and lagging followers follow.
  bool local_reads = false;
};

struct WorkloadStats {
  uint64_t invoked = 0;
  uint64_t acknowledged = 0;  // appends
  uint64_t reads = 0;         // reads answered
  uint64_t refused = 0;       // not_leader, dropped, ...
  uint64_t timeouts = 0;
};

class Clients : public ClusterListener {
 public:
  Clients(Cluster& cluster, Rng rng, const WorkloadOptions& options);

  void start();
  // No new operations; those in flight finish or time out.
  void stop() { stopped_ = true; }
  bool idle() const;
  const WorkloadStats& stats() const { return stats_; }

  void on_applied(SimNode& node, const consensus::Entry& entry) override;
  void on_read_ready(SimNode& node, const std::string& context) override;

 private:
  struct Client {
    NodeId target = consensus::kNoNode;
    uint64_t attempt = 0;  // identifies the operation in flight; stale timers compare it
    std::optional<size_t> op;
  };
  // Who is waiting for a reply from which node incarnation.
  struct Waiting {
    int client;
    NodeId node;
    uint64_t incarnation;
  };

  void begin(int client);
  void arrive(int client, uint64_t attempt);
  void finish(int client);
  void time_out(int client, uint64_t attempt);
  void retarget(int client, NodeId hint);
  std::string read_context(size_t op) const { return "read-" + std::to_string(op); }

  Cluster& cluster_;
  Rng rng_;
  WorkloadOptions options_;
  std::vector<Client> clients_;
  std::map<uint64_t, Waiting> appends_;     // by value
  std::map<std::string, Waiting> reads_;    // by read context
  uint64_t next_value_ = 1;
  bool stopped_ = false;
  WorkloadStats stats_;
};

}  // namespace medtrail::sim
