#pragma once
// Test environments for the LogStorage implementations: each owns one storage and can restart
// it from what was synced, and damage a stored entry below the storage's API.

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "medtrail/consensus/codec.h"
#include "medtrail/consensus/memory_log_storage.h"
#include "medtrail/consensus/raft.h"
#include "medtrail/consensus/rocksdb_log_storage.h"

namespace medtrail::consensus::storage_testing {

class MemoryEnv {
 public:
  static constexpr const char* kName = "Memory";
  LogStorage& storage() { return storage_; }
  void set_initial_conf(const ConfState& conf) { storage_.set_initial_conf(conf); }
  // A simulated power loss: what was synced survives.
  void restart() { storage_.crash(); }
  void corrupt(Index index) { ASSERT_TRUE(storage_.corrupt_entry(index).ok()); }

 private:
  MemoryLogStorage storage_;
};

// A RocksDB in a fresh temporary directory with the two Raft column families.
class RocksEnv {
 public:
  static constexpr const char* kName = "RocksDb";
  RocksEnv() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "medtrail-rstore-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    open();
  }
  ~RocksEnv() {
    close();
    std::filesystem::remove_all(dir_);
  }
  LogStorage& storage() { return *storage_; }
  void set_initial_conf(const ConfState& conf) {
    ASSERT_TRUE(storage_->set_initial_conf(conf).ok());
  }
  void restart() {
    close();
    open();
  }
  // Damage on disk, below the storage: flip a byte of the stored value.
  void corrupt(Index index) {
    std::string key(8, '\0');
    for (int i = 0; i < 8; ++i) key[i] = static_cast<char>((index >> (8 * (7 - i))) & 0xFF);
    std::string value;
    ASSERT_TRUE(db_->Get(rocksdb::ReadOptions(), handles_[1], key, &value).ok());
    value[value.size() / 2] ^= 0x20;
    ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), handles_[1], key, value).ok());
  }
  void put_state(const std::string& key, const std::string& value) {
    ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), handles_[2], key, value).ok());
  }
  // Reopens the DB, returning the storage's open() result.
  Status reopen_status() {
    close();
    return open_db();
  }

 private:
  void open() { ASSERT_TRUE(open_db().ok()); }
  Status open_db() {
    rocksdb::DBOptions options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
        {rocksdb::kDefaultColumnFamilyName, {}}, {"raft_log", {}}, {"raft_state", {}}};
    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(options, dir_, cfs, &handles_, &db);
    if (!s.ok()) return Status::error("io_error", s.ToString());
    db_.reset(db);
    auto storage = RocksDbLogStorage::open(db_.get(), handles_[1], handles_[2]);
    if (!storage.ok()) return storage.status();
    storage_ = std::move(storage).value();
    return {};
  }
  void close() {
    storage_.reset();
    if (db_) {
      for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    }
    handles_.clear();
    db_.reset();
  }

  std::string dir_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<RocksDbLogStorage> storage_;
};

inline std::vector<Entry> make_entries(Index lo, Index hi, Term term, size_t data_bytes = 4) {
  std::vector<Entry> out;
  for (Index i = lo; i <= hi; ++i) {
    std::string data(data_bytes, static_cast<char>('a' + i % 26));
    out.push_back(Entry{term, i, EntryType::kNormal, data});
  }
  return out;
}

inline Entry conf_entry(Term term, Index index, ConfChangeType type, NodeId node) {
  return Entry{term, index, EntryType::kConfChange, encode_conf_change(ConfChange{type, node, ""})};
}

inline std::vector<Entry> read_all(const LogStorage& s) {
  auto r = s.entries(s.first_index(), s.last_index() + 1, UINT64_MAX);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? *r : std::vector<Entry>{};
}

}  // namespace medtrail::consensus::storage_testing
