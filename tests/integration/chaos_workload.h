#pragma once
// The chaos run's clients: threads that issue prescriptions (a doctor of hosp-a), review them and
// dispense them from two pharmacies (pharm-b, pharm-e) that compete for the same few hot
// prescriptions, each request through a node picked at random, while faults come and go. Every
// request is recorded (chaos_history.h): sent, answered, and what the answer said. A request
// whose answer was lost is sent again later, the same record, to another node.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "integration/chaos_history.h"
#include "integration/cluster_harness.h"

namespace medtrail::integration::chaos {

struct WorkloadOptions {
  int clients = 4;
  uint64_t seed = 1;
  std::chrono::milliseconds request_timeout{6000};
};

class Workload {
 public:
  Workload(Cluster& cluster, WorkloadOptions options);
  ~Workload();

  // Registers the doctor and the two pharmacists, before any fault. False (with why) when the
  // cluster would not take them.
  bool prepare(std::string* why);
  void start();
  void stop();  // waits for every client's request in flight
  std::vector<Op> history() const;
  // The requests recorded from the `from`th on (for sampling a long run as it goes).
  std::vector<Op> history_since(size_t from) const;

 private:
  struct Shared;
  void run_client(int index);

  Cluster& cluster_;
  WorkloadOptions options_;
  std::unique_ptr<Shared> shared_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
};

}  // namespace medtrail::integration::chaos
