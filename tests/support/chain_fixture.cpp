#include "support/chain_fixture.h"

#include <random>
#include <stdexcept>

namespace medtrail::testing {

using ledger::Bytes;
using ledger::KeyPair;

namespace {
template <typename T>
T must(ledger::Result<T> r) {
  if (!r.ok()) throw std::runtime_error("test fixture: " + r.status().to_string());
  return std::move(r).value();
}
}  // namespace

TempDir::TempDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() /
          ("medtrail-test-" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string make_payload(const std::string& org, const std::string& name, uint64_t nonce,
                         size_t size, const std::string& kind) {
  std::string head = R"({"v":1,"kind":")" + kind + R"(","org":")" + org + R"(","actor":")" + org +
                     "/" + name + R"(","ts":"2026-11-23T10:00:00Z","nonce":")" +
                     std::to_string(nonce) + R"(","body":{"note":")";
  std::string tail = "\"}}";
  std::string pad;
  if (size > head.size() + tail.size()) pad.assign(size - head.size() - tail.size(), 'x');
  return head + pad + tail;
}

ledger::Envelope make_envelope(const KeyPair& key, const std::string& org, const std::string& name,
                               uint64_t nonce, size_t size) {
  std::string payload = make_payload(org, name, nonce, size);
  return must(ledger::sign_envelope(Bytes(payload.begin(), payload.end()), key));
}

std::string make_admin_payload(const std::string& org, const std::string& nonce, size_t key_size) {
  const ledger::Hash seed = ledger::ed25519_sha256().hash(ledger::as_bytes(nonce));
  Bytes key;
  while (key.size() < key_size) key.insert(key.end(), seed.begin(), seed.end());
  key.resize(key_size);
  return R"({"v":1,"kind":"identity.register","org":")" + org + R"(","actor":")" + org +
         R"(/admin","ts":"2026-11-23T10:00:00Z","nonce":")" + nonce + R"(","body":{"user_id":"u-)" +
         nonce + R"(","role":"operator","public_key":")" + ledger::to_hex(key) +
         R"(","valid_from":"2026-01-01","valid_until":"2099-12-31"}})";
}

ledger::Envelope make_admin_record(const KeyPair& admin, const std::string& org, uint64_t nonce) {
  std::string payload = make_admin_payload(org, std::to_string(nonce), admin.public_key.size());
  return must(ledger::sign_envelope(Bytes(payload.begin(), payload.end()), admin));
}

ledger::Hash test_chain_id(const ledger::CryptoSuite& suite, const std::string& label) {
  return suite.hash(ledger::as_bytes(label));
}

TestConsortium::TestConsortium(const ledger::CryptoSuite& suite)
    : author(must(suite.generate_keypair())) {
  for (const char* id : {"hosp-a/node-1", "pharm-b/node-2", "reg-c/node-3"}) {
    node_keys.push_back(must(suite.generate_keypair()));
    node_ids.emplace_back(id);
  }
}

TestConsortium::TestConsortium(const ledger::CryptoSuite& suite, uint8_t seed)
    : author(must(suite.keypair_from_secret(ledger::Bytes(32, seed)))) {
  uint8_t next = seed;
  for (const char* id : {"hosp-a/node-1", "pharm-b/node-2", "reg-c/node-3"}) {
    node_keys.push_back(must(suite.keypair_from_secret(ledger::Bytes(32, ++next))));
    node_ids.emplace_back(id);
  }
}

ledger::CheckpointTrust TestConsortium::trust() const {
  ledger::CheckpointTrust trust;
  for (size_t i = 0; i < node_ids.size(); ++i) {
    trust.signers.push_back(
        {node_ids[i], node_ids[i].substr(0, node_ids[i].find('/')), node_keys[i].public_key});
  }
  trust.quorum = 2;
  return trust;
}

std::unique_ptr<ledger::ChainStore> open_test_store(const std::string& path,
                                                    const ledger::CryptoSuite& suite) {
  ledger::ChainStoreOptions options;
  options.sync = false;
  return must(ledger::ChainStore::open(path, suite, test_chain_id(suite), options));
}

ledger::LoadedGenesis TestConsortium::genesis(const ledger::CryptoSuite& suite,
                                              const ledger::Hash& chain_id) const {
  ledger::LoadedGenesis genesis;
  genesis.suite = &suite;
  genesis.chain_id = chain_id;
  genesis.genesis.checkpoint_quorum = 2;
  for (size_t i = 0; i < node_ids.size(); ++i) {
    ledger::GenesisNode node;
    node.org = node_ids[i].substr(0, node_ids[i].find('/'));
    node.id = node_ids[i].substr(node_ids[i].find('/') + 1);
    node.public_key = node_keys[i].public_key;
    genesis.genesis.nodes.push_back(node);
  }
  return genesis;
}

ledger::SignedCheckpoint TestConsortium::signed_checkpoint(
    const ledger::CryptoSuite& suite, const ledger::Checkpoint& checkpoint) const {
  ledger::SignedCheckpoint sc{checkpoint, {}};
  for (size_t i = 0; i < node_keys.size(); ++i) {
    sc.signatures.push_back(
        must(ledger::sign_checkpoint(suite, checkpoint, node_ids[i], node_keys[i])));
  }
  return sc;
}

void build_chain(ledger::ChainStore& store, const TestConsortium& consortium,
                 const ChainSpec& spec) {
  const auto& suite = store.suite();
  uint64_t nonce = store.tree_size();
  for (uint64_t b = 0; b < spec.blocks; ++b) {
    ledger::BlockDraft draft;
    draft.timestamp_ms = spec.first_timestamp_ms + (store.height() + 1) * 1000;
    draft.raft_term = 1;
    draft.raft_index = store.height() + 1;
    draft.state_writes["test/height"] = std::to_string(store.height() + 1);
    draft.state_writes["test/block/" + std::to_string(store.height() + 1)] = "applied";
    for (uint64_t l = 0; l < spec.leaves_per_block; ++l, ++nonce) {
      ledger::LeafDraft leaf{
          make_envelope(consortium.author, "hosp-a", "dr-li", nonce, spec.payload_size),
          consortium.author.public_key, ledger::ExecutionResult::accept()};
      if (nonce % 3 == 2) {
        leaf.result = ledger::ExecutionResult::reject("already_dispensed", "dispensed elsewhere");
      }
      draft.leaves.push_back(std::move(leaf));
    }
    uint64_t target = store.height() >= 2 ? store.height() - 1 : 0;
    if (spec.checkpoints && target >= 1) {
      auto header = must(store.header_at(target));
      draft.checkpoints.push_back(consortium.signed_checkpoint(
          suite, {store.chain_id(), target, ledger::block_hash(suite, header), header.tree_size,
                  header.tree_root}));
    }
    must(store.append_block(draft));
  }
}

}  // namespace medtrail::testing
