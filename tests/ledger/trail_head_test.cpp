// A subject's trail head (ledger/trail_head.h): its bytes, its chain against the definition
// computed here with libsodium's SHA-256 directly, and the keys.
#include "medtrail/ledger/trail_head.h"

#include <gtest/gtest.h>
#include <sodium.h>

namespace medtrail::ledger {
namespace {

Hash sha256(const std::string& message) {
  Hash out;
  crypto_hash_sha256(out.data(), reinterpret_cast<const unsigned char*>(message.data()),
                     message.size());
  return out;
}

TEST(TrailHead, TheChainIsTheDocumentedHashOverTheLeafIndicesInOrder) {
  const CryptoSuite& suite = ed25519_sha256();
  TrailHead head;
  EXPECT_EQ(head.count, 0u);
  EXPECT_EQ(head.chain, Hash{});
  Hash expected{};
  for (uint64_t leaf : {0ull, 7ull, 0x0102030405060708ull}) {
    std::string message = "medtrail-trail-head-v1";
    message.append(reinterpret_cast<const char*>(expected.data()), expected.size());
    for (int shift = 56; shift >= 0; shift -= 8)
      message.push_back(static_cast<char>(leaf >> shift));
    expected = sha256(message);
    head = next_trail_head(suite, head, leaf);
    EXPECT_EQ(head.chain, expected) << leaf;
  }
  EXPECT_EQ(head.count, 3u);
  // Another order, or another leaf, is another chain.
  TrailHead other = next_trail_head(suite, next_trail_head(suite, TrailHead{}, 7), 0);
  EXPECT_NE(other.chain, next_trail_head(suite, next_trail_head(suite, TrailHead{}, 0), 7).chain);
}

TEST(TrailHead, EncodesAsACountAndAChainAndDecodesOnlyThatLength) {
  TrailHead head{0x0102030405060708ull, {}};
  for (size_t i = 0; i < head.chain.size(); ++i) head.chain[i] = static_cast<uint8_t>(0xa0 + i);
  const std::string bytes = encode_trail_head(head);
  ASSERT_EQ(bytes.size(), kTrailHeadBytes);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  EXPECT_EQ(static_cast<uint8_t>(bytes[8]), 0xa0);
  EXPECT_EQ(decode_trail_head(bytes).value(), head);
  for (size_t n : {size_t{0}, size_t{8}, kTrailHeadBytes - 1, kTrailHeadBytes + 1}) {
    std::string other = bytes;
    other.resize(n, '\0');
    auto decoded = decode_trail_head(other);
    ASSERT_FALSE(decoded.ok()) << n;
    EXPECT_EQ(decoded.status().code(), "bad_trail_head");
  }
}

TEST(TrailHead, KeysNameTheSubjectAndAnEntryTheLeafBigEndian) {
  EXPECT_EQ(trail_head_key("rx/R1"), "ixh/rx/R1");
  EXPECT_EQ(trail_entry_prefix("rx/R1"), std::string("ix/rx/R1\0", 9));
  EXPECT_EQ(trail_entry_key("rx/R1", 0x0102), std::string("ix/rx/R1\0\0\0\0\0\0\0\x01\x02", 17));
}

}  // namespace
}  // namespace medtrail::ledger
