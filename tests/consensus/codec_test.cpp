#include "medtrail/consensus/codec.h"

#include <gtest/gtest.h>

#include <cstring>

#include "../../consensus/src/crc32c.h"

namespace medtrail::consensus {
namespace {

// Offsets in an encoded message: version, cereal's endianness flag, type, then six u64 fields
// (from, to, term, index, log_term, commit) before the entry count.
constexpr size_t kVersionOffset = 0;
constexpr size_t kTypeOffset = 2;
constexpr size_t kEntryCountOffset = 3 + 6 * 8;

void put_u64(std::string& bytes, size_t offset, uint64_t value) {
  for (int i = 0; i < 8; ++i) bytes[offset + i] = static_cast<char>((value >> (8 * i)) & 0xFF);
}

Message full_message(MessageType type) {
  Message m;
  m.type = type;
  m.from = 1;
  m.to = 0x0203040506070809;
  m.term = 7;
  m.index = 41;
  m.log_term = 6;
  m.commit = 40;
  m.entries = {Entry{7, 42, EntryType::kNormal, "prescription"},
               Entry{7, 43, EntryType::kConfChange, std::string("\0\x01\xff", 3)},
               Entry{7, 44, EntryType::kNormal, ""}};
  m.reject = true;
  m.reject_hint = 39;
  m.hint_term = 5;
  m.snapshot = SnapshotMeta{30, 4, ConfState{{1, 2, 3}, {9}}};
  m.snapshot_offset = 1 << 20;
  m.snapshot_size = 3 << 20;
  m.snapshot_chunk = "chunk-bytes";
  m.context = "read-ctx";
  return m;
}

// A small message, so exhaustive damage tests stay fast.
Message small_message() {
  Message m = full_message(MessageType::kAppend);
  m.entries.resize(2);
  return m;
}

TEST(CodecCrc32cTest, MatchesTheStandardCheckValue) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c(""), 0u);
}

TEST(CodecCrc32cTest, ExtendingEqualsHashingTheConcatenation) {
  std::string data(1000, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31 + 7);
  for (size_t split : {0, 1, 7, 8, 9, 500, 999, 1000}) {
    std::string_view v(data);
    EXPECT_EQ(crc32c_extend(crc32c(v.substr(0, split)), v.substr(split)), crc32c(v)) << split;
  }
}

TEST(CodecTest, EveryMessageTypeRoundTripsWithAllFields) {
  for (int t = 0; t <= static_cast<int>(MessageType::kReadIndexResponse); ++t) {
    Message m = full_message(static_cast<MessageType>(t));
    Result<Message> decoded = decode_message(encode_message(m));
    ASSERT_TRUE(decoded.ok()) << t << " " << decoded.status().to_string();
    EXPECT_EQ(*decoded, m) << t;
  }
}

TEST(CodecTest, DefaultMessageRoundTrips) {
  Result<Message> decoded = decode_message(encode_message(Message{}));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, Message{});
}

TEST(CodecTest, EncodingStartsWithVersionByte) {
  std::string bytes = encode_message(Message{});
  EXPECT_EQ(bytes[kVersionOffset], 1);
  bytes[kVersionOffset] = 2;
  EXPECT_EQ(decode_message(bytes).status().code(), "malformed");
}

TEST(CodecTest, EveryTruncationIsMalformed) {
  std::string bytes = encode_message(small_message());
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(decode_message(std::string_view(bytes).substr(0, n)).status().code(), "malformed")
        << n;
  }
}

TEST(CodecTest, TrailingBytesAreMalformed) {
  std::string bytes = encode_message(small_message()) + '\0';
  EXPECT_EQ(decode_message(bytes).status().code(), "malformed");
}

// Whatever a damaged message decodes to, it decodes without crashing (ASan/UBSan builds check
// the "no undefined behaviour" half), and the encoding is canonical: anything accepted
// re-encodes to exactly the bytes received.
TEST(CodecTest, EverySingleByteFlipIsRejectedOrDecodesCanonically) {
  const std::string original = encode_message(small_message());
  for (size_t i = 0; i < original.size(); ++i) {
    for (uint8_t mask : {0x01, 0x10, 0x80, 0xFF}) {
      std::string bytes = original;
      bytes[i] = static_cast<char>(bytes[i] ^ mask);
      Result<Message> decoded = decode_message(bytes);
      if (decoded.ok()) {
        EXPECT_EQ(encode_message(*decoded), bytes) << "byte " << i;
      } else {
        EXPECT_TRUE(decoded.status().code() == "malformed" ||
                    decoded.status().code() == "too_large")
            << decoded.status().to_string();
      }
    }
  }
}

