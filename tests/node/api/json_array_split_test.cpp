// Splitting a JSON array into its elements' exact bytes.
#include "api/json_array_split.h"

#include <gtest/gtest.h>

namespace medtrail::node::api {
namespace {

using Parts = std::vector<std::string_view>;

Parts split(std::string_view text, size_t max = 100) {
  auto parts = split_json_array(text, max);
  EXPECT_TRUE(parts.ok()) << parts.status().to_string();
  return parts.ok() ? *parts : Parts{};
}

std::string refusal(std::string_view text, size_t max = 100) {
  auto parts = split_json_array(text, max);
  return parts.ok() ? "ok" : parts.status().code();
}

TEST(JsonArraySplitTest, EmptyArrayHasNoElements) {
  EXPECT_TRUE(split("[]").empty());
  EXPECT_TRUE(split(" \n[ \t ]\r\n").empty());
}

TEST(JsonArraySplitTest, ElementsKeepTheirExactBytes) {
  Parts parts = split(R"([{"a":1,"a":2}, [1,[2]] ,"s",  -1.5e3,true,null])");
  ASSERT_EQ(parts.size(), 6u);
  EXPECT_EQ(parts[0], R"({"a":1,"a":2})");
  EXPECT_EQ(parts[1], "[1,[2]]");
  EXPECT_EQ(parts[2], R"("s")");
  EXPECT_EQ(parts[3], "-1.5e3");
  EXPECT_EQ(parts[4], "true");
  EXPECT_EQ(parts[5], "null");
}

TEST(JsonArraySplitTest, WhitespaceAroundElementsIsNotPartOfThem) {
  Parts parts = split("[\n  {\"x\": [ ] } ,\r\n\t{ }\n]\n");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], "{\"x\": [ ] }");
  EXPECT_EQ(parts[1], "{ }");
}

TEST(JsonArraySplitTest, BracketsAndCommasInsideStringsDoNotSplit) {
  Parts parts = split(R"([{"k":"],[{,}"},{"k":"a\"],\\"}])");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], R"({"k":"],[{,}"})");
  EXPECT_EQ(parts[1], R"({"k":"a\"],\\"})");
}

TEST(JsonArraySplitTest, DeepNestingWithinTheLimitIsOneElement) {
  std::string deep =
      "[" + std::string(kMaxSplitDepth, '[') + std::string(kMaxSplitDepth, ']') + "]";
  EXPECT_EQ(split(deep).size(), 1u);
}

TEST(JsonArraySplitTest, MalformedArraysAreRefused) {
  for (const char* text :
       {"", "  ", "{}", "[1,]", "[,1]", "[1,,2]", "[1 2]", "[1", "[{]", "[{]}", "[[}]", "[\"abc]",
        "[\"a\\\"]", "[1]x", "[1][2]", "[}", "[@]", "[\"a\nb\"]", "[{\"a\":1}}]"}) {
    EXPECT_EQ(refusal(text), "malformed_json") << text;
  }
}

TEST(JsonArraySplitTest, NestingBeyondTheLimitIsRefused) {
  std::string deep =
      "[" + std::string(kMaxSplitDepth + 1, '[') + std::string(kMaxSplitDepth + 1, ']') + "]";
  EXPECT_EQ(refusal(deep), "malformed_json");
}

TEST(JsonArraySplitTest, MoreElementsThanAllowedStopTheSplit) {
  EXPECT_EQ(refusal("[1,2,3]", 2), "too_many_records");
  EXPECT_EQ(split("[1,2]", 2).size(), 2u);
}

}  // namespace
}  // namespace medtrail::node::api
