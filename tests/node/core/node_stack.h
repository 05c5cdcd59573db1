#pragma once
// Test support: a node's pipeline (store, applier, tracker, queue, admission, Raft driver)
// without sockets, and an in-process network joining several of them.
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/admission.h"
#include "core/block_applier.h"
#include "core/raft_driver.h"
#include "core/record_tracker.h"
#include "core/signer_directory.h"
#include "core/submission_queue.h"
#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/thread_pool.h"
#include "support/chain_fixture.h"

namespace medtrail::node::testing {

// Frames between stacks, delivered at once; links can be cut. Detaching waits for deliveries
// in progress, so a stack being destroyed receives nothing after detach() returns.
class LocalNet {
 public:
  using Deliver = std::function<void(const std::string& from, std::string frame)>;
  // Takes every frame sent instead of delivering it at once (the simulator delays, drops and
  // reorders them, then calls deliver()).
  using Intercept = std::function<void(const std::string& from, const std::string& to, std::string frame)>;
  void attach(const std::string& id, Deliver deliver);
  void detach(const std::string& id);
  bool send(const std::string& from, const std::string& to, std::string frame);
  void isolate(const std::string& id, bool isolated);
  void intercept(Intercept f) { intercept_ = std::move(f); }
  // Hands `frame` to `to` now (false if it is not attached).
  bool deliver(const std::string& from, const std::string& to, std::string frame);

 private:
  std::shared_mutex mu_;
  std::map<std::string, Deliver> nodes_;
  std::set<std::string> isolated_;
  Intercept intercept_;
};

struct StackOptions {
  std::chrono::milliseconds tick{10};
  uint32_t queue_capacity = 20000;
  uint32_t max_batch_records = 500;
  std::chrono::milliseconds pending_ttl{10000};
  // Signs checkpoints with this key when genesis names the node (by `id`).
  std::optional<ledger::KeyPair> node_key;
  uint64_t snapshot_every = 0;
  // The whole-node simulator's: the driver is stepped by the caller (never started), reads
  // `time`, draws election timeouts from `raft_seed`, and every runner is the calling thread.
  const TimeSource* time = nullptr;
  bool stepped = false;
  uint64_t raft_seed = 0;
  uint32_t max_proposals_in_flight = 2;
};

// One clock for a stepped cluster, moved by the test or simulator only.
class SteppedTime final : public TimeSource {
 public:
  std::chrono::steady_clock::time_point now() const override {
    return std::chrono::steady_clock::time_point(std::chrono::hours(1) +
                                                 std::chrono::milliseconds(ms));
  }
  uint64_t wall_ms() const override { return 1'790'000'000'000 + ms; }
  uint64_t ms = 0;
};

class NodeStack {
 public:
  // Opens (or reopens) the node `id` of `voters` on `dir`, joined to `net`.
  NodeStack(const std::string& dir, const std::string& id, const std::vector<std::string>& voters,
            const ledger::Genesis& genesis, LocalNet& net, StackOptions options = {});
  ~NodeStack();

  // Submits and waits for the statuses.
  std::vector<RecordStatus> submit(std::vector<ledger::Envelope> envelopes, bool wait,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(10));

  const std::string id;
  std::unique_ptr<ledger::ChainStore> store;
  SignerDirectory signers;
  ledger::ThreadPool pool{2};
  ledger::InlineRunner inline_runner;
  VerifiedSignatures verified{100000};
  std::optional<BlockApplier> applier;
  RecordTracker tracker;
  std::unique_ptr<SubmissionQueue> queue;
  std::unique_ptr<Admission> admission;
  std::unique_ptr<RaftDriver> driver;

 private:
  LocalNet& net_;
};

// Records signed by "hosp-a/admin" with nonces first..first+n-1.
std::vector<ledger::Envelope> admin_records(const ledger::KeyPair& admin, uint64_t first, size_t n);

// A fresh test chain store (no fsync) in `dir`.
std::unique_ptr<ledger::ChainStore> open_test_store(const std::string& dir);

}  // namespace medtrail::node::testing
