// The CLI's I/O helpers (client/cli/io.cpp) that parse what a person typed into a file.

#include <gtest/gtest.h>

#include "cli/io.h"

namespace medtrail {
namespace {

using cli::first_line;

TEST(CliFirstLine, KeepsTheFirstLineWithoutItsLineEndOrTrailingSpaces) {
  EXPECT_EQ(first_line("card-7\n"), "card-7");
  EXPECT_EQ(first_line("card-7\r\nsecond line\n"), "card-7");
  EXPECT_EQ(first_line("card-7  \n"), "card-7");
  EXPECT_EQ(first_line("card-7"), "card-7");  // no line break at all
  EXPECT_EQ(first_line(" card 7 \r"), " card 7");  // leading and inner spaces are the credential's
}

TEST(CliFirstLine, AnEmptyFirstLineIsEmpty) {
  EXPECT_EQ(first_line(""), "");
  EXPECT_EQ(first_line("\ncard-7\n"), "");
  EXPECT_EQ(first_line(" \r\n"), "");
}

}  // namespace
}  // namespace medtrail
