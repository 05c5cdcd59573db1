#include "node/api/api_test_stack.h"

#include <stdexcept>

#include "http/http_server.h"
#include "medtrail/ledger/envelope.h"

namespace medtrail::node::api::testing {

namespace {

template <typename T>
T must(ledger::Result<T> r) {
  if (!r.ok()) throw std::runtime_error(r.status().to_string());
  return std::move(r.value());
}

void must(const ledger::Status& s) {
  if (!s.ok()) throw std::runtime_error(s.to_string());
}

}  // namespace

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

ApiStack::ApiStack(const std::function<void(NodeConfig&)>& configure)
    : suite_(ledger::ed25519_sha256()),
      admin_(must(suite_.generate_keypair())),
      regulator_(must(suite_.generate_keypair())),
      node_key_(must(suite_.generate_keypair())) {
  genesis_.chain_name = "api-test";
  genesis_.organisations.push_back({"hosp-a", "Hospital A", {"hospital"}, admin_.public_key});
  genesis_.organisations.push_back({"reg-c", "Regulator C", {"regulator"}, regulator_.public_key});
  ledger::GenesisNode node;
  node.id = "n1";
  node.org = "hosp-a";
  node.public_key = node_key_.public_key;
  genesis_.nodes.push_back(node);
  signers_ = SignerDirectory::from_genesis(genesis_).value();
  config_.node_id = "n1";
  if (configure) configure(config_);

  ledger::ChainStoreOptions options;
  options.sync = false;
  store_ = must(ledger::ChainStore::open(dir_.path().string(), suite_,
                                         medtrail::testing::test_chain_id(suite_), options));
  applier_.emplace(must(BlockApplier::open(*store_, signers_, pool_)));
  BatchLimits batch;
  batch.capacity = config_.limits.admission_queue;
  batch.max_batch_records = config_.limits.max_batch_records;
  batch.max_batch_bytes = config_.limits.max_batch_bytes;
  batch.linger = std::chrono::microseconds(config_.limits.batch_linger_us);
  queue_ = std::make_unique<SubmissionQueue>(batch, [this] {
    if (driver_) driver_->wake();
  });
  RaftDriverOptions raft;
  raft.self = "n1";
  raft.voters = {"n1"};
  raft.genesis_nodes = genesis_.nodes;
  raft.tick = std::chrono::milliseconds(10);
  driver_ = must(RaftDriver::open(*store_, *applier_, *queue_, tracker_, raft,
                                  [](const std::string&, std::string) { return false; }));
  admission_ = std::make_unique<Admission>(*store_, signers_, tracker_, *queue_, pool_,
                                           std::chrono::milliseconds(10000));
  driver_->start();

  ctx_.node_id = "n1";
  ctx_.config = &config_;
  ctx_.genesis = &genesis_;
  ctx_.store = store_.get();
  ctx_.admission = admission_.get();
  ctx_.driver = driver_.get();
  ctx_.queue = queue_.get();
  ctx_.tracker = &tracker_;
  ctx_.signers = &signers_;
  ctx_.accepting = &accepting_;

  server_ = std::make_unique<http::Server>(io_, http::ServerOptions{});
  register_api_routes(*server_, ctx_, metrics_);
  must(server_->start());
  for (int i = 0; i < 2; ++i) io_threads_.emplace_back([this] { io_.run(); });
}

ApiStack::~ApiStack() {
  server_->stop();
  for (std::thread& t : io_threads_) t.join();
  driver_->stop();
}

::testing::AssertionResult ApiStack::wait_for_leader(std::chrono::milliseconds timeout) {
  if (wait_until([&] { return driver_->is_leader(); }, timeout)) {
    return ::testing::AssertionSuccess();
  }
  RaftStatus s = driver_->status();
  return ::testing::AssertionFailure()
         << "no election: role " << s.role << ", term " << s.term << ", leader '" << s.leader
         << "', failure '" << s.failure << "'";
}

uint16_t ApiStack::port() const { return server_->port(); }

ledger::Envelope ApiStack::envelope(uint64_t nonce) const {
  return medtrail::testing::make_admin_record(admin_, "hosp-a", nonce);
}

std::string ApiStack::wire_envelope(uint64_t nonce) const {
  return ledger::envelope_to_wire(envelope(nonce));
}

}  // namespace medtrail::node::api::testing