TEST(CodecTest, UnknownEnumValuesAreMalformed) {
  std::string bytes = encode_message(small_message());
  bytes[kTypeOffset] = 13;
  EXPECT_EQ(decode_message(bytes).status().code(), "malformed");

  Message m;
  m.entries = {Entry{1, 1, EntryType::kNormal, ""}};
  bytes = encode_message(m);
  size_t entry_type = kEntryCountOffset + 8 + 16;
  ASSERT_EQ(bytes[entry_type], 0);
  bytes[entry_type] = 2;
  EXPECT_EQ(decode_message(bytes).status().code(), "malformed");
}

TEST(CodecTest, BoolOtherThanZeroOrOneIsMalformed) {
  std::string bytes = encode_message(Message{});  // no entries: `reject` follows the count
  size_t reject = kEntryCountOffset + 8;
  ASSERT_EQ(bytes[reject], 0);
  bytes[reject] = 2;
  EXPECT_EQ(decode_message(bytes).status().code(), "malformed");
}

TEST(CodecTest, HugeLengthPrefixesAreRejectedWithoutAllocating) {
  CodecLimits unlimited{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX};
  std::string bytes = encode_message(Message{});
  put_u64(bytes, kEntryCountOffset, uint64_t{1} << 60);
  EXPECT_EQ(decode_message(bytes, unlimited).status().code(), "malformed");

  bytes = encode_message(Message{});  // empty context: its length is the last 8 bytes
  put_u64(bytes, bytes.size() - 8, UINT64_MAX);
  EXPECT_EQ(decode_message(bytes, unlimited).status().code(), "malformed");
  put_u64(bytes, bytes.size() - 8, 1);  // one byte more than there is
  EXPECT_EQ(decode_message(bytes, unlimited).status().code(), "malformed");
}

TEST(CodecTest, MessageOverMaxBytesIsTooLarge) {
  std::string bytes = encode_message(small_message());
  CodecLimits limits;
  limits.max_message_bytes = bytes.size() - 1;
  EXPECT_EQ(decode_message(bytes, limits).status().code(), "too_large");
  limits.max_message_bytes = bytes.size();
  EXPECT_TRUE(decode_message(bytes, limits).ok());
}

TEST(CodecTest, PerFieldLimitsAreEnforced) {
  std::string bytes = encode_message(full_message(MessageType::kAppend));  // 3 entries
  CodecLimits limits;
  limits.max_entries = 2;
  EXPECT_EQ(decode_message(bytes, limits).status().code(), "too_large");

  limits = CodecLimits{};
  limits.max_entry_bytes = std::string("prescription").size() - 1;
  EXPECT_EQ(decode_message(bytes, limits).status().code(), "too_large");

  limits = CodecLimits{};
  limits.max_voters = 2;  // the snapshot's conf has three voters
  EXPECT_EQ(decode_message(bytes, limits).status().code(), "too_large");
}

TEST(CodecTest, UnsortedOrOverlappingConfStateIsMalformed) {
  Message m;
  m.snapshot.conf = ConfState{{3, 1}, {}};
  EXPECT_EQ(decode_message(encode_message(m)).status().code(), "malformed");
  m.snapshot.conf = ConfState{{1, 1}, {}};
  EXPECT_EQ(decode_message(encode_message(m)).status().code(), "malformed");
  m.snapshot.conf = ConfState{{1, 2}, {2}};
  EXPECT_EQ(decode_message(encode_message(m)).status().code(), "malformed");
}

TEST(CodecTest, EntryRoundTrips) {
  Entry e{9, 12345, EntryType::kConfChange, std::string("a\0b", 3)};
  Result<Entry> decoded = decode_entry(encode_entry(e));
  ASSERT_TRUE(decoded.ok()) << decoded.status().to_string();
  EXPECT_EQ(*decoded, e);
}

TEST(CodecTest, EveryDamagedStoredEntryIsCorruption) {
  const std::string original = encode_entry(Entry{3, 4, EntryType::kNormal, "dose=5mg"});
  for (size_t i = 0; i < original.size(); ++i) {
    std::string bytes = original;
    bytes[i] = static_cast<char>(bytes[i] ^ 0x04);
    EXPECT_EQ(decode_entry(bytes).status().code(), "corruption") << "flip at " << i;
    EXPECT_EQ(decode_entry(std::string_view(original).substr(0, i)).status().code(), "corruption")
        << "truncated to " << i;
  }
}

}  // namespace
}  // namespace medtrail::consensus
