// payload_body_text: a payload's body as written, read without a parser, agreeing with the
// parser on every payload parse_payload accepts and declining what it does not expect.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <random>
#include <string>

#include "medtrail/ledger/payload_body.h"

namespace medtrail::ledger {
namespace {

using nlohmann::json;

// The body's text must parse to what the whole payload's parse puts under "body".
void expect_agrees(const std::string& payload) {
  SCOPED_TRACE(payload);
  std::optional<std::string_view> text = payload_body_text(payload);
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(json::parse(*text), json::parse(payload)["body"]);
}

TEST(PayloadBodyText, IsTheBodysOwnBytesWhereverItStands) {
  const std::string body = R"({"rx_id":"ab","items":[{"drug_code":"86979474000084","quantity":20}],"n":null})";
  EXPECT_EQ(payload_body_text(R"({"v":1,"kind":"rx.dispense","body":)" + body + "}"), body);
  EXPECT_EQ(payload_body_text(R"({"body":)" + body + R"(,"v":1,"kind":"rx.dispense"})"), body);
  EXPECT_EQ(payload_body_text(R"({"v":1,"body":)" + body + R"(,"nonce":"x"})"), body);
  EXPECT_EQ(payload_body_text(" {\n \"v\" : 1 ,\n \"body\" :\t" + body + " \n}\n"), body);
}

TEST(PayloadBodyText, StringsThatLookLikeStructureDoNotEndTheValue) {
  for (const std::string& payload : {
           std::string(R"({"nonce":"}],{\"body\":1","body":{"note":"a } b ] c , d \" e \\"},"v":1})"),
           std::string(R"({"body":{"q":"\\\"","k":[["]"],{"}":"{"}]},"v":1})"),
           std::string(R"({"v":1,"body":"just a string, with } and ]"})"),
           std::string(R"({"v":1,"body":[1,2,{"a":[]}]})"),
           std::string(R"({"v":1,"body":-12.5e3})"),
           std::string(R"({"v":1,"body":true,"nonce":"n"})"),
           std::string(R"({"v":1,"body":{"u":"\u00e9\ud83d\ude00"}})"),
           std::string(R"({"v":1,"body":{}})"),
       }) {
    expect_agrees(payload);
  }
}

TEST(PayloadBodyText, DeclinesWhatItDoesNotExpect) {
  for (const std::string& payload : {
           std::string(R"({"v":1})"),                     // no body
           std::string(R"({"v":1,"b\u006fdy":{"a":1}})"),  // an escaped key: a parser's to decode
           std::string(R"({})"), std::string(""), std::string("   "), std::string("[]"),
           std::string(R"({"v":1,"body":)"), std::string(R"({"v":1,"body":{"a":[1,2})"),
           std::string(R"({"v":1,"body":"open)"), std::string(R"({"v":1 "body":{}})"),
           std::string(R"({"v":"open)"), std::string(R"({"v":1,)"),
       }) {
    EXPECT_FALSE(payload_body_text(payload).has_value()) << payload;
  }
}

TEST(PayloadBodyText, PlainStringMembersAreReadWithoutTheirQuotes) {
  const std::string payload = R"({"v":1,"kind":"rx.dispense","org":"pharm-a","nonce":"a\"b","body":{"kind":"x"}})";
  EXPECT_EQ(payload_plain_string(payload, "kind"), "rx.dispense");
  EXPECT_EQ(payload_plain_string(payload, "org"), "pharm-a");
  EXPECT_FALSE(payload_plain_string(payload, "nonce").has_value());  // escaped: a parser's to decode
  EXPECT_FALSE(payload_plain_string(payload, "v").has_value());      // not a string
  EXPECT_FALSE(payload_plain_string(payload, "actor").has_value());  // absent
  EXPECT_EQ(payload_plain_string(payload, "kind"), "rx.dispense");   // the body's "kind" is not it
  EXPECT_EQ(payload_member_text(payload, "v"), "1");
}

// Bytes from anywhere (a damaged leaf): never a read past the end, never a crash.
TEST(PayloadBodyText, ArbitraryBytesAreReadSafely) {
  std::mt19937 rng(7);
  const std::string alphabet = "{}[]\",:\\ body01a";
  for (int n = 0; n < 20000; ++n) {
    std::string s(rng() % 40, ' ');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    std::optional<std::string_view> text = payload_body_text(s);
    if (text) {
      EXPECT_GE(text->data(), s.data());
      EXPECT_LE(text->data() + text->size(), s.data() + s.size());
    }
  }
}

}  // namespace
}  // namespace medtrail::ledger
