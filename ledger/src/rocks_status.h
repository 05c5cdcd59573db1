#pragma once
// A RocksDB status as the ledger's Status, the one conversion every store reader uses; and
// bytes as a RocksDB slice.

#include <rocksdb/slice.h>
#include <rocksdb/status.h>

#include <string>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

// ok stays ok; otherwise `not_found`, `corruption` or `io_error`, the message led by `what`.
Status from_rocks(const rocksdb::Status& s, const std::string& what);

inline rocksdb::Slice slice(ByteView b) {
  return rocksdb::Slice(reinterpret_cast<const char*>(b.data()), b.size());
}

}  // namespace medtrail::ledger
