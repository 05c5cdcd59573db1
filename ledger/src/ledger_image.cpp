#include "medtrail/ledger/ledger_image.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <memory>
#include <string_view>

#include "medtrail/ledger/chain_verifier.h"
#include "medtrail/ledger/search_index.h"

namespace medtrail::ledger {

namespace {

constexpr std::string_view kMagic = "MTIMAGE1";
constexpr uint8_t kEnd = 0xFF;

// The column families an image carries; meta is filtered by key.
constexpr ColumnFamily kImageFamilies[] = {ColumnFamily::kBlocks, ColumnFamily::kLeaves,
                                           ColumnFamily::kMerkle, ColumnFamily::kIndex,
                                           ColumnFamily::kState};

struct ImageEntry {
  ColumnFamily cf;
  std::string_view key;
  std::string_view value;
};

void append_entry(std::string& out, ColumnFamily cf, std::string_view key, std::string_view value) {
  out.push_back(static_cast<char>(cf));
  append_be64(out, key.size());
  out.append(key);
  append_be64(out, value.size());
  out.append(value);
}

bool image_family(uint8_t cf) {
  if (cf == static_cast<uint8_t>(ColumnFamily::kMeta)) return true;
  for (ColumnFamily f : kImageFamilies) {
    if (cf == static_cast<uint8_t>(f)) return true;
  }
  return false;
}

// Checks magic, chain id and trailing hash, and splits the entries (views into `image`).
Result<std::vector<ImageEntry>> parse_image(std::string_view image, const CryptoSuite& suite,
                                            const Hash& chain_id) {
  auto bad = [](const std::string& what) { return Status::error("bad_image", what); };
  if (image.size() < kMagic.size() + kHashSize + 1 + kHashSize || image.substr(0, 8) != kMagic) {
    return bad("not a ledger image");
  }
  const std::string_view body = image.substr(0, image.size() - kHashSize);
  const Hash digest = suite.hash(as_bytes(body));
  if (!std::equal(digest.begin(), digest.end(),
                  reinterpret_cast<const uint8_t*>(image.data() + body.size()))) {
    return bad("image hash does not match: damaged in transit or on disk");
  }
  if (body.substr(kMagic.size(), kHashSize) !=
      std::string_view(reinterpret_cast<const char*>(chain_id.data()), kHashSize)) {
    return Status::error("wrong_chain", "the image is of another chain");
  }
  std::vector<ImageEntry> entries;
  std::set<std::string_view> meta_keys;
  std::map<uint8_t, std::string_view> last_key;
  size_t pos = kMagic.size() + kHashSize;
  auto read_len = [&](uint64_t& len) {
    if (body.size() - pos < 8) return false;
    len = read_be64(reinterpret_cast<const uint8_t*>(body.data() + pos));
    pos += 8;
    return len <= body.size() - pos;
  };
  while (pos < body.size()) {
    const uint8_t cf = static_cast<uint8_t>(body[pos++]);
    if (cf == kEnd) {
      if (pos != body.size()) return bad("bytes after the end marker");
      return entries;
    }
    if (!image_family(cf)) return bad("unknown column family in image");
    uint64_t key_len = 0;
    uint64_t value_len = 0;
    if (!read_len(key_len)) return bad("truncated key");
    std::string_view key = body.substr(pos, key_len);
    pos += key_len;
    if (!read_len(value_len)) return bad("truncated value");
    std::string_view value = body.substr(pos, value_len);
    pos += value_len;
    // One value per key: verification must see exactly what an install would write (where a
    // later copy of a key would win). Ledger families are exported in key order, meta keys not.
    if (cf == static_cast<uint8_t>(ColumnFamily::kMeta)) {
      if (!meta_keys.insert(key).second) return bad("a meta key appears twice");
    } else {
      auto [last, first_of_family] = last_key.try_emplace(cf, key);
      if (!first_of_family) {
        if (key <= last->second) return bad("ledger keys out of order or repeated");
        last->second = key;
      }
    }
    entries.push_back({static_cast<ColumnFamily>(cf), key, value});
  }
  return bad("no end marker");
}

bool is_prefix(const std::string& k) { return !k.empty() && k.back() == '/'; }

bool meta_key_allowed(std::string_view key, const std::vector<std::string>& extra) {
  for (const std::string& k : ChainStore::own_meta_keys()) {
    if (k == key) return true;
  }
  for (const std::string& k : extra) {
    if (is_prefix(k) ? key.starts_with(k) : k == key) return true;
  }
  return false;
}

// The meta keys `extra` names in the store, prefixes expanded.
Result<std::vector<std::string>> expand_meta_keys(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta,
                                                  const rocksdb::ReadOptions& read,
                                                  const std::vector<std::string>& extra) {
  std::vector<std::string> keys;
  for (const std::string& k : extra) {
    if (!is_prefix(k)) {
      keys.push_back(k);
      continue;
    }
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read, meta));
    for (it->Seek(k); it->Valid() && it->key().starts_with(k); it->Next()) {
      keys.push_back(it->key().ToString());
    }
    if (!it->status().ok()) return Status::error("io_error", it->status().ToString());
  }
  return keys;
}

