// The free-space guard on a real file system: what it reads, and its verdicts at 0, at what is
// there, and past it.
#include "core/disk_guard.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace medtrail::node {
namespace {

TEST(DiskGuard, FreeSpaceOfARealDirectory) {
  const std::string dir = std::filesystem::temp_directory_path().string();
  auto free = free_bytes(dir);
  ASSERT_TRUE(free.ok()) << free.status().to_string();
  EXPECT_GT(*free, 0u);
  EXPECT_TRUE(check_free_space(dir, 0).ok());
  EXPECT_TRUE(check_free_space(dir, 1).ok());
  ledger::Status full = check_free_space(dir, *free + (uint64_t{1} << 40));
  EXPECT_EQ(full.code(), "disk_full");
  EXPECT_NE(full.message().find("storage.min_free_mb"), std::string::npos) << full.message();
}

TEST(DiskGuard, AMissingDirectoryIsAnIoErrorNotAFullDisk) {
  EXPECT_EQ(free_bytes("/nonexistent/medtrail").status().code(), "io_error");
  EXPECT_EQ(check_free_space("/nonexistent/medtrail", 1).code(), "io_error");
}

}  // namespace
}  // namespace medtrail::node
