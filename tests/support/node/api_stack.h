#pragma once
// A real single-node medtrail stack for the API tests and the read-side benchmark
// (tests/bench/lookup): a chain store in a temp dir, a genesis
// with three organisations (hosp-a: hospital, reg-c: regulator, disinf-d: disinfector) and one
// node "n1" of hosp-a, admission, the Raft driver (a lone voter elects
// itself within a few ticks) and the HTTP server on two io threads with the API registered.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/api_context.h"
#include "api/api_routes.h"
#include "api/metrics.h"
#include "core/block_applier.h"
#include "core/signer_directory.h"
#include "core/verified_signatures.h"
#include "medtrail/ledger/thread_pool.h"
#include "support/chain_fixture.h"

namespace medtrail::node::api::testing {

// A person registered on the stack's chain.
struct Person {
  std::string id;  // "<org>/<name>"
  ledger::KeyPair key;
};

class ApiStack {
 public:
  // `configure` may adjust the node's configuration before anything starts.
  explicit ApiStack(const std::function<void(NodeConfig&)>& configure = {});
  ~ApiStack();
  ApiStack(const ApiStack&) = delete;
  ApiStack& operator=(const ApiStack&) = delete;

  uint16_t port() const;
  // Waits for the lone voter to elect itself; on failure, says what the driver reports.
  ::testing::AssertionResult wait_for_leader(
      std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));
  // A signed envelope by "hosp-a/admin" (known to the chain) in wire form.
  std::string wire_envelope(uint64_t nonce) const;
  ledger::Envelope envelope(uint64_t nonce) const;

  // Registers a person of "hosp-a", "reg-c", "disinf-d", "maker-e" (a manufacturer) or "cdc-f" (a
  // disease-control centre) by an identity.register of the organisation's
  // admin, committed before it returns (throws if it is not accepted).
  Person register_person(const std::string& org, const std::string& name, const std::string& role,
                         const std::string& valid_from = "2020-01-01",
                         const std::string& valid_until = "2099-12-31");
  // Revokes them (identity.revoke), committed.
  void revoke_person(const Person& person);
  // Submits `envelope` and waits for its final status.
  RecordStatus commit(const ledger::Envelope& envelope);
  // Submits `envelopes` as one request and waits for every final status, in order.
  std::vector<RecordStatus> commit_all(std::vector<ledger::Envelope> envelopes);
  // Signs {v, kind, org, actor, ts (now), nonce, body} as `who` and commits it.
  RecordStatus submit_as(const Person& who, const std::string& kind, const nlohmann::json& body);
  // The Authorization value of a signed query by `who` (docs/api-auth.md).
  std::string authorization(const Person& who, const std::string& target,
                            const std::string& purpose = "audit", std::optional<int64_t> ts_ms = {},
                            const std::string& method = "GET", const std::string& body = "",
                            std::optional<ledger::Hash> chain = {}, const std::string& node = "n1") const;
  const ledger::Hash& chain_id() const { return store_->chain_id(); }

  // Genesis' pseudonym service limits on this chain.
  static constexpr uint32_t kPseudonymOrgDailyLimit = 100;
  static constexpr uint32_t kPseudonymPersonDailyLimit = 70;
  static constexpr uint32_t kPseudonymCitizenDailyLimit = 2;
  // The credentials the stand-in identity check accepts.
  static constexpr const char* kCitizenCredentials[] = {"card-0001", "card-0002"};
  // A health card the check accepts that names its holder's resident id (a vaccination record).
  static constexpr const char* kHealthCard = "card-0003";
  static constexpr const char* kHealthCardHolder = "11010519491231002X";
  // The service key genesis names. The node evaluates only after run_pseudonym_service() (call
  // it before the first request): otherwise it answers like a node without [pseudonym]. With
  // it, the node signs citizens' requests as hosp-a/n1 and checks kCitizenCredentials.
  const ledger::OprfServerKey& pseudonym_key() const { return pseudonym_key_; }
  void run_pseudonym_service();

  const ledger::KeyPair& admin() const { return admin_; }
  // What the routes were registered with: a benchmark opens a second listener on the same node
  // with other limits (a copy of the context pointing at another config, on io()).
  const ApiContext& context() const { return ctx_; }
  const NodeConfig& config() const { return config_; }
  boost::asio::io_context& io() { return io_; }
  // The admin key of "reg-c", the consortium's regulator organisation.
  const ledger::KeyPair& regulator() const { return regulator_; }
  ledger::ChainStore& store() { return *store_; }
  RaftDriver& driver() { return *driver_; }
  std::atomic<bool>& accepting() { return accepting_; }

 private:
  const ledger::KeyPair& admin_of(const std::string& org) const;
  // First, so it is destroyed last: responders still held by the tracker refer to its sockets.
  boost::asio::io_context io_;
  const ledger::CryptoSuite& suite_;
  ledger::KeyPair admin_;
  ledger::KeyPair regulator_;
  ledger::KeyPair disinfector_;
  ledger::KeyPair maker_;
  ledger::KeyPair cdc_;
  ledger::KeyPair node_key_;
  ledger::OprfServerKey pseudonym_key_ = ledger::oprf_generate_key_pair();
  std::unique_ptr<CitizenIdentityCheck> citizen_check_;
  ledger::Genesis genesis_;
  SignerDirectory signers_;
  NodeConfig config_;
  medtrail::testing::TempDir dir_;
  std::unique_ptr<ledger::ChainStore> store_;
  std::unique_ptr<PatientKeyStore> patient_keys_;  // once run_pseudonym_service()
  ledger::ThreadPool pool_{2};
  // As in the node: a signature admission (or the API's door) checked is not verified again at
  // apply, so what the stack costs per record is what a node costs.
  std::unique_ptr<VerifiedSignatures> verified_;
  std::optional<BlockApplier> applier_;
  RecordTracker tracker_;
  std::unique_ptr<SubmissionQueue> queue_;
  std::unique_ptr<RaftDriver> driver_;
  std::unique_ptr<Admission> admission_;
  std::atomic<bool> accepting_{true};
  ApiContext ctx_;
  Metrics metrics_;
  std::unique_ptr<http::Server> server_;
  std::vector<std::thread> io_threads_;
};

}  // namespace medtrail::node::api::testing
