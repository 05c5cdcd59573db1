#include "app/malloc_arenas.h"

#include <gtest/gtest.h>
#include <malloc.h>
#include <stdio.h>

#include <barrier>
#include <cstdlib>
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

// Eight threads that each allocate while all the others are alive: without a cap, glibc gives
// each its own arena.
void allocate_on_eight_threads() {
  constexpr int kThreads = 8;
  std::barrier all_alive(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&all_alive] {
      all_alive.arrive_and_wait();
      void* p = std::malloc(256);
      all_alive.arrive_and_wait();
      std::free(p);
    });
  }
  for (auto& t : threads) t.join();
}

class MallocArenasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::kUnderSanitizer) GTEST_SKIP() << "the sanitizer's allocator replaces glibc's";
    // Each case runs in a child started afresh, whose arenas are only its own.
    GTEST_FLAG_SET(death_test_style, "threadsafe");
  }
};

TEST_F(MallocArenasTest, ThreadsShareTheArenasOfTheCap) {
  EXPECT_EXIT(
      {
        ::unsetenv("MALLOC_ARENA_MAX");
        const MallocArenas arenas = cap_malloc_arenas(2);
        if (arenas.cap != 2 || arenas.from_environment) std::_Exit(2);
        allocate_on_eight_threads();
        const int n = count_arenas();
        std::_Exit(n >= 1 && n <= 2 ? 0 : 10 + n);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST_F(MallocArenasTest, TheDefaultIsOnePerCoreAndAtLeastTwo) {
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  EXPECT_EQ(default_malloc_arenas(), cores < 2 ? 2 : cores);
}

// The check above can fail: uncapped, the same threads make arenas of their own.
TEST_F(MallocArenasTest, UncappedTheSameThreadsMakeArenasOfTheirOwn) {
  if (std::getenv("MALLOC_ARENA_MAX") != nullptr) GTEST_SKIP() << "MALLOC_ARENA_MAX caps them";
  EXPECT_EXIT(
      {
        allocate_on_eight_threads();
        std::_Exit(count_arenas() > 2 ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST_F(MallocArenasTest, AnOperatorsMallocArenaMaxIsLeftAsGiven) {
  ::setenv("MALLOC_ARENA_MAX", "4", 1);
  MallocArenas arenas = cap_malloc_arenas();
  EXPECT_TRUE(arenas.from_environment);
  EXPECT_EQ(arenas.cap, 4);
  ::setenv("MALLOC_ARENA_MAX", "four", 1);
  arenas = cap_malloc_arenas();
  EXPECT_TRUE(arenas.from_environment);
  EXPECT_EQ(arenas.cap, 0);  // glibc ignores it too: its own default holds
  ::unsetenv("MALLOC_ARENA_MAX");
}

}  // namespace
}  // namespace medtrail::node
