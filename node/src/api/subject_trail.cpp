#include "api/subject_trail.h"

#include <rocksdb/db.h>

#include <memory>

#include "medtrail/contracts/state.h"

namespace medtrail::node::api {

ledger::Result<SubjectTrail> subject_trail(const ledger::ChainStore& store, std::string_view subject,
                                           size_t max, std::optional<uint64_t> after) {
  const std::string prefix = contracts::index_prefix(subject);
  rocksdb::ReadOptions options;
  options.prefix_same_as_start = false;
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(options, store.column_family(ledger::ColumnFamily::kState)));
  SubjectTrail trail;
  if (after && *after == UINT64_MAX) return SubjectTrail{};
  const std::string start = after ? contracts::index_key(subject, *after + 1) : prefix;
  for (it->Seek(start); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const rocksdb::Slice key = it->key();
    if (key.size() != prefix.size() + 8) continue;  // not an index entry of this subject
    if (trail.leaves.size() == max) {
      trail.truncated = true;
      break;
    }
    uint64_t leaf = 0;
    for (size_t i = prefix.size(); i < key.size(); ++i) {
      leaf = (leaf << 8) | static_cast<uint8_t>(key[i]);
    }
    trail.leaves.push_back(leaf);
  }
  if (!it->status().ok()) return ledger::Status::error("io_error", "the index could not be read");
  return trail;
}

}  // namespace medtrail::node::api
