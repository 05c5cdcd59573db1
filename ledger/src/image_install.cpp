// Writing an image's entries into a store in bounded batches, under the install marker
// (ledger_image.h: "Installing").
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <vector>

#include "image_stream.h"
#include "medtrail/ledger/search_index.h"

namespace medtrail::ledger::image {
namespace {

// The most memtable memory an install lets the image take before it waits for a flush (less
// when the store's own budget is smaller): a node's memtables are shared with its normal work.
constexpr uint64_t kInstallMemtableBytes = 32 << 20;

uint64_t install_memtable_budget(const ChainStore& store) {
  const uint64_t own = store.db()->GetDBOptions().db_write_buffer_size;  // 0: unbounded
  return own == 0 ? kInstallMemtableBytes : std::min(kInstallMemtableBytes, own);
}

class BatchWriter {
 public:
  BatchWriter(ChainStore& store, const ImageInstallOptions& options, bool sync)
      : store_(store),
        options_(options),
        sync_(sync),
        memtable_budget_(install_memtable_budget(store)) {}

  // Writes `batch` and empties it. `durable`: synced (when the writer syncs at all); RocksDB's
  // log is written in order, so a synced batch makes the unsynced ones before it durable too.
  Status write(rocksdb::WriteBatch& batch, bool durable) {
    if (options_.stop_after_batches != 0 && written_ == options_.stop_after_batches) {
      return Status::error("interrupted",
                           "install stopped after " + std::to_string(written_) + " batches");
    }
    rocksdb::WriteOptions write_options;
    write_options.sync = durable && sync_;
    MEDTRAIL_RETURN_IF_ERROR(
        from_rocks(store_.db()->Write(write_options, &batch), "writing the image"));
    batch.Clear();
    ++written_;
    return keep_memtables_bounded();
  }

 private:
  // RocksDB flushes memtables past the store's budget in the background but does not wait for
  // the flushes, and a writer as fast as an install outruns them: the memtables would grow with
  // the image. So the install flushes, and waits. It counts the families the image writes only:
  // the Raft log's memtable is not the install's to flush.
  Status keep_memtables_bounded() {
    std::vector<rocksdb::ColumnFamilyHandle*> families{store_.column_family(ColumnFamily::kMeta),
                                                       store_.column_family(ColumnFamily::kStateMap)};
    for (ColumnFamily f : kFamilies) families.push_back(store_.column_family(f));
    uint64_t bytes = 0;
    for (rocksdb::ColumnFamilyHandle* family : families) {
      uint64_t family_bytes = 0;
      if (store_.db()->GetIntProperty(family, "rocksdb.size-all-mem-tables", &family_bytes)) {
        bytes += family_bytes;
      }
    }
    if (bytes <= memtable_budget_) return {};
    rocksdb::FlushOptions flush;
    flush.wait = true;
    flush.allow_write_stall = true;
    return from_rocks(store_.db()->Flush(flush, families), "flushing the image");
  }

  ChainStore& store_;
  const ImageInstallOptions& options_;
  const bool sync_;
  const uint64_t memtable_budget_;
  uint64_t written_ = 0;
};

// Every key of the family, as one range tombstone: from the empty key (the first of all) to
// just past the last key there is.
Status clear_family(ChainStore& store, ColumnFamily family, rocksdb::WriteBatch& batch) {
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(rocksdb::ReadOptions(), store.column_family(family)));
  it->SeekToLast();
  MEDTRAIL_RETURN_IF_ERROR(from_rocks(it->status(), "clearing the ledger"));
  if (!it->Valid()) return {};
  std::string end = it->key().ToString();
  end.push_back('\0');
  return from_rocks(batch.DeleteRange(store.column_family(family), rocksdb::Slice(), end),
                    "clearing the ledger");
}

rocksdb::Slice slice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

// The height the image's head names, which must be its last block's (blocks are keyed by be64
// height): the state map is rebuilt for it before the head is written, and a store whose head
// and blocks disagree would only be found unopenable after the install's marker was gone.
Result<uint64_t> image_head_height(const ChainStore& store, const std::vector<Entry>& meta) {
  std::optional<uint64_t> head;
  for (const Entry& e : meta) {
    auto height = ChainStore::head_height_of(e.key, e.value);
    if (!height.ok()) return Status::error("bad_image", height.status().message());
    if (*height) head = *height;
  }
  if (!head) return Status::error("bad_image", "the image has no chain head");
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(rocksdb::ReadOptions(), store.column_family(ColumnFamily::kBlocks)));
  it->SeekToLast();
  MEDTRAIL_RETURN_IF_ERROR(from_rocks(it->status(), "reading the image's blocks"));
  uint64_t last = 0;
  if (it->Valid()) {
    if (it->key().size() != 8) return Status::error("bad_image", "a block key is not a height");
    last = read_be64(reinterpret_cast<const uint8_t*>(it->key().data()));
  }
  if (*head != last) {
    return Status::error("bad_image", "the image's head is not its last block");
  }
  return *head;
}

}  // namespace

