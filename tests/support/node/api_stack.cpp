#include "support/node/api_stack.h"

#include <fstream>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <future>
#include <random>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "http/http_server.h"
#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/rfc3339.h"
#include "medtrail/ledger/signed_query.h"
#include "support/poll.h"

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

ApiStack::ApiStack(const std::function<void(NodeConfig&)>& configure)
    : suite_(ledger::ed25519_sha256()),
      admin_(must(suite_.generate_keypair())),
      regulator_(must(suite_.generate_keypair())),
      disinfector_(must(suite_.generate_keypair())),
      maker_(must(suite_.generate_keypair())),
      cdc_(must(suite_.generate_keypair())),
      node_key_(must(suite_.generate_keypair())) {
  genesis_.chain_name = "api-test";
  genesis_.organisations.push_back({"hosp-a", "Hospital A", {"hospital"}, admin_.public_key});
  genesis_.organisations.push_back({"reg-c", "Regulator C", {"regulator"}, regulator_.public_key});
  genesis_.organisations.push_back({"disinf-d", "Disinfection D", {"disinfector"}, disinfector_.public_key});
  genesis_.organisations.push_back({"maker-e", "Vaccine Maker E", {"manufacturer"}, maker_.public_key});
  genesis_.organisations.push_back({"cdc-f", "Disease Control F", {"cdc"}, cdc_.public_key});
  ledger::GenesisNode node;
  node.id = "n1";
  node.org = "hosp-a";
  node.public_key = node_key_.public_key;
  genesis_.nodes.push_back(node);
  // The stack's one node runs the pseudonym service once run_pseudonym_service(). (Genesis
  // would insist the service's organisation is a regulator; this genesis is built, not parsed.)
  genesis_.pseudonym = ledger::GenesisPseudonym{
      "hosp-a", ledger::Bytes(pseudonym_key_.public_key.begin(), pseudonym_key_.public_key.end()),
      kPseudonymOrgDailyLimit, kPseudonymPersonDailyLimit, kPseudonymCitizenDailyLimit};
  signers_ = SignerDirectory::from_genesis(genesis_, medtrail::testing::test_chain_id(suite_)).value();
  config_.node_id = "n1";
  if (configure) configure(config_);

  ledger::ChainStoreOptions options;
  options.sync = false;
  store_ = must(ledger::ChainStore::open(dir_.path().string(), suite_,
                                         medtrail::testing::test_chain_id(suite_), options));
  verified_ = std::make_unique<VerifiedSignatures>(2 * static_cast<size_t>(config_.limits.admission_queue));
  applier_.emplace(must(BlockApplier::open(*store_, signers_, pool_, verified_.get())));
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
  raft.verify_runner = &pool_;
  raft.verified = verified_.get();
  raft.snapshot_dir = dir_.file("snapshots");  // a single node never needs one: stays empty
  driver_ = must(RaftDriver::open(*store_, *applier_, *queue_, tracker_, raft,
                                  [](const std::string&, std::string) { return false; }));
  admission_ = std::make_unique<Admission>(*store_, signers_, tracker_, *queue_, pool_,
                                           std::chrono::milliseconds(10000), verified_.get());
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
  ctx_.defer = [this](std::function<void()> work) { boost::asio::post(io_, std::move(work)); };
  ctx_.after = [this](std::chrono::nanoseconds delay, std::function<void()> work) {
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, delay);
    timer->async_wait([timer, work = std::move(work)](const boost::system::error_code&) { work(); });
  };

  http::ServerOptions listener;
  listener.trusted_proxies = config_.api.trusted_proxies;  // whose X-Forwarded-For names the client
  server_ = std::make_unique<http::Server>(io_, std::move(listener));
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
  if (medtrail::testing::wait_until([&] { return driver_->is_leader(); }, timeout)) {
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

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string random_nonce() {
  static std::mt19937_64 rng{std::random_device{}()};
  static std::mutex mu;
  std::lock_guard lock(mu);
  return std::to_string(rng()) + "-" + std::to_string(rng());
}

}  // namespace

RecordStatus ApiStack::commit(const ledger::Envelope& envelope) { return commit_all({envelope}).at(0); }

