#pragma once
// Test support: temporary directories, signed payloads and whole chains built through the
// real ChainStore, shared by the ledger, client and benchmark suites.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/checkpoint.h"
#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/genesis.h"

namespace medtrail::testing {

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A valid payload of about `size` bytes (padded inside body.note), actor "<org>/<name>".
std::string make_payload(const std::string& org, const std::string& name, uint64_t nonce,
                         size_t size = 0, const std::string& kind = "test.note");

ledger::Envelope make_envelope(const ledger::KeyPair& key, const std::string& org,
                               const std::string& name, uint64_t nonce, size_t size = 0);

// A record the contracts accept from an organisation's admin key: identity.register of an
// operator "u-<nonce>" (a fresh id per nonce; nonce in [a-z0-9-]) with a key derived from it.
std::string make_admin_payload(const std::string& org, const std::string& nonce,
                               size_t key_size = 32);
ledger::Envelope make_admin_record(const ledger::KeyPair& admin, const std::string& org,
                                   uint64_t nonce);

// A chain id for tests: the suite hash of `label`.
ledger::Hash test_chain_id(const ledger::CryptoSuite& suite, const std::string& label = "test");

struct ChainSpec {
  uint64_t blocks = 5;
  uint64_t leaves_per_block = 4;
  size_t payload_size = 0;
  // Every block from the third on carries a checkpoint of the block two before it, signed by
  // the three node keys of `nodes`.
  bool checkpoints = true;
  uint64_t first_timestamp_ms = 1'790'000'000'000;
};

// A fresh store at `path` for the chain test_chain_id(suite), unsynced (a test's store need not
// survive a power cut).
std::unique_ptr<ledger::ChainStore> open_test_store(const std::string& path,
                                                    const ledger::CryptoSuite& suite);

// Node keys of a small consortium (three organisations), for checkpoints.
struct TestConsortium {
  explicit TestConsortium(const ledger::CryptoSuite& suite);
  // The same consortium with keys made from fixed secrets (`seed`, seed + 1, …): the same keys in
  // every process, for inputs made in one (a fuzz target's seeds) that must verify in another.
  TestConsortium(const ledger::CryptoSuite& suite, uint8_t seed);
  ledger::KeyPair author;  // signs every envelope, as "hosp-a/dr-li"
  std::vector<ledger::KeyPair> node_keys;
  std::vector<std::string> node_ids;  // "<org>/<node>"
  ledger::CheckpointTrust trust() const;
  // The genesis a reader holds for this consortium's chain `chain_id`: its nodes, quorum 2.
  ledger::LoadedGenesis genesis(const ledger::CryptoSuite& suite,
                                const ledger::Hash& chain_id) const;
  // `checkpoint` signed by every node key.
  ledger::SignedCheckpoint signed_checkpoint(const ledger::CryptoSuite& suite,
                                             const ledger::Checkpoint& checkpoint) const;
};

// Appends spec.blocks blocks to `store`; every third leaf is a rejected record (with a reason).
void build_chain(ledger::ChainStore& store, const TestConsortium& consortium,
                 const ChainSpec& spec);

}  // namespace medtrail::testing
