// The one decimal reader of the formats (ledger/decimal.h): sizes in notes and witness requests,
// tile path parts, heights and leaves in paths and queries.
#include "medtrail/ledger/decimal.h"

#include <gtest/gtest.h>

namespace medtrail::ledger {
namespace {

TEST(DecimalTest, OnlyPlainDecimalsWithoutLeadingZerosRead) {
  EXPECT_EQ(parse_decimal("0"), 0u);
  EXPECT_EQ(parse_decimal("70000"), 70000u);
  EXPECT_EQ(parse_decimal("18446744073709551615"), UINT64_MAX);
  for (const char* bad :
       {"", "-1", "+1", "01", "00", "1.0", "1e3", " 1", "1 ", "0x10", "18446744073709551616",
        "99999999999999999999", "123456789012345678901"}) {
    EXPECT_FALSE(parse_decimal(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace medtrail::ledger