std::vector<RecordStatus> ApiStack::commit_all(std::vector<ledger::Envelope> envelopes) {
  std::promise<std::vector<RecordStatus>> done;
  std::vector<ledger::Result<ledger::Envelope>> items;
  for (ledger::Envelope& e : envelopes) items.emplace_back(std::move(e));
  admission_->submit(std::move(items), true, std::chrono::steady_clock::now() + std::chrono::seconds(60),
                     [&done](std::vector<RecordStatus> statuses) { done.set_value(std::move(statuses)); });
  return done.get_future().get();
}

const ledger::KeyPair& ApiStack::admin_of(const std::string& org) const {
  if (org == "reg-c") return regulator_;
  if (org == "disinf-d") return disinfector_;
  if (org == "maker-e") return maker_;
  if (org == "cdc-f") return cdc_;
  return admin_;
}

RecordStatus ApiStack::submit_as(const Person& who, const std::string& kind, const nlohmann::json& body) {
  const std::string org = who.id.substr(0, who.id.find('/'));
  nlohmann::json payload = {{"v", 1},   {"kind", kind},           {"org", org},
                            {"actor", who.id}, {"ts", ledger::unix_ms_to_rfc3339(now_ms())},
                            {"nonce", random_nonce()}, {"body", body}};
  return commit(must(ledger::sign_envelope(ledger::to_bytes(payload.dump()), who.key)));
}

Person ApiStack::register_person(const std::string& org, const std::string& name, const std::string& role,
                                 const std::string& valid_from, const std::string& valid_until) {
  Person person{org + "/" + name, must(suite_.generate_keypair())};
  nlohmann::json body = {{"user_id", name},
                         {"role", role},
                         {"public_key", ledger::to_hex(person.key.public_key)},
                         {"valid_from", valid_from},
                         {"valid_until", valid_until}};
  if (role == "doctor" || role == "pharmacist" || role == "vaccinator") body["licence_no"] = "L-" + name;
  nlohmann::json payload = {{"v", 1},        {"kind", "identity.register"}, {"org", org},
                            {"actor", org + "/admin"}, {"ts", ledger::unix_ms_to_rfc3339(now_ms())},
                            {"nonce", random_nonce()}, {"body", body}};
  RecordStatus s = commit(must(ledger::sign_envelope(ledger::to_bytes(payload.dump()), admin_of(org))));
  if (s.state != RecordState::kCommitted) {
    throw std::runtime_error("identity.register " + person.id + ": " + s.result.reason_code + s.code);
  }
  return person;
}

void ApiStack::revoke_person(const Person& person) {
  const std::string org = person.id.substr(0, person.id.find('/'));
  nlohmann::json payload = {{"v", 1},
                            {"kind", "identity.revoke"},
                            {"org", org},
                            {"actor", org + "/admin"},
                            {"ts", ledger::unix_ms_to_rfc3339(now_ms())},
                            {"nonce", random_nonce()},
                            {"body", {{"user_id", person.id.substr(org.size() + 1)}, {"reason", "left"}}}};
  RecordStatus s = commit(must(ledger::sign_envelope(ledger::to_bytes(payload.dump()), admin_of(org))));
  if (s.state != RecordState::kCommitted) throw std::runtime_error("identity.revoke " + person.id);
}

std::string ApiStack::authorization(const Person& who, const std::string& target, const std::string& purpose,
                                    std::optional<int64_t> ts_ms, const std::string& method,
                                    const std::string& body, std::optional<ledger::Hash> chain,
                                    const std::string& node) const {
  return must(ledger::sign_query(suite_, chain.value_or(store_->chain_id()), who.key, who.id,
                                 {method, target, body, purpose, node}, ts_ms.value_or(now_ms()), random_nonce()));
}

void ApiStack::run_pseudonym_service() {
  const std::string path = dir_.file("citizens.txt");
  {
    std::ofstream out(path);
    for (const char* credential : kCitizenCredentials) out << credential << "\n";
  out << kHealthCard << " " << kHealthCardHolder << "\n";
  }
  citizen_check_ = must(ListedCredentials::load(path));
  ctx_.pseudonym_key = &pseudonym_key_;
  ctx_.citizen_check = citizen_check_.get();
  patient_keys_ = must(PatientKeyStore::open(dir_.file("patient-keys")));
  ctx_.patient_keys = patient_keys_.get();
  ctx_.node_key = &node_key_;
  ctx_.node_signer = "hosp-a/n1";
}

}  // namespace medtrail::node::api::testing
