#include "app/malloc_arenas.h"

#include <gtest/gtest.h>
#include <malloc.h>
#include <sched.h>
#include <stdio.h>

#include <barrier>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/sanitizers.h"

namespace medtrail::node {
namespace {

// The arenas glibc holds, counted in malloc_info's report: one <heap nr="..."> each.
int count_arenas() {
  char* text = nullptr;
  size_t size = 0;
  FILE* out = open_memstream(&text, &size);
  if (out == nullptr) return -1;
  const int rc = malloc_info(0, out);
  fclose(out);
  const std::string report(text == nullptr ? "" : text, size);
  free(text);
  if (rc != 0) return -1;
  int arenas = 0;
  for (size_t at = report.find("<heap nr="); at != std::string::npos;
       at = report.find("<heap nr=", at + 1)) {
    ++arenas;
  }
  return arenas;
}

// Eight threads that allocate at once, two thousand blocks each: glibc makes a new arena when a
// thread finds the arenas busy, so without a cap each gets its own (one small block per thread
// made 2 to 8 arenas in all, varying from run to run; this makes 9 every time).
void allocate_on_eight_threads() {
  constexpr int kThreads = 8;
  std::barrier all_alive(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&all_alive] {
      std::vector<void*> blocks;
      blocks.reserve(2000);
      all_alive.arrive_and_wait();
      for (size_t k = 0; k < 2000; ++k) blocks.push_back(std::malloc(64 + k % 512));
      all_alive.arrive_and_wait();
      for (void* b : blocks) std::free(b);
    });
  }
  for (auto& t : threads) t.join();
}

// Sets an environment variable for one test and puts back what was there.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value == nullptr) {
      ::unsetenv(name);
    } else {
      ::setenv(name, value, 1);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// The cases that count arenas run in a child started afresh, whose arenas are only its own.
class MallocArenasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::kUnderSanitizer) GTEST_SKIP() << "the sanitizer's allocator replaces glibc's";
    GTEST_FLAG_SET(death_test_style, "threadsafe");
  }
};

TEST_F(MallocArenasTest, ThreadsShareTheArenasOfTheCap) {
  EXPECT_EXIT(
      {
        ::unsetenv("MALLOC_ARENA_MAX");
        ::unsetenv("GLIBC_TUNABLES");
        const MallocArenas arenas = cap_malloc_arenas(2);
        if (arenas.cap != 2 || !arenas.environment.empty()) std::_Exit(2);
        allocate_on_eight_threads();
        const int n = count_arenas();
        std::_Exit(n >= 1 && n <= 2 ? 0 : 10 + n);
      },
      ::testing::ExitedWithCode(0), "");
}

// The check above can fail: uncapped, the same threads make arenas of their own.
TEST_F(MallocArenasTest, UncappedTheSameThreadsMakeArenasOfTheirOwn) {
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (std::getenv("MALLOC_ARENA_MAX") != nullptr ||
      (tunables != nullptr && std::strstr(tunables, "arena_max") != nullptr)) {
    GTEST_SKIP() << "the environment caps the arenas";
  }
  EXPECT_EXIT(
      {
        allocate_on_eight_threads();
        std::_Exit(count_arenas() > 2 ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(MallocArenas, TheDefaultIsOnePerUsableCoreAndAtLeastTwo) {
  cpu_set_t set;
  ASSERT_EQ(::sched_getaffinity(0, sizeof set, &set), 0);
  const int cores = CPU_COUNT(&set);
  EXPECT_EQ(default_malloc_arenas(), cores < 2 ? 2 : cores);
}

// glibc read the operator's setting by its own rules before main; the node leaves it alone and
// says where the setting came from.
TEST(MallocArenas, AnOperatorsSettingIsLeftAsGiven) {
  {
    ScopedEnv max("MALLOC_ARENA_MAX", "4");
    const MallocArenas arenas = cap_malloc_arenas();
    EXPECT_EQ(arenas.environment, "MALLOC_ARENA_MAX");
    EXPECT_EQ(arenas.cap, 0);
  }
  {
    ScopedEnv max("MALLOC_ARENA_MAX", nullptr);
    ScopedEnv tunables("GLIBC_TUNABLES", "glibc.malloc.check=0:glibc.malloc.arena_max=4");
    const MallocArenas arenas = cap_malloc_arenas();
    EXPECT_EQ(arenas.environment, "GLIBC_TUNABLES");
    EXPECT_EQ(arenas.cap, 0);
  }
}

}  // namespace
}  // namespace medtrail::node
