#include "app/open_files.h"

#include <sys/resource.h>

#include <gtest/gtest.h>

namespace medtrail::node {
namespace {

// Puts the process's limit back as it was, whatever the test did to it.
class OpenFileLimitTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved_), 0); }
  void TearDown() override { ::setrlimit(RLIMIT_NOFILE, &saved_); }
  static rlim_t soft() {
    rlimit now{};
    ::getrlimit(RLIMIT_NOFILE, &now);
    return now.rlim_cur;
  }
  static void set_soft(rlim_t value) {
    rlimit now{};
    ::getrlimit(RLIMIT_NOFILE, &now);
    now.rlim_cur = value;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &now), 0);
  }
  rlimit saved_{};
};

// A systemd unit or a shell gives 1,024, fewer than the two listeners' default caps.
TEST_F(OpenFileLimitTest, ASoftLimitBelowWhatTheNodeNeedsIsRaisedUpToTheHardLimit) {
  ASSERT_GE(saved_.rlim_max, 100u);
  set_soft(64);
  OpenFileLimit limit = raise_open_file_limit(100);
  EXPECT_TRUE(limit.enough());
  EXPECT_EQ(limit.soft, 100u);
  EXPECT_EQ(soft(), 100u);
  // Never lowered.
  limit = raise_open_file_limit(80);
  EXPECT_TRUE(limit.enough());
  EXPECT_EQ(limit.soft, 100u);
  EXPECT_EQ(soft(), 100u);
}

TEST_F(OpenFileLimitTest, BeyondTheHardLimitItStopsThereAndSaysSo) {
  if (saved_.rlim_max == RLIM_INFINITY) GTEST_SKIP() << "no hard limit";
  const OpenFileLimit limit = raise_open_file_limit(saved_.rlim_max + 1);
  EXPECT_FALSE(limit.enough());
  EXPECT_EQ(limit.soft, saved_.rlim_max);
  EXPECT_EQ(limit.hard, saved_.rlim_max);
  EXPECT_EQ(soft(), saved_.rlim_max);
}

}  // namespace
}  // namespace medtrail::node