Result<std::map<std::string, std::string>> write_entries(
    ChainStore& store, Parser& parser, const std::vector<std::string>& extra_meta_keys,
    const ImageInstallOptions& options, bool sync) {
  BatchWriter writer(store, options, sync);
  rocksdb::ColumnFamilyHandle* meta_family = store.column_family(ColumnFamily::kMeta);

  // First batch: from here until the last one the store is an empty chain, marked.
  rocksdb::WriteBatch batch;
  store.begin_install(batch);
  for (ColumnFamily f : kFamilies) MEDTRAIL_RETURN_IF_ERROR(clear_family(store, f, batch));
  // An image carries no state map: it is rebuilt from the image's state below.
  MEDTRAIL_RETURN_IF_ERROR(clear_family(store, ColumnFamily::kStateMap, batch));
  auto existing = expand_meta_keys(store, rocksdb::ReadOptions(), extra_meta_keys);
  if (!existing.ok()) return existing.status();
  for (const std::string& k : *existing) batch.Delete(meta_family, k);
  // The search index went with the index family; reload() rebuilds it from the image's leaves.
  batch.Delete(meta_family, slice(kSearchIndexMetaKey));
  MEDTRAIL_RETURN_IF_ERROR(writer.write(batch, /*durable=*/true));
  // Readers and the appending thread see what is on disk: an empty chain that refuses to grow.
  MEDTRAIL_RETURN_IF_ERROR(store.reload());

  // The ledger families, in batches of about options.batch_bytes; the meta entries wait for the
  // last batch, since they hold the head.
  Entry entry;
  std::vector<Entry> meta;
  for (;;) {
    Result<bool> more = parser.next(entry);
    if (!more.ok()) return more.status();
    if (!*more) break;
    if (entry.cf == ColumnFamily::kMeta) {
      meta.push_back(entry);
      continue;
    }
    batch.Put(store.column_family(entry.cf), entry.key, entry.value);
    if (batch.GetDataSize() >= options.batch_bytes) {
      MEDTRAIL_RETURN_IF_ERROR(writer.write(batch, /*durable=*/false));
    }
  }
  // The state map of the image's head, from the image's state, before the head is: it must give
  // the root the head block commits to, or the image is not the chain its blocks say.
  if (batch.Count() > 0) MEDTRAIL_RETURN_IF_ERROR(writer.write(batch, /*durable=*/false));
  auto head = image_head_height(store, meta);
  if (!head.ok()) return head.status();
  auto root = store.rebuild_state_map(
      *head, [&](rocksdb::WriteBatch& b) { return writer.write(b, /*durable=*/false); });
  if (!root.ok()) {
    if (root.status().code() != "invalid_argument") return root.status();
    return Status::error("bad_image", root.status().message());
  }
  if (*head > 0) {
    auto header = store.header_at(*head);
    if (!header.ok()) return header.status();
    if (header->state_root != *root) {
      return Status::error("bad_image",
                           "the image's state does not give its head block's state root");
    }
  }
  for (const Entry& e : meta) batch.Put(meta_family, e.key, e.value);
  store.finish_install(batch);
  MEDTRAIL_RETURN_IF_ERROR(writer.write(batch, /*durable=*/true));
  MEDTRAIL_RETURN_IF_ERROR(store.reload());

  std::map<std::string, std::string> extra_meta;
  const std::vector<std::string> own = ChainStore::own_meta_keys();
  for (Entry& e : meta) {
    if (std::find(own.begin(), own.end(), e.key) == own.end()) {
      extra_meta.emplace(std::move(e.key), std::move(e.value));
    }
  }
  return extra_meta;
}

}  // namespace medtrail::ledger::image
