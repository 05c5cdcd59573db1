#pragma once
// Test support for contracts: a consortium genesis with one organisation of every type, an
// in-memory committed state, people registered straight into it, signed records and blocks run
// through the real BlockExecutor (and committed like the node commits them).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "medtrail/contracts/block_executor.h"
#include "medtrail/contracts/context.h"
#include "medtrail/contracts/state.h"
#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/envelope.h"
#include "support/memory_state.h"

namespace medtrail::contracts::testing {

using medtrail::testing::MemoryState;

struct Person {
  std::string id;  // "<org>/<name>"
  std::string org;
  ledger::KeyPair key;
};

// Organisations of the fixture's genesis (id: type): hosp-a, hosp-b: hospital; pharm-a, pharm-b:
// pharmacy; reg-a, reg-b, reg-c: regulator; maker-a: manufacturer; cdc-a: cdc; clinic-a,
// clinic-b: clinic; disinf-a: disinfector; rest-a: restaurant; insp-a: inspector;
// ship-a: logistics; ins-a, ins-b: insurer. One node, "hosp-a/node-1". Time zone +08:00, gov_approvals 2.
class ContractFixture {
 public:
  ContractFixture();

  // A person registered straight into the state (no identity.register record).
  Person person(const std::string& org, const std::string& name, const std::string& role,
                const std::string& valid_from = "2020-01-01",
                const std::string& valid_until = "2099-12-31");
  // The same with more of the identity's JSON view ({"qualifications": [...]}, ...).
  Person person(const std::string& org, const std::string& name, const std::string& role,
                const nlohmann::json& attributes);
  // The organisation's genesis admin key, as a signer.
  Person admin(const std::string& org) const;
  Person node() const;

  // A signed record: {"v":1,"kind","org","actor","ts","nonce","body"} with a fresh nonce.
  ledger::Envelope sign(const Person& who, const std::string& kind, const nlohmann::json& body);

  // Runs the records as one block at the current time, commits the writes, advances leaves.
  std::vector<ledger::ExecutionResult> run_block(const std::vector<ledger::Envelope>& records);
  // One record in a block of its own.
  ledger::ExecutionResult run(const Person& who, const std::string& kind, const nlohmann::json& body);

  // Block time for the next blocks (RFC 3339); the fixture starts at 2026-11-23T10:00:00+08:00.
  void set_time(const std::string& rfc3339);
  void advance_ms(int64_t ms) { now_ms_ += ms; }
  int64_t now_ms() const { return now_ms_; }

  // A state value as its JSON view (state_value_json), and written from one: tests set up or
  // damage state in the documented form, whatever the stored encoding.
  std::optional<nlohmann::json> state_json(const std::string& key) const;
  void put_state_json(const std::string& key, const nlohmann::json& view);
  // Leaf indexes listed under `subject`, in order.
  std::vector<uint64_t> index_of(const std::string& subject) const;
  // The leaf index the last record run got.
  uint64_t last_leaf() const { return next_leaf_ - 1; }

  MemoryState state;
  ChainParams chain;

 private:
  std::map<std::string, ledger::KeyPair> admin_keys_;
  ledger::KeyPair node_key_;
  int64_t now_ms_ = 0;
  uint64_t height_ = 0;
  uint64_t next_leaf_ = 0;
  uint64_t nonce_ = 0;
};

// The patient_ref used in examples: a 64-hex keyed hash.
inline const std::string kPatientRef(64, 'a');

}  // namespace medtrail::contracts::testing
