#pragma once
// A RocksDB status as the ledger's Status, the one conversion every store reader uses.

#include <rocksdb/status.h>

#include <string>

#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

// ok stays ok; otherwise `not_found`, `corruption` or `io_error`, the message led by `what`.
Status from_rocks(const rocksdb::Status& s, const std::string& what);

}  // namespace medtrail::ledger
