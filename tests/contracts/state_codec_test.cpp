// The stored-value encoding: round trips, one encoding per value, the JSON view and its inverse,
// and bytes that must not decode.
#include "medtrail/contracts/state_codec.h"

#include <gtest/gtest.h>

#include <limits>

#include "medtrail/contracts/access.h"
#include "medtrail/contracts/state_json.h"

namespace medtrail::contracts {
namespace {

struct Item {
  std::string code;
  int64_t quantity = 0;
  static constexpr auto fields() {
    return std::tuple{field("code", &Item::code), field("quantity", &Item::quantity)};
  }
};

struct Sample {
  int64_t number = 0;
  bool flag = false;
  std::string text;
  ledger::Bytes key;
  std::optional<int64_t> maybe;
  std::vector<Item> items;
  std::map<std::string, int64_t> counts;
  std::optional<Item> extra;
  static constexpr auto fields() {
    return std::tuple{field("number", &Sample::number), field("flag", &Sample::flag),
                      field("text", &Sample::text),     field("key", &Sample::key),
                      field("maybe", &Sample::maybe),   field("items", &Sample::items),
                      field("counts", &Sample::counts), field("extra", &Sample::extra)};
  }
};

Sample full_sample() {
  Sample s;
  s.number = -1234567890123;
  s.flag = true;
  s.text = "藥 ok";
  s.key = {0x00, 0xff, 0x10};
  s.maybe = std::numeric_limits<int64_t>::min();
  s.items = {{"86901234567890", 3}, {"N02AA01", std::numeric_limits<int64_t>::max()}};
  s.counts = {{"b", 2}, {"a", -1}};
  s.extra = Item{"x", 0};
  return s;
}

TEST(StateCodec, RoundTripsEveryFieldType) {
  const Sample s = full_sample();
  const std::string bytes = encode_value(s);
  EXPECT_EQ(static_cast<uint8_t>(bytes[0]), kStateFormat);
  std::optional<Sample> back = decode_value<Sample>(bytes);
  ASSERT_TRUE(back);
  EXPECT_EQ(encode_value(*back), bytes);
  EXPECT_EQ(back->number, s.number);
  EXPECT_EQ(back->text, s.text);
  EXPECT_EQ(back->key, s.key);
  EXPECT_EQ(back->maybe, s.maybe);
  EXPECT_EQ(back->items.at(1).quantity, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(back->counts, s.counts);
  EXPECT_EQ(back->extra->code, "x");
}

TEST(StateCodec, DefaultValueIsSmallAndDecodes) {
  const std::string bytes = encode_value(Sample{});
  // format, number, flag, text, key, maybe, items, counts, extra: one byte each.
  EXPECT_EQ(bytes.size(), 9u);
  EXPECT_TRUE(decode_value<Sample>(bytes));
}

TEST(StateCodec, BytesThatAreNotAValueDoNotDecode) {
  const std::string good = encode_value(full_sample());
  EXPECT_FALSE(decode_value<Sample>(""));
  EXPECT_FALSE(decode_value<Sample>(std::string(1, '\x02') + good.substr(1)));  // other format
  EXPECT_FALSE(decode_value<Sample>(good + "x"));                              // trailing bytes
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(decode_value<Sample>(good.substr(0, n))) << "truncated to " << n;
  }
  std::string bad_bool = encode_value(Sample{});
  bad_bool[2] = '\x02';
  EXPECT_FALSE(decode_value<Sample>(bad_bool));
  // A count far beyond the bytes left is refused before anything is allocated.
  std::string huge = encode_value(Sample{});
  huge.replace(3, 1, "\xff\xff\xff\xff\xff\xff\xff\xff\x7f");
  EXPECT_FALSE(decode_value<Sample>(huge));
  EXPECT_FALSE(decode_value<Sample>(std::string("\x01") + std::string(11, '\xff')));  // varint too long
  EXPECT_FALSE(decode_value<Sample>("{\"number\":1}"));  // JSON text is not the encoding
}

TEST(StateCodec, JsonViewNamesEveryFieldAndInvertsExactly) {
  const Sample s = full_sample();
  const nlohmann::json view = value_json(s);
  EXPECT_EQ(view["key"], "00ff10");
  EXPECT_EQ(view["counts"]["a"], -1);
  EXPECT_EQ(view["items"][0]["code"], "86901234567890");
  EXPECT_TRUE(value_json(Sample{})["maybe"].is_null());
  std::optional<Sample> back = value_from_json<Sample>(view);
  ASSERT_TRUE(back);
  EXPECT_EQ(encode_value(*back), encode_value(s));
}

TEST(StateCodec, JsonViewWithUnknownFieldOrWrongTypeIsRefused) {
  EXPECT_TRUE(value_from_json<Sample>({{"number", 5}}));  // the rest defaults
  EXPECT_FALSE(value_from_json<Sample>({{"numbr", 5}}));
  EXPECT_FALSE(value_from_json<Sample>({{"number", "5"}}));
  EXPECT_FALSE(value_from_json<Sample>({{"key", "not hex"}}));
  EXPECT_FALSE(value_from_json<Sample>({{"items", {{{"code", 1}}}}}));
  EXPECT_FALSE(value_from_json<Sample>(nlohmann::json::array()));
}

TEST(StateJson, ViewsAValueByItsKeysFamily) {
  AccessEvent e;
  e.org = "hosp-a";
  e.due_ms = 7;
  const std::string key = access_event_key(std::string(32, 'a'));
  std::optional<nlohmann::json> view = state_value_json(key, encode_value(e));
  ASSERT_TRUE(view);
  EXPECT_EQ((*view)["org"], "hosp-a");
  EXPECT_EQ(state_value_from_json(key, *view), encode_value(e));
  EXPECT_FALSE(state_value_json(key, "garbage"));
  EXPECT_FALSE(state_value_json("ix/rx/1", ""));
  EXPECT_FALSE(state_value_json("nofamily", encode_value(e)));
}

}  // namespace
}  // namespace medtrail::contracts
