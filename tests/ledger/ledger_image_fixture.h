#pragma once
// Shared by the ledger image tests (in memory and in files): a source store holding an 8-block
// chain and caller-owned meta keys, and images built or resealed byte by byte.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "medtrail/ledger/ledger_image.h"
#include "support/chain_fixture.h"

namespace medtrail::ledger {

class LedgerImageTest : public ::testing::Test {
 protected:
  LedgerImageTest() {
    source_ = open(dir_.file("source"));
    testing::ChainSpec spec;
    spec.blocks = 8;
    testing::build_chain(*source_, consortium_, spec);
    put_meta(*source_, "raft_applied_index", "12345678");
    put_meta(*source_, "node_id", "node-1");
    put_meta(*source_, "member/node-4", "{}");
  }

  std::unique_ptr<ChainStore> open(const std::string& dir) {
    ChainStoreOptions o;
    o.sync = false;
    return ChainStore::open(dir, suite_, testing::test_chain_id(suite_), o).value();
  }
  static void put_meta(ChainStore& store, const std::string& key, const std::string& value) {
    ASSERT_TRUE(
        store.db()
            ->Put(rocksdb::WriteOptions(), store.column_family(ColumnFamily::kMeta), key, value)
            .ok());
  }
  static std::string get_meta(ChainStore& store, const std::string& key) {
    std::string value;
    store.db()->Get(rocksdb::ReadOptions(), store.column_family(ColumnFamily::kMeta), key, &value);
    return value;
  }
  Result<LedgerImageInfo> verify(const std::string& image) {
    return verify_ledger_image(image, suite_, testing::test_chain_id(suite_), consortium_.trust(),
                               runner_, dir_.file("scratch"), extra_);
  }
  Result<LedgerImageInfo> verify_file(const std::string& path) {
    return verify_ledger_image_file(path, suite_, testing::test_chain_id(suite_),
                                    consortium_.trust(), runner_, dir_.file("scratch"), extra_);
  }

  // One entry as an image lays it out.
  static std::string image_entry(ColumnFamily cf, const std::string& key,
                                 const std::string& value) {
    std::string out(1, static_cast<char>(cf));
    append_be64(out, key.size());
    out += key;
    append_be64(out, value.size());
    return out + value;
  }
  // `body` (magic, chain id, entries) with the end marker and a matching hash: what a sender
  // that damages an image on purpose would send.
  std::string seal(const std::string& body) const {
    std::string out = body + std::string(1, '\xff');
    const Hash h = suite_.hash(as_bytes(out));
    return out + std::string(as_chars(h));
  }
  // A valid image with `entries` added after its own.
  std::string sealed_with(const std::string& image, const std::string& entries) const {
    return seal(image.substr(0, image.size() - kHashSize - 1) + entries);
  }

  static void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(out.good()) << path;
  }
  static std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  const CryptoSuite& suite_ = ed25519_sha256();
  testing::TempDir dir_;
  testing::TestConsortium consortium_{suite_};
  InlineRunner runner_;
  std::unique_ptr<ChainStore> source_;
  const std::vector<std::string> extra_{"raft_applied_index", "member/"};
};

}  // namespace medtrail::ledger
