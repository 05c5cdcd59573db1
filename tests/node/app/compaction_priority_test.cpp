#include "app/compaction_priority.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <sys/resource.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "support/chain_fixture.h"

namespace medtrail::node {
namespace {

// The nice value of each of this process's threads named `name` (/proc/self/task/<tid>/stat:
// the 19th field, counted after the command in parentheses).
std::vector<int> nice_of_threads_named(const std::string& name) {
  std::vector<int> out;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string thread_name;
    std::getline(comm, thread_name);
    if (thread_name != name) continue;
    std::ifstream stat_file(task.path() / "stat");
    const std::string stat((std::istreambuf_iterator<char>(stat_file)), {});
    const size_t paren = stat.rfind(')');
    if (paren == std::string::npos || paren + 2 > stat.size()) continue;  // the thread ended
    std::istringstream fields(stat.substr(paren + 2));
    std::string field;
    int i = 3;
    while (i <= 19 && fields >> field) ++i;
    if (i == 20) out.push_back(std::stoi(field));
  }
  return out;
}

// A compaction run after the call runs at nice 19; without it, at the process's own priority.
TEST(CompactionPriorityTest, CompactionsRunAtTheLowestCpuPriority) {
  errno = 0;
  const int own_nice = ::getpriority(PRIO_PROCESS, 0);
  if (errno == 0 && own_nice >= 19) GTEST_SKIP() << "this process already runs at nice 19";
  ASSERT_TRUE(lower_compaction_priority().ok());
  medtrail::testing::TempDir dir;
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, dir.file("db"), &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  for (int table = 0; table < 2; ++table) {
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE(db->Put({}, "key-" + std::to_string(i), "value-" + std::to_string(table)).ok());
    }
    ASSERT_TRUE(db->Flush({}).ok());
  }
  // A manual compaction runs on the same pool of compaction threads.
  ASSERT_TRUE(db->CompactRange({}, nullptr, nullptr).ok());

  const std::vector<int> nice = nice_of_threads_named("rocksdb:low");
  ASSERT_FALSE(nice.empty()) << "no RocksDB compaction thread";
  bool one_lowered = false;
  for (int n : nice) one_lowered = one_lowered || n == 19;
  EXPECT_TRUE(one_lowered) << "compaction threads' nice: " << ::testing::PrintToString(nice);
}

}  // namespace
}  // namespace medtrail::node
