#include "app/compaction_priority.h"

#include <rocksdb/env.h>

namespace medtrail::node {

ledger::Status lower_compaction_priority() {
  const rocksdb::Status s = rocksdb::Env::Default()->LowerThreadPoolCPUPriority(
      rocksdb::Env::Priority::LOW, rocksdb::CpuPriority::kLow);
  if (!s.ok()) return ledger::Status::error("unavailable", s.ToString());
  return ledger::Status();
}

}  // namespace medtrail::node
