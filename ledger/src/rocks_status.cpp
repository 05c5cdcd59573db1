#include "rocks_status.h"

namespace medtrail::ledger {

Status from_rocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return {};
  if (s.IsNotFound()) return Status::error("not_found", what + ": not found");
  if (s.IsCorruption()) return Status::error("corruption", what + ": " + s.ToString());
  return Status::error("io_error", what + ": " + s.ToString());
}

}  // namespace medtrail::ledger
