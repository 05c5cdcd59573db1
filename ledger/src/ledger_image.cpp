// Verifying and installing ledger images (ledger_image.h), from a string or a file alike; the
// format is read in image_reader.cpp, written in image_export.cpp, installed in image_install.cpp.
#include "medtrail/ledger/ledger_image.h"

#include <rocksdb/db.h>

#include <filesystem>
#include <memory>

#include "image_stream.h"
#include "medtrail/ledger/chain_verifier.h"

namespace medtrail::ledger {
namespace image {

Result<std::vector<std::string>> expand_meta_keys(const ChainStore& store,
                                                  const rocksdb::ReadOptions& read,
                                                  const std::vector<std::string>& extra_meta_keys) {
  std::vector<std::string> keys;
  for (const std::string& k : extra_meta_keys) {
    if (k.empty() || k.back() != '/') {
      keys.push_back(k);
      continue;
    }
    std::unique_ptr<rocksdb::Iterator> it(
        store.db()->NewIterator(read, store.column_family(ColumnFamily::kMeta)));
    for (it->Seek(k); it->Valid() && it->key().starts_with(k); it->Next()) {
      keys.push_back(it->key().ToString());
    }
    if (!it->status().ok()) return Status::error("io_error", it->status().ToString());
  }
  return keys;
}

}  // namespace image

namespace {

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

namespace image {
namespace {

Result<LedgerImageInfo> verify(Source& source, const CryptoSuite& suite, const Hash& chain_id,
                               const CheckpointTrust& trust, ParallelRunner& runner,
                               const std::string& scratch_dir,
                               const std::vector<std::string>& extra_meta_keys) {
  if (source.size() > kMaxLedgerImageBytes) return Status::error("bad_image", "image too large");
  Parser parser(source, suite, chain_id, extra_meta_keys);
  MEDTRAIL_RETURN_IF_ERROR(parser.start());
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
  options.memtable_bytes = kImageScratchMemtableBytes;
  options.block_cache_bytes = kImageScratchBlockCacheBytes;
  auto scratch = ChainStore::open(scratch_dir, suite, chain_id, options);
  if (!scratch.ok()) return scratch.status();
  // The scratch store is fresh and ours: what it or the verifier finds inconsistent in it (a
  // leaf that does not decode, a state that does not give the head's state root) is the image's fault,
  // not a failing disk's, and is refused as `bad_image`.
  auto image_fault = [](const Status& s) {
    return Status::error(s.code() == "corruption" ? "bad_image" : s.code(), "image: " + s.message());
  };
  // One pass: the parser hashes as it goes, and a refusal at the end discards the scratch store.
  auto extra_meta =
      write_entries(**scratch, parser, extra_meta_keys, ImageInstallOptions{}, /*sync=*/false);
  if (!extra_meta.ok()) return image_fault(extra_meta.status());
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
  info.entries = parser.entries();
  info.extra_meta = std::move(extra_meta).value();
  return info;
}

Status install(ChainStore& store, Source& source, const std::vector<std::string>& extra_meta_keys,
               const ImageInstallOptions& options) {
  if (source.size() > kMaxLedgerImageBytes) return Status::error("bad_image", "image too large");
  // First pass: the whole image is read and checked, hash and structure, before the store is
  // touched; what was verified may have been damaged since.
  Parser check(source, store.suite(), store.chain_id(), extra_meta_keys);
  MEDTRAIL_RETURN_IF_ERROR(check.start());
  Entry entry;
  for (;;) {
    Result<bool> more = check.next(entry);
    if (!more.ok()) return more.status();
    if (!*more) break;
  }
  // Second pass: written as read. Should the file change in between, the parser refuses it
  // before the last batch, and the store stays marked (install_interrupted).
  source.rewind();
  Parser write(source, store.suite(), store.chain_id(), extra_meta_keys);
  write.expect_digest(check.digest());  // not another image put in its place either
  MEDTRAIL_RETURN_IF_ERROR(write.start());
  auto written = write_entries(store, write, extra_meta_keys, options, /*sync=*/true);
  return written.ok() ? Status() : written.status();
}

}  // namespace
}  // namespace image

Result<LedgerImageInfo> verify_ledger_image(const std::string& image, const CryptoSuite& suite,
                                            const Hash& chain_id, const CheckpointTrust& trust,
                                            ParallelRunner& runner, const std::string& scratch_dir,
                                            const std::vector<std::string>& extra_meta_keys) {
  if (image.size() > kMaxLedgerImageStringBytes) {
    return Status::error("bad_image", "image too large");
  }
  auto source = image::string_source(image);
  return image::verify(*source, suite, chain_id, trust, runner, scratch_dir, extra_meta_keys);
}

Result<LedgerImageInfo> verify_ledger_image_file(const std::string& path, const CryptoSuite& suite,
                                                 const Hash& chain_id, const CheckpointTrust& trust,
                                                 ParallelRunner& runner,
                                                 const std::string& scratch_dir,
                                                 const std::vector<std::string>& extra_meta_keys) {
  auto source = image::file_source(path);
  if (!source.ok()) return source.status();
  return image::verify(**source, suite, chain_id, trust, runner, scratch_dir, extra_meta_keys);
}

Status install_ledger_image(ChainStore& store, const std::string& image,
                            const std::vector<std::string>& extra_meta_keys,
                            const ImageInstallOptions& options) {
  auto source = image::string_source(image);
  return image::install(store, *source, extra_meta_keys, options);
}

Status install_ledger_image_file(ChainStore& store, const std::string& path,
                                 const std::vector<std::string>& extra_meta_keys,
                                 const ImageInstallOptions& options) {
  auto source = image::file_source(path);
  if (!source.ok()) return source.status();
  return image::install(store, **source, extra_meta_keys, options);
}

}  // namespace medtrail::ledger
