#include "api/rocksdb_figures.h"

#include <rocksdb/db.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <map>
#include <string>

namespace medtrail::node::api {
namespace {

// A value of one of RocksDB's map properties: decimal text, 0 when absent or not a number.
double map_value(const std::map<std::string, std::string>& map, const std::string& key) {
  auto it = map.find(key);
  if (it == map.end()) return 0;
  char* end = nullptr;
  const double v = std::strtod(it->second.c_str(), &end);
  return end != it->second.c_str() && v > 0 ? v : 0;
}

}  // namespace

RocksdbFigures read_rocksdb_figures(const ledger::ChainStore& store) {
  RocksdbFigures f;
  rocksdb::DB* db = store.db();
  if (db == nullptr) return f;

  std::map<std::string, std::string> stats;
  if (db->GetMapProperty(rocksdb::DB::Properties::kDBStats, &stats)) {
    f.user_bytes_written = static_cast<uint64_t>(map_value(stats, "db.user_bytes_written"));
    f.wal_bytes_written = static_cast<uint64_t>(map_value(stats, "db.wal_bytes_written"));
  }
  // Per family, compaction statistics in GiB (RocksDB's "GB" is 2^30 bytes) printed with six
  // decimals, so each family's figure moves in steps of about 1 KiB; the level "Sum" covers
  // level 0, which flushes write, and every level compactions write.
  constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
  double tables = 0;
  for (ledger::ColumnFamily cf : ledger::kAllColumnFamilies) {
    rocksdb::ColumnFamilyHandle* handle = store.column_family(cf);
    if (handle == nullptr) continue;
    stats.clear();
    if (db->GetMapProperty(handle, rocksdb::DB::Properties::kCFStats, &stats)) {
      tables += map_value(stats, "compaction.Sum.WriteGB") * kGiB;
    }
    std::string files;
    if (db->GetProperty(handle, rocksdb::DB::Properties::kNumFilesAtLevelPrefix + "0", &files)) {
      uint64_t n = 0;
      auto [end, ec] = std::from_chars(files.data(), files.data() + files.size(), n);
      if (ec == std::errc()) f.level0_files = std::max(f.level0_files, n);
    }
  }
  f.table_bytes_written = static_cast<uint64_t>(tables);

  uint64_t v = 0;
  // The rate RocksDB holds writes to; 0 while it does not delay them.
  if (db->GetIntProperty(rocksdb::DB::Properties::kActualDelayedWriteRate, &v)) {
    f.writes_delayed = v > 0;
  }
  if (db->GetIntProperty(rocksdb::DB::Properties::kIsWriteStopped, &v)) f.writes_stopped = v > 0;
  if (db->GetAggregatedIntProperty(rocksdb::DB::Properties::kTotalSstFilesSize, &v)) {
    f.disk_bytes = v;
  }
  rocksdb::VectorLogPtr wal_files;
  if (db->GetSortedWalFiles(wal_files).ok()) {
    for (const auto& file : wal_files) f.disk_bytes += file->SizeFileBytes();
  }
  if (db->GetAggregatedIntProperty(rocksdb::DB::Properties::kCurSizeAllMemTables, &v)) {
    f.memtable_bytes = v;
  }
  if (db->GetAggregatedIntProperty(rocksdb::DB::Properties::kEstimateTableReadersMem, &v)) {
    f.table_reader_bytes = v;
  }
  // Shared by every family, so one family's figure is the cache's.
  if (db->GetIntProperty(rocksdb::DB::Properties::kBlockCacheUsage, &v)) f.block_cache_bytes = v;
  return f;
}

}  // namespace medtrail::node::api