Status from_rocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return {};
  if (s.IsCorruption()) return Status::error("corruption", what + ": " + s.ToString());
  return Status::error("io_error", what + ": " + s.ToString());
}

// Deletes every key of the image's families and the image's meta keys, then writes the image.
Status write_image(ChainStore& store, const std::vector<ImageEntry>& entries,
                   const std::vector<std::string>& extra_meta_keys) {
  rocksdb::DB* db = store.db();
  rocksdb::WriteBatch batch;
  for (ColumnFamily f : kImageFamilies) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), store.column_family(f)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) batch.Delete(store.column_family(f), it->key());
    MEDTRAIL_RETURN_IF_ERROR(from_rocks(it->status(), "clearing the ledger"));
  }
  rocksdb::ColumnFamilyHandle* meta = store.column_family(ColumnFamily::kMeta);
  auto existing = expand_meta_keys(db, meta, rocksdb::ReadOptions(), extra_meta_keys);
  if (!existing.ok()) return existing.status();
  for (const std::string& k : *existing) batch.Delete(meta, k);
  // The search index went with the index family; reload() rebuilds it from the image's leaves.
  batch.Delete(meta, rocksdb::Slice(kSearchIndexMetaKey.data(), kSearchIndexMetaKey.size()));
  for (const ImageEntry& e : entries) {
    if (e.cf == ColumnFamily::kMeta && !meta_key_allowed(e.key, extra_meta_keys)) {
      return Status::error("bad_image", "image carries a meta key it must not set");
    }
    batch.Put(store.column_family(e.cf), rocksdb::Slice(e.key.data(), e.key.size()),
              rocksdb::Slice(e.value.data(), e.value.size()));
  }
  rocksdb::WriteOptions sync;
  sync.sync = true;
  MEDTRAIL_RETURN_IF_ERROR(from_rocks(db->Write(sync, &batch), "writing the image"));
  return store.reload();
}

// The chain verifier reads blocks and leaves up to the head by their keys; an image must hold
// no other key in those families, or a later append would build on (or serve) what no one
// verified. Blocks are keyed 1..height, leaves 0..tree_size-1 (be64).
Status check_nothing_past_head(const ChainStore& store) {
  const std::pair<ColumnFamily, uint64_t> families[] = {{ColumnFamily::kBlocks, store.height()},
                                                       {ColumnFamily::kLeaves, store.tree_size()}};
  for (const auto& [family, expected] : families) {
    std::unique_ptr<rocksdb::Iterator> it(
        store.db()->NewIterator(rocksdb::ReadOptions(), store.column_family(family)));
    uint64_t count = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const rocksdb::Slice key = it->key();
      const uint64_t at = key.size() == 8 ? read_be64(reinterpret_cast<const uint8_t*>(key.data())) : 0;
      const bool in_range = family == ColumnFamily::kBlocks ? at >= 1 && at <= expected : at < expected;
      if (key.size() != 8 || !in_range) {
        return Status::error("bad_image", "the image holds entries past its head");
      }
      ++count;
    }
    MEDTRAIL_RETURN_IF_ERROR(from_rocks(it->status(), "reading the image"));
    if (count != expected) return Status::error("bad_image", "the image lacks entries below its head");
  }
  return Status();
}

// Every index entry names a leaf holding that record, and every leaf is indexed once.
Status check_index(const ChainStore& store) {
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(rocksdb::ReadOptions(), store.column_family(ColumnFamily::kIndex)));
  uint64_t records = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const rocksdb::Slice key = it->key();
    const rocksdb::Slice value = it->value();
    if (key.size() != 1 + kHashSize || key[0] != 'r' || value.size() != 8) {
      return Status::error("bad_index", "malformed index entry");
    }
    const uint64_t leaf_index = read_be64(reinterpret_cast<const uint8_t*>(value.data()));
    if (leaf_index >= store.tree_size()) return Status::error("bad_index", "index names a leaf past the head");
    auto leaf = store.leaf_at(leaf_index);
    if (!leaf.ok()) return Status::error("bad_index", "index names a missing leaf");
    const Hash h = record_hash(store.suite(), leaf->envelope);
    if (std::string_view(reinterpret_cast<const char*>(h.data()), kHashSize) !=
        std::string_view(key.data() + 1, kHashSize)) {
      return Status::error("bad_index", "index entry names the wrong leaf");
    }
    ++records;
  }
  MEDTRAIL_RETURN_IF_ERROR(from_rocks(it->status(), "reading the index"));
  if (records != store.tree_size()) {
    return Status::error("bad_index", "index holds " + std::to_string(records) + " records for " +
                                          std::to_string(store.tree_size()) + " leaves");
  }
  return {};
}

}  // namespace

