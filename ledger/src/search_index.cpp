#include "medtrail/ledger/search_index.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <memory>

#include "medtrail/ledger/envelope.h"

namespace medtrail::ledger {
namespace {

// Leaves indexed per catch-up batch: bounded memory, and progress a reader of the log can follow.
constexpr uint64_t kCatchUpBatch = 20000;

std::string listed(SearchList list, std::string_view value, uint64_t leaf_index) {
  std::string key = search_prefix(list, value);
  append_be64(key, leaf_index);
  return key;
}

Result<uint64_t> indexed_leaves(const ChainStore& store) {
  std::string value;
  rocksdb::Status s = store.db()->Get(rocksdb::ReadOptions(), store.column_family(ColumnFamily::kMeta),
                                      rocksdb::Slice(kSearchIndexMetaKey.data(), kSearchIndexMetaKey.size()), &value);
  if (s.IsNotFound()) return uint64_t{0};
  if (!s.ok()) return Status::error("io_error", "search index coverage: " + s.ToString());
  if (value.size() != 8) return Status::error("corruption", "search index coverage is not a leaf count");
  return read_be64(reinterpret_cast<const uint8_t*>(value.data()));
}

}  // namespace

std::string search_prefix(SearchList list, std::string_view value) {
  std::string prefix(1, static_cast<char>(list));
  if (list == SearchList::kRejected) return prefix;
  prefix.append(value);
  prefix.push_back('\0');
  return prefix;
}

void search_keys(const Envelope& envelope, bool accepted, uint64_t leaf_index, std::vector<std::string>& out) {
  auto fields = parse_payload(envelope);
  search_keys(fields.ok() ? &*fields : nullptr, accepted, leaf_index, out);
}

void search_keys(const PayloadFields* fields, bool accepted, uint64_t leaf_index, std::vector<std::string>& out) {
  if (!accepted) out.push_back(listed(SearchList::kRejected, {}, leaf_index));
  if (fields == nullptr) return;
  out.push_back(listed(SearchList::kKind, fields->kind, leaf_index));
  if (!accepted) out.push_back(listed(SearchList::kRejectedKind, fields->kind, leaf_index));
  out.push_back(listed(SearchList::kOrg, fields->org, leaf_index));
  out.push_back(listed(SearchList::kActor, fields->actor, leaf_index));
}

Status catch_up_search_index(ChainStore& store, const std::function<void(uint64_t, uint64_t)>& progress) {
  auto covered = indexed_leaves(store);
  if (!covered.ok()) return covered.status();
  const uint64_t total = store.tree_size();
  if (*covered > total) return Status::error("corruption", "the search index covers leaves past the head");
  std::vector<std::string> keys;
  for (uint64_t done = *covered; done < total;) {
    const uint64_t end = std::min(total, done + kCatchUpBatch);
    rocksdb::WriteBatch batch;
    for (uint64_t i = done; i < end; ++i) {
      auto leaf = store.leaf_at(i);
      if (!leaf.ok()) return leaf.status();
      keys.clear();
      search_keys(leaf->envelope, leaf->result.accepted, i, keys);
      for (const std::string& k : keys) batch.Put(store.column_family(ColumnFamily::kIndex), k, rocksdb::Slice());
    }
    std::string coverage;
    append_be64(coverage, end);
    batch.Put(store.column_family(ColumnFamily::kMeta),
              rocksdb::Slice(kSearchIndexMetaKey.data(), kSearchIndexMetaKey.size()), coverage);
    rocksdb::Status s = store.db()->Write(rocksdb::WriteOptions(), &batch);
    if (!s.ok()) return Status::error("io_error", "writing the search index: " + s.ToString());
    done = end;
    if (progress) progress(done, total);
  }
  return {};
}

Result<LeafList> listed_leaves(const ChainStore& store, ColumnFamily cf, std::string_view prefix, uint64_t first,
                               uint64_t end, size_t max) {
  LeafList out;
  if (first >= end) return out;
  std::string start(prefix);
  append_be64(start, first);
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(rocksdb::ReadOptions(), store.column_family(cf)));
  for (it->Seek(start); it->Valid() && it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size()));
       it->Next()) {
    const rocksdb::Slice key = it->key();
    if (key.size() != prefix.size() + 8) continue;  // another list whose name extends this one's
    const uint64_t leaf = read_be64(reinterpret_cast<const uint8_t*>(key.data() + prefix.size()));
    if (leaf >= end) break;
    if (out.leaves.size() == max) {
      out.truncated = true;
      break;
    }
    out.leaves.push_back(leaf);
  }
  if (!it->status().ok()) return Status::error("io_error", "the index could not be read: " + it->status().ToString());
  return out;
}

Result<std::optional<uint64_t>> first_leaf_at_or_after(const ChainStore& store, uint64_t time_ms) {
  // Invariant: blocks below `low` are earlier than time_ms; blocks from `high` on are not.
  uint64_t low = 1;
  uint64_t high = store.height() + 1;
  std::optional<BlockHeader> found;
  while (low < high) {
    const uint64_t mid = low + (high - low) / 2;
    auto header = store.header_at(mid);
    if (!header.ok()) return header.status();
    if (header->timestamp_ms >= time_ms) {
      high = mid;
      found = *header;
    } else {
      low = mid + 1;
    }
  }
  if (!found) return std::optional<uint64_t>();
  return std::optional<uint64_t>(found->first_leaf);
}

}  // namespace medtrail::ledger
