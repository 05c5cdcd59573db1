#include "node_stack.h"

#include <gtest/gtest.h>

namespace medtrail::node::testing {

void LocalNet::attach(const std::string& id, Deliver deliver) {
  std::unique_lock lock(mu_);
  nodes_[id] = std::move(deliver);
}

void LocalNet::detach(const std::string& id) {
  std::unique_lock lock(mu_);
  nodes_.erase(id);
}

void LocalNet::isolate(const std::string& id, bool isolated) {
  std::unique_lock lock(mu_);
  if (isolated) {
    isolated_.insert(id);
  } else {
    isolated_.erase(id);
  }
}

bool LocalNet::send(const std::string& from, const std::string& to, std::string frame) {
  if (intercept_) {
    intercept_(from, to, std::move(frame));
    return true;
  }
  // Delivered under the shared lock: detach() (exclusive) waits for it. Delivery only queues
  // the frame on the receiver, which never calls back into the network.
  std::shared_lock lock(mu_);
  if (isolated_.count(from) || isolated_.count(to)) return true;  // lost on the wire
  auto it = nodes_.find(to);
  if (it == nodes_.end()) return false;
  it->second(from, std::move(frame));
  return true;
}

bool LocalNet::deliver(const std::string& from, const std::string& to, std::string frame) {
  std::shared_lock lock(mu_);
  auto it = nodes_.find(to);
  if (it == nodes_.end()) return false;
  it->second(from, std::move(frame));
  return true;
}

NodeStack::NodeStack(const std::string& dir, const std::string& id_,
                     const std::vector<std::string>& voters, const ledger::Genesis& genesis,
                     LocalNet& net, StackOptions options)
    : id(id_), net_(net) {
  // Stepped by a simulator: nothing may run on a thread of its own, or runs would not replay.
  ledger::ParallelRunner& runner =
      options.stepped ? static_cast<ledger::ParallelRunner&>(inline_runner) : pool;
  store = open_test_store(dir);
  signers = SignerDirectory::from_genesis(genesis, store->chain_id()).value();
  applier.emplace(std::move(BlockApplier::open(*store, signers, runner, &verified).value()));
  BatchLimits limits;
  limits.capacity = options.queue_capacity;
  limits.max_batch_records = options.max_batch_records;
  limits.linger = std::chrono::microseconds(1000);
  queue = std::make_unique<SubmissionQueue>(limits, [this] {
    if (driver) driver->wake();
  });
  admission = std::make_unique<Admission>(*store, signers, tracker, *queue, runner,
                                          options.pending_ttl, &verified,
                                          options.time != nullptr ? *options.time : real_time());
  RaftDriverOptions ro;
  ro.self = id;
  ro.voters = voters;
  ro.tick = options.tick;
  ro.max_queue_age = options.pending_ttl;
  ro.max_proposals_in_flight = options.max_proposals_in_flight;
  ro.checkpoint_trust = signers.checkpoint_trust();
  ro.snapshot_every = options.snapshot_every;
  ro.scratch_dir = dir + "-scratch";
  ro.snapshot_dir = dir + "-snapshots";
  ro.verify_runner = &runner;
  ro.time = options.time;
  ro.raft_seed = options.raft_seed;
  ro.export_in_background = !options.stepped;
  ro.fsync = !options.stepped;  // a simulated crash loses no written byte: syncing buys nothing
  for (const ledger::GenesisNode& n : genesis.nodes) {
    if (n.id == id && options.node_key) {
      ro.checkpoint_key = options.node_key;
      ro.checkpoint_signer = ledger::Genesis::node_signer(n);
    }
  }
  auto d = RaftDriver::open(*store, *applier, *queue, tracker, ro,
                            [this](const std::string& to, std::string frame) {
                              return net_.send(id, to, std::move(frame));
                            });
  if (!d.ok()) ADD_FAILURE() << d.status().to_string();
  driver = std::move(*d);
  net_.attach(id, [this](const std::string& from, std::string frame) {
    driver->on_frame(from, std::move(frame));
  });
  if (!options.stepped) driver->start();
}

NodeStack::~NodeStack() {
  net_.detach(id);
  driver->stop();
}

std::vector<RecordStatus> NodeStack::submit(std::vector<ledger::Envelope> envelopes, bool wait,
                                            std::chrono::milliseconds timeout) {
  std::vector<Result<ledger::Envelope>> items;
  for (auto& e : envelopes) items.emplace_back(std::move(e));
  auto promise = std::make_shared<std::promise<std::vector<RecordStatus>>>();
  auto future = promise->get_future();
  admission->submit(std::move(items), wait, std::chrono::steady_clock::now() + timeout,
                    [promise](std::vector<RecordStatus> s) { promise->set_value(std::move(s)); });
  if (future.wait_for(timeout + std::chrono::seconds(5)) != std::future_status::ready) {
    ADD_FAILURE() << "admission never answered";
    return {};
  }
  return future.get();
}

std::vector<ledger::Envelope> admin_records(const ledger::KeyPair& admin, uint64_t first, size_t n) {
  std::vector<ledger::Envelope> out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(medtrail::testing::make_admin_record(admin, "hosp-a", first + i));
  }
  return out;
}

std::unique_ptr<ledger::ChainStore> open_test_store(const std::string& dir) {
  const ledger::CryptoSuite& suite = ledger::ed25519_sha256();
  ledger::ChainStoreOptions o;
  o.sync = false;
  return ledger::ChainStore::open(dir, suite, medtrail::testing::test_chain_id(suite), o).value();
}

}  // namespace medtrail::node::testing
