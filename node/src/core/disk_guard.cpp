#include "core/disk_guard.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>

namespace medtrail::node {

ledger::Result<uint64_t> free_bytes(const std::string& path) {
  struct statvfs fs {};
  if (::statvfs(path.c_str(), &fs) != 0) {
    return ledger::Status::error("io_error", "cannot read the free space of " + path + ": " + std::strerror(errno));
  }
  return static_cast<uint64_t>(fs.f_bavail) * static_cast<uint64_t>(fs.f_frsize);
}

ledger::Status check_free_space(const std::string& path, uint64_t min_bytes) {
  if (min_bytes == 0) return {};
  auto free = free_bytes(path);
  if (!free.ok()) return free.status();
  if (*free >= min_bytes) return {};
  constexpr uint64_t kMiB = 1 << 20;
  return ledger::Status::error("disk_full", path + " has " + std::to_string(*free / kMiB) +
                                                " MiB free, less than storage.min_free_mb = " +
                                                std::to_string(min_bytes / kMiB) +
                                                " (the node stops before a write fails; free some space or lower it)");
}

}  // namespace medtrail::node
