#include "core/patient_key_store.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <sodium.h>

#include <cstring>
#include <filesystem>

#include "medtrail/contracts/erasure.h"
#include "medtrail/contracts/state_codec.h"
#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/sealed_fields.h"

namespace medtrail::node {
namespace {

// A stored key: the 32 key bytes, then the erasure count when it was drawn (8 bytes, LE).
constexpr size_t kValueBytes = ledger::kPatientKeyBytes + 8;

std::string encode(const ledger::SecureBytes& key, int64_t generation) {
  std::string value(kValueBytes, '\0');
  std::memcpy(value.data(), key.data(), ledger::kPatientKeyBytes);
  for (int i = 0; i < 8; ++i) value[ledger::kPatientKeyBytes + i] = static_cast<char>((generation >> (8 * i)) & 0xff);
  return value;
}

int64_t generation_of(const std::string& value) {
  uint64_t g = 0;
  for (int i = 0; i < 8; ++i) g |= static_cast<uint64_t>(static_cast<uint8_t>(value[ledger::kPatientKeyBytes + i])) << (8 * i);
  return static_cast<int64_t>(g);
}

ledger::Status io_error(const std::string& what, const rocksdb::Status& s) {
  return ledger::Status::error("io_error", "patient keys: " + what + ": " + s.ToString());
}

ledger::Result<int64_t> count_of(const ledger::Result<std::optional<contracts::StoredErasure>>& erased) {
  if (!erased.ok()) return ledger::Status::error(erased.status().code(), "patient keys: " + erased.status().message());
  return *erased ? (*erased)->count : int64_t{0};
}

}  // namespace

ErasureCount erasure_counts(const contracts::StateView& state) {
  return [&state](std::string_view patient_ref) { return count_of(contracts::read_erasure(state, patient_ref)); };
}

ErasureCount erasure_counts(const ledger::ChainStore& store) {
  return [&store](std::string_view patient_ref) -> ledger::Result<int64_t> {
    auto raw = store.get_state(contracts::erased_key(patient_ref));
    if (!raw.ok()) {
      return ledger::Status::error("state_unreadable", "patient keys: the chain's state cannot be read: " +
                                                           raw.status().message());
    }
    return count_of(contracts::decode_erasure(*raw));
  };
}

PatientKeyStore::PatientKeyStore(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}
PatientKeyStore::~PatientKeyStore() = default;

ledger::Result<std::unique_ptr<PatientKeyStore>> PatientKeyStore::open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return ledger::Status::error("io_error", "creating " + dir + ": " + ec.message());
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace, ec);
  rocksdb::Options options;
  options.create_if_missing = true;
  // WAL files are deleted once flushed, never recycled with old records inside.
  options.recycle_log_file_num = 0;
  options.WAL_ttl_seconds = 0;
  options.WAL_size_limit_MB = 0;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) return io_error("opening " + dir, s);
  return std::unique_ptr<PatientKeyStore>(new PatientKeyStore(std::unique_ptr<rocksdb::DB>(raw)));
}

ledger::Result<std::optional<ledger::SecureBytes>> PatientKeyStore::key_for(std::string_view patient_ref,
                                                                            const ErasureCount& erasures,
                                                                            bool create) {
  std::lock_guard lock(mu_);
  ledger::Result<int64_t> generation = erasures(patient_ref);
  if (!generation.ok()) return generation.status();
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), rocksdb::Slice(patient_ref.data(), patient_ref.size()), &value);
  if (s.ok() && value.size() == kValueBytes && generation_of(value) >= *generation) {
    ledger::SecureBytes key(ledger::ByteView(reinterpret_cast<const uint8_t*>(value.data()), ledger::kPatientKeyBytes));
    sodium_memzero(value.data(), value.size());
    return std::optional<ledger::SecureBytes>(std::move(key));
  }
  sodium_memzero(value.data(), value.size());
  if (!s.ok() && !s.IsNotFound()) return io_error("reading", s);
  if (s.ok()) MEDTRAIL_RETURN_IF_ERROR(destroy(patient_ref));  // drawn before the latest erasure
  if (!create) return std::optional<ledger::SecureBytes>();
  ledger::SecureBytes key = ledger::new_patient_key();
  std::string stored = encode(key, *generation);
  rocksdb::WriteOptions sync;
  sync.sync = true;  // a share handed out must never come from a key a crash forgets
  s = db_->Put(sync, rocksdb::Slice(patient_ref.data(), patient_ref.size()), stored);
  sodium_memzero(stored.data(), stored.size());
  if (!s.ok()) return io_error("writing", s);
  return std::optional<ledger::SecureBytes>(std::move(key));
}

ledger::Result<bool> PatientKeyStore::retire(std::string_view patient_ref, const ErasureCount& erasures) {
  std::lock_guard lock(mu_);
  ledger::Result<int64_t> generation = erasures(patient_ref);
  if (!generation.ok()) return generation.status();
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), rocksdb::Slice(patient_ref.data(), patient_ref.size()), &value);
  const bool dead = s.ok() && (value.size() != kValueBytes || generation_of(value) < *generation);
  sodium_memzero(value.data(), value.size());
  if (!s.ok() && !s.IsNotFound()) return io_error("reading", s);
  if (!dead) return false;
  MEDTRAIL_RETURN_IF_ERROR(destroy(patient_ref));
  return true;
}

ledger::Result<uint64_t> PatientKeyStore::retire_all(const ErasureCount& erasures) {
  std::vector<std::string> refs;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) refs.push_back(it->key().ToString());
    if (!it->status().ok()) return io_error("listing", it->status());
  }
  uint64_t destroyed = 0;
  for (const std::string& ref : refs) {
    ledger::Result<bool> r = retire(ref, erasures);
    if (!r.ok()) return r.status();
    destroyed += *r ? 1 : 0;
  }
  return destroyed;
}

// Deletes the key, then flushes and compacts its range so that no live file of the store holds
// its bytes any more (the flushed WAL is deleted). What a filesystem keeps of deleted blocks is
// the volume's business: docs/privacy.md asks for an encrypted volume.
ledger::Status PatientKeyStore::destroy(std::string_view patient_ref) {
  rocksdb::WriteOptions sync;
  sync.sync = true;
  const rocksdb::Slice key(patient_ref.data(), patient_ref.size());
  rocksdb::Status s = db_->Delete(sync, key);
  if (!s.ok()) return io_error("deleting", s);
  s = db_->Flush(rocksdb::FlushOptions());
  if (!s.ok()) return io_error("flushing", s);
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  s = db_->CompactRange(compact, &key, &key);
  if (!s.ok()) return io_error("compacting", s);
  return ledger::Status();
}

uint64_t PatientKeyStore::size_estimate() const {
  uint64_t n = 0;
  db_->GetIntProperty("rocksdb.estimate-num-keys", &n);
  return n;
}

}  // namespace medtrail::node
