#pragma once
// The key service's per-patient keys (docs/privacy.md, "Erasure"): a random 32-byte key per
// patient_ref, from which the service derives each record's share (ledger::patient_share). It
// lives in a RocksDB of its own under the data dir (`patient-keys/`), never in the chain's store:
// no ledger image, snapshot or peer ever carries it, and destroying a key is the erasure.
//
// Each key remembers the patient's erasure count when it was drawn (state `erased/<ref>`,
// contracts/erasure.h). A key drawn before the latest erasure is dead: it is destroyed when the
// erasure applies (retire), again at startup (a crash in between, or a ledger image installed
// since), and refused at every use — so no crash or race can bring an erased key back into
// service. A count that cannot be read fails closed: no share, no key drawn.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "medtrail/contracts/state.h"
#include "medtrail/ledger/secure_bytes.h"
#include "medtrail/ledger/status.h"

namespace rocksdb {
class DB;
}

namespace medtrail::ledger {
class ChainStore;
}

namespace medtrail::node {

// A patient's erasure count now; an error when the state cannot be read or decoded.
using ErasureCount = std::function<ledger::Result<int64_t>(std::string_view patient_ref)>;
// The counts as `state` holds them (a view whose reads cannot fail: tests).
ErasureCount erasure_counts(const contracts::StateView& state);
// The counts in a chain store's committed state; a read error of the store is an error here.
ErasureCount erasure_counts(const ledger::ChainStore& store);

class PatientKeyStore {
 public:
  // Opens (creating) the store at `dir` (0700). Errors: `io_error`.
  static ledger::Result<std::unique_ptr<PatientKeyStore>> open(const std::string& dir);
  ~PatientKeyStore();
  PatientKeyStore(const PatientKeyStore&) = delete;
  PatientKeyStore& operator=(const PatientKeyStore&) = delete;

  // The patient's live key, drawing one when there is none and `create` says so; nullopt when
  // there is none (never drawn, or erased). Errors: `io_error`, `state_unreadable`.
  ledger::Result<std::optional<ledger::SecureBytes>> key_for(std::string_view patient_ref, const ErasureCount& erasures,
                                                             bool create);
  // Destroys the patient's key if it was drawn before the latest erasure. Returns whether a key
  // was destroyed.
  ledger::Result<bool> retire(std::string_view patient_ref, const ErasureCount& erasures);
  // retire() for every key in the store (at startup, and after a ledger image is installed).
  // Returns how many were destroyed.
  ledger::Result<uint64_t> retire_all(const ErasureCount& erasures);

  uint64_t size_estimate() const;

 private:
  explicit PatientKeyStore(std::unique_ptr<rocksdb::DB> db);
  ledger::Status destroy(std::string_view patient_ref);

  std::unique_ptr<rocksdb::DB> db_;
  std::mutex mu_;  // one drawer at a time: two concurrent first seals get the same key
};

}  // namespace medtrail::node
