#include "http/http_url.h"

#include <gtest/gtest.h>

namespace medtrail::node::http {
namespace {

TEST(HttpUrl, PercentDecodeDecodesEscapes) {
  auto decoded = percent_decode("a%20b%2Fc%e2%82%AC", false);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.value(), "a b/c\xe2\x82\xac");
}

TEST(HttpUrl, MalformedEscapeIsBadRequest) {
  for (const char* text : {"%", "%4", "abc%zz", "%g1"}) {
    auto decoded = percent_decode(text, false);
    ASSERT_FALSE(decoded.ok()) << text;
    EXPECT_EQ(decoded.status().code(), "bad_request");
  }
}

TEST(HttpUrl, PlusIsSpaceOnlyInQueries) {
  EXPECT_EQ(percent_decode("a+b", false).value(), "a+b");
  EXPECT_EQ(percent_decode("a+b", true).value(), "a b");
}

TEST(HttpUrl, QueryLastValueWinsAndBareKeysAreEmpty) {
  auto query = parse_query("x=1&flag&y=hello%20world&&x=2");
  ASSERT_TRUE(query.ok());
  EXPECT_EQ(query->at("x"), "2");
  EXPECT_EQ(query->at("flag"), "");
  EXPECT_EQ(query->at("y"), "hello world");
  EXPECT_EQ(query->size(), 3u);
}

TEST(HttpUrl, SplitTargetDropsFragment) {
  SplitTarget split = split_target("/a/b?x=1#frag");
  EXPECT_EQ(split.path, "/a/b");
  EXPECT_EQ(split.query, "x=1");
  EXPECT_EQ(split_target("/a#f?x").query, "");
}

TEST(HttpUrl, SplitPathKeepsTrailingEmptySegment) {
  EXPECT_EQ(split_path("/"), (std::vector<std::string_view>{""}));
  EXPECT_EQ(split_path("/a/b"), (std::vector<std::string_view>{"a", "b"}));
  EXPECT_EQ(split_path("/a/"), (std::vector<std::string_view>{"a", ""}));
}

}  // namespace
}  // namespace medtrail::node::http
