// The public facts codec (ledger/public_facts.h): one encoding per record, bounds kept both
// ways, and any other bytes refused — a client decodes what a node it does not trust sends.
#include "medtrail/ledger/public_facts.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace medtrail::ledger {
namespace {

PublicFacts sample() {
  return {{"doses_given", int64_t{2}},
          {"holder", std::string("clinic-a")},
          {"recalled_at_ms", int64_t{-5}},
          {"product_name", std::string("Hepatitis B 10\xC2\xB5g")}};
}

TEST(PublicFactsTest, ARecordEncodesAsTheDocumentedBytesAndDecodesBack) {
  const PublicFacts facts{{"a", int64_t{258}}, {"b", std::string("xy")}};
  const std::string expected(
      "\x01\x02"  // format, count
      "\x01"
      "a\x00\x00\x00\x00\x00\x00\x00\x01\x02"  // a: integer 258
      "\x01"
      "b\x01\x00\x02xy",  // b: text "xy"
      20);
  EXPECT_EQ(encode_public_facts(facts).value(), expected);
  EXPECT_EQ(decode_public_facts(expected).value(), facts);
  const std::string bytes = encode_public_facts(sample()).value();
  EXPECT_EQ(decode_public_facts(bytes).value(), sample());
  EXPECT_EQ(decode_public_facts(encode_public_facts({}).value()).value(), PublicFacts{});
  EXPECT_EQ(public_facts_json(sample()),
            nlohmann::json({{"doses_given", 2},
                            {"holder", "clinic-a"},
                            {"recalled_at_ms", -5},
                            {"product_name", "Hepatitis B 10\xC2\xB5g"}}));
  const PublicFacts facts_of_sample = sample();
  EXPECT_EQ(*public_fact<int64_t>(facts_of_sample, "doses_given"), 2);
  EXPECT_EQ(public_fact<std::string>(facts_of_sample, "doses_given"), nullptr);  // another type
  EXPECT_EQ(public_fact<int64_t>(facts_of_sample, "absent"), nullptr);
  EXPECT_EQ(public_facts_key("vcode/123"), "pub/vcode/123");
}

TEST(PublicFactsTest, FactsBeyondTheBoundsAreNotEncoded) {
  PublicFacts many;
  for (size_t i = 0; i <= kMaxPublicFacts; ++i)
    many.emplace("f" + std::to_string(100 + i), int64_t{1});
  EXPECT_EQ(encode_public_facts(many).status().code(), "invalid_argument");
  many.erase(many.begin());
  EXPECT_TRUE(encode_public_facts(many).ok());
  for (const std::string& name :
       {std::string(), std::string(kMaxPublicFactName + 1, 'a'), std::string("Upper"),
        std::string("a-b"), std::string("a\0b", 3)}) {
    EXPECT_EQ(encode_public_facts({{name, int64_t{1}}}).status().code(), "invalid_argument")
        << name;
  }
  EXPECT_TRUE(encode_public_facts({{std::string(kMaxPublicFactName, 'a'), int64_t{1}}}).ok());
  EXPECT_TRUE(encode_public_facts({{"t", std::string(kMaxPublicFactText, 'x')}}).ok());
  EXPECT_EQ(encode_public_facts({{"t", std::string(kMaxPublicFactText + 1, 'x')}}).status().code(),
            "invalid_argument");
  EXPECT_EQ(encode_public_facts({{"t", std::string("\xC3\x28")}}).status().code(),
            "invalid_argument");
}

TEST(PublicFactsTest, BytesThatAreNotOneRecordsEncodingAreRefused) {
  const std::string good = encode_public_facts(sample()).value();
  // Every cut short, and one byte more.
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_EQ(decode_public_facts(good.substr(0, n)).status().code(), "bad_public_facts") << n;
  }
  EXPECT_EQ(decode_public_facts(good + '\0').status().code(), "bad_public_facts");
  const auto refused = [](std::string bytes) { return decode_public_facts(bytes).status().code(); };
  EXPECT_EQ(refused(std::string("\x02\x00", 2)), "bad_public_facts");  // format 2
  EXPECT_EQ(refused(std::string("\x01\x01\x01"
                                "A\x00"
                                "\0\0\0\0\0\0\0\0",
                                13)),
            "bad_public_facts");  // name
  EXPECT_EQ(refused(std::string("\x01\x01\x01"
                                "a\x02",
                                5)),
            "bad_public_facts");  // type 2
  EXPECT_EQ(refused(std::string("\x01\x01\x01"
                                "a\x01\x00\x02\xC3\x28",
                                8)),
            "bad_public_facts");  // not UTF-8
  // At the bounds and one past them, with every byte there: only the bound refuses.
  const std::string text_of_256 = std::string(
                                      "\x01\x01\x01"
                                      "a\x01\x01\x00",
                                      7) +
                                  std::string(256, 'x');
  const std::string text_of_257 = std::string(
                                      "\x01\x01\x01"
                                      "a\x01\x01\x01",
                                      7) +
                                  std::string(257, 'x');
  EXPECT_TRUE(decode_public_facts(text_of_256).ok());
  EXPECT_EQ(refused(text_of_257), "bad_public_facts");
  const auto facts_of = [](size_t n) {
    std::string bytes{'\x01', static_cast<char>(n)};
    for (size_t i = 0; i < n; ++i)
      bytes += std::string("\x02") + char('a' + i / 26) + char('a' + i % 26) +
               std::string("\x01\x00\x00", 3);
    return bytes;
  };
  EXPECT_TRUE(decode_public_facts(facts_of(kMaxPublicFacts)).ok());
  EXPECT_EQ(refused(facts_of(kMaxPublicFacts + 1)), "bad_public_facts");
  // Out of order, or a name twice: one record has one encoding.
  const std::string b_then_a(
      "\x01\x02\x01"
      "b\x01\x00\x00"
      "\x01"
      "a\x01\x00\x00",
      12);
  const std::string a_twice(
      "\x01\x02\x01"
      "a\x01\x00\x00"
      "\x01"
      "a\x01\x00\x00",
      12);
  EXPECT_EQ(refused(b_then_a), "bad_public_facts");
  EXPECT_EQ(refused(a_twice), "bad_public_facts");
  EXPECT_TRUE(decode_public_facts(std::string("\x01\x02\x01"
                                              "a\x01\x00\x00"
                                              "\x01"
                                              "b\x01\x00\x00",
                                              12))
                  .ok());
}

}  // namespace
}  // namespace medtrail::ledger