Result<std::string> export_ledger_image(const ChainStore& store,
                                        const std::vector<std::string>& extra_meta_keys) {
  rocksdb::DB* db = store.db();
  const rocksdb::Snapshot* snap = db->GetSnapshot();
  std::unique_ptr<const rocksdb::Snapshot, std::function<void(const rocksdb::Snapshot*)>> release(
      snap, [db](const rocksdb::Snapshot* s) { db->ReleaseSnapshot(s); });
  rocksdb::ReadOptions read;
  read.snapshot = snap;

  std::string out(kMagic);
  out.append(reinterpret_cast<const char*>(store.chain_id().data()), kHashSize);
  for (ColumnFamily f : kImageFamilies) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read, store.column_family(f)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      // The search index is node-local: the installing node derives its own (search_index.h).
      if (f == ColumnFamily::kIndex && !it->key().starts_with("r")) continue;
      append_entry(out, f, it->key().ToStringView(), it->value().ToStringView());
      if (out.size() > kMaxLedgerImageBytes) {
        return Status::error("too_large", "the ledger is larger than an image may be");
      }
    }
    MEDTRAIL_RETURN_IF_ERROR(from_rocks(it->status(), "reading the ledger"));
  }
  std::vector<std::string> meta_keys = ChainStore::own_meta_keys();
  auto extra = expand_meta_keys(db, store.column_family(ColumnFamily::kMeta), read, extra_meta_keys);
  if (!extra.ok()) return extra.status();
  meta_keys.insert(meta_keys.end(), extra->begin(), extra->end());
  for (const std::string& k : meta_keys) {
    std::string value;
    rocksdb::Status s = db->Get(read, store.column_family(ColumnFamily::kMeta), k, &value);
    if (s.IsNotFound()) continue;
    MEDTRAIL_RETURN_IF_ERROR(from_rocks(s, "reading meta " + k));
    append_entry(out, ColumnFamily::kMeta, k, value);
  }
  out.push_back(static_cast<char>(kEnd));
  const Hash digest = store.suite().hash(as_bytes(out));
  out.append(reinterpret_cast<const char*>(digest.data()), kHashSize);
  return out;
}

Result<LedgerImageInfo> verify_ledger_image(const std::string& image, const CryptoSuite& suite,
                                            const Hash& chain_id, const CheckpointTrust& trust,
                                            ParallelRunner& runner, const std::string& scratch_dir,
                                            const std::vector<std::string>& extra_meta_keys) {
  if (image.size() > kMaxLedgerImageBytes) return Status::error("bad_image", "image too large");
  auto entries = parse_image(image, suite, chain_id);
  if (!entries.ok()) return entries.status();
  std::error_code ec;
  if (std::filesystem::exists(scratch_dir, ec)) {
    return Status::error("io_error", scratch_dir + " exists; refusing to reuse it");
  }
  struct RemoveDir {
    std::string dir;
    ~RemoveDir() {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  } cleanup{scratch_dir};

  ChainStoreOptions options;
  options.sync = false;
  options.search_index = false;  // check_index then sees the image's index entries alone
  auto scratch = ChainStore::open(scratch_dir, suite, chain_id, options);
  if (!scratch.ok()) return scratch.status();
  // The scratch store is fresh and ours: what it or the verifier finds inconsistent in it (a
  // leaf that does not decode, a state hash that does not give the head) is the image's fault,
  // not a failing disk's, and is refused as `bad_image`.
  auto image_fault = [](const Status& s) {
    return Status::error(s.code() == "corruption" ? "bad_image" : s.code(), "image: " + s.message());
  };
  if (Status s = write_image(**scratch, *entries, extra_meta_keys); !s.ok()) return image_fault(s);
  VerifyOptions verify;
  verify.runner = &runner;
  verify.trust = &trust;
  VerifyReport report = verify_chain(**scratch, verify);
  if (!report.ok) return image_fault(Status::error(report.problem_code, report.problem));
  if (Status s = check_nothing_past_head(**scratch); !s.ok()) return image_fault(s);
  if (Status s = check_index(**scratch); !s.ok()) return image_fault(s);
  LedgerImageInfo info;
  info.height = (*scratch)->height();
  info.tree_size = (*scratch)->tree_size();
  info.tree_root = (*scratch)->tree_root();
  info.entries = entries->size();
  const std::vector<std::string> own = ChainStore::own_meta_keys();
  for (const ImageEntry& e : *entries) {
    if (e.cf != ColumnFamily::kMeta) continue;
    if (std::find(own.begin(), own.end(), e.key) != own.end()) continue;
    info.extra_meta.emplace(std::string(e.key), std::string(e.value));
  }
  return info;
}

Status install_ledger_image(ChainStore& store, const std::string& image,
                            const std::vector<std::string>& extra_meta_keys) {
  auto entries = parse_image(image, store.suite(), store.chain_id());
  if (!entries.ok()) return entries.status();
  return write_image(store, *entries, extra_meta_keys);
}

}  // namespace medtrail::ledger
