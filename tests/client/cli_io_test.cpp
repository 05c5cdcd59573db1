// The CLI's I/O helpers (client/cli/io.cpp): what a person typed into a file, and what a node
// sent, made safe to print.

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

TEST(CliPrintableText, ControlCharactersAndBytesThatAreNotUtf8PrintAsQuestionMarks) {
  using cli::printable_text;
  EXPECT_EQ(printable_text("GENUINE"), "GENUINE");
  EXPECT_EQ(printable_text("\xE7\x96\xBE\xE6\x8E\xA7"), "\xE7\x96\xBE\xE6\x8E\xA7");  // UTF-8 stays
  EXPECT_EQ(printable_text("a\x1b[2Jb\r\n\x7f"), "a?[2Jb???");                      // C0 and DEL
  EXPECT_EQ(printable_text("a\xC2\x9B" "2Jb"), "a?2Jb");                              // C1 (CSI) as UTF-8
  EXPECT_EQ(printable_text("\xC2\xA0x"), "\xC2\xA0x");                                // U+00A0 is not C1
  EXPECT_EQ(printable_text("ok\xFF\xE7\x96\xBE"), "ok????");                          // not UTF-8: all high bytes
  EXPECT_EQ(printable_text("abcdef", 4), "abcd");
  EXPECT_EQ(printable_text("ab\xE7\x96\xBE", 4), "ab");  // never a character cut in two
}

}  // namespace
}  // namespace medtrail
