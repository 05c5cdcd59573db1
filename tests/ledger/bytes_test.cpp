#include "medtrail/ledger/bytes.h"

#include <gtest/gtest.h>

namespace medtrail::ledger {
namespace {

TEST(Hex, RoundTripsAndIsLowercase) {
  Bytes data = {0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(to_hex(data), "0001abff");
  EXPECT_EQ(*from_hex("0001ABff"), data);
}

TEST(Hex, RejectsOddLengthAndNonHex) {
  EXPECT_EQ(from_hex("abc").status().code(), "bad_hex");
  EXPECT_EQ(from_hex("zz").status().code(), "bad_hex");
  EXPECT_EQ(hash_from_hex("00").status().code(), "bad_hex");
}

TEST(Base64, Rfc4648TestVectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : vectors) {
    EXPECT_EQ(to_base64(as_bytes(plain)), encoded);
    EXPECT_EQ(*from_base64(encoded), to_bytes(plain));
  }
}

TEST(Base64, RejectsMalformedInput) {
  for (const char* bad : {"Zg=", "Zg", "Z===", "Zm9v!A==", "Zh==", "Zm9=", "=Zm9"}) {
    EXPECT_EQ(from_base64(bad).status().code(), "bad_base64") << bad;
  }
}

TEST(Utf8, AcceptsValidAndRejectsInvalid) {
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("处方 \xF0\x9F\x92\x8A"));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE4\xB8"));          // truncated
  EXPECT_FALSE(is_valid_utf8("\xFF"));
}

TEST(Utf8, PrefixNeverSplitsACharacter) {
  const std::string text = "ab\xe4\xb8\xad\xe6\x96\x87";  // "ab中文": 2 + 3 + 3 bytes
  EXPECT_EQ(utf8_prefix(text, 100), text);
  EXPECT_EQ(utf8_prefix(text, 5), "ab\xe4\xb8\xad");
  EXPECT_EQ(utf8_prefix(text, 4), "ab");
  EXPECT_EQ(utf8_prefix(text, 3), "ab");
  EXPECT_EQ(utf8_prefix(text, 0), "");
  for (size_t n = 0; n <= text.size(); ++n) EXPECT_TRUE(is_valid_utf8(utf8_prefix(text, n))) << n;
}

TEST(BigEndian, OrdersNumerically) {
  Bytes a, b;
  append_be64(a, 255);
  append_be64(b, 256);
  EXPECT_LT(a, b);
  EXPECT_EQ(read_be64(b.data()), 256u);
}

}  // namespace
}  // namespace medtrail::ledger
