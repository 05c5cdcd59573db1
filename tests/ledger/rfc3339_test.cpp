// RFC 3339 date-times: what payloads and genesis accept, and their Unix time.

#include "medtrail/ledger/rfc3339.h"

#include <gtest/gtest.h>

#include <limits>

namespace medtrail::ledger {
namespace {

TEST(Rfc3339, ConvertsToUnixMilliseconds) {
  EXPECT_EQ(rfc3339_to_unix_ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(rfc3339_to_unix_ms("2026-11-23T10:00:00Z"), int64_t{1795428000} * 1000);
  EXPECT_EQ(rfc3339_to_unix_ms("2026-11-23T18:00:00+08:00"), int64_t{1795428000} * 1000);
  EXPECT_EQ(rfc3339_to_unix_ms("2026-11-23T05:30:00-04:30"), int64_t{1795428000} * 1000);
  EXPECT_EQ(rfc3339_to_unix_ms("2024-02-29T00:00:00.123456789Z"), int64_t{1709164800123});
  EXPECT_EQ(rfc3339_to_unix_ms("1969-12-31T23:59:59.5Z"), -500);
}

TEST(Rfc3339, RefusesWhatIsNotOne) {
  for (const char* bad : {"", "2026-11-23", "2026-11-23T10:00:00", "2026-11-23t10:00:00Z",
                          "2026-11-23T10:00:00z", "2026-02-29T10:00:00Z", "2026-11-23T24:00:00Z",
                          "2026-11-23T10:00:60Z", "2026-11-23T10:00:00.Z",
                          "2026-11-23T10:00:00.1234567890Z", "2026-11-23T10:00:00+8:00",
                          "2026-11-23T10:00:00Z ", "2026-13-01T00:00:00Z"}) {
    EXPECT_FALSE(is_rfc3339(bad)) << bad;
  }
}

}  // namespace
}  // namespace medtrail::ledger

namespace medtrail::ledger {
namespace {

TEST(Rfc3339, FormatsUnixMillisecondsInUtcToTheSecondAndReadsBack) {
  EXPECT_EQ(unix_ms_to_rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(unix_ms_to_rfc3339(1796292600999), "2026-12-03T10:10:00Z");
  EXPECT_EQ(unix_ms_to_rfc3339(951782400000), "2000-02-29T00:00:00Z");  // a leap day
  EXPECT_EQ(unix_ms_to_rfc3339(-1), "1969-12-31T23:59:59Z");             // truncated toward the past
  for (int64_t ms : {int64_t{0}, int64_t{1796292600000}, int64_t{4102444799000}}) {
    EXPECT_EQ(rfc3339_to_unix_ms(unix_ms_to_rfc3339(ms)), ms);
  }
}

// A node's answer may carry any integer where a time belongs, and the CLI prints it: every int64
// formats, without overflow (UBSan caught ms - 999 at INT64_MIN before the fix).
TEST(Rfc3339, EveryInt64FormatsWithoutOverflow) {
  EXPECT_EQ(unix_ms_to_rfc3339(-1000), "1969-12-31T23:59:59Z");
  EXPECT_EQ(unix_ms_to_rfc3339(-1001), "1969-12-31T23:59:58Z");
  EXPECT_EQ(unix_ms_to_rfc3339(-86'400'000), "1969-12-31T00:00:00Z");
  EXPECT_EQ(unix_ms_to_rfc3339(std::numeric_limits<int64_t>::max()), "292278994-08-17T07:12:55Z");
  const std::string min = unix_ms_to_rfc3339(std::numeric_limits<int64_t>::min());
  EXPECT_TRUE(min.starts_with("-292275055-05-16T16:47:04")) << min;
}

}  // namespace
}  // namespace medtrail::ledger
